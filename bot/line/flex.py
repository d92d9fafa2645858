"""Flex Message builders: small functions that return plain dicts (LINE's Flex JSON).

bot/line validates them through the SDK's models before sending. Limits kept here: a bubble
≤ 30 KB, a carousel ≤ 12 bubbles and ≤ 50 KB, altText ≤ 400 characters.
"""
from __future__ import annotations

import json

from bot import thai
from bot.line.messages import Flex
from bot.core.progress import Figure

MAX_BUBBLE_BYTES = 30_000
MAX_CAROUSEL_BYTES = 50_000
MAX_BUBBLES = 12
MAX_ALT = 400
GREEN, AMBER, RED, GREY = "#1DB446", "#F5A623", "#E53935", "#DDDDDD"
INK, MUTED = "#222222", "#888888"


def bar_color(percent: float | None, on_track: bool | None = None) -> str:
    if percent is None:
        return GREY
    if percent >= 100 or on_track is True:
        return GREEN
    if on_track is False:
        return RED
    return AMBER


def bar_width(percent: float | None) -> str:
    """The filled share of a bar, as Flex wants it ('37%'); clamped to 0–100."""
    p = 0.0 if percent is None else max(0.0, min(100.0, percent))
    return f"{round(p)}%"


def progress_bar(percent: float | None, color: str | None = None, height: str = "8px") -> dict:
    filled = {"type": "box", "layout": "vertical", "contents": [], "width": bar_width(percent),
              "height": height, "backgroundColor": color or bar_color(percent),
              "cornerRadius": "4px"}
    if bar_width(percent) == "0%":
        filled = {"type": "box", "layout": "vertical", "contents": [], "width": "0%",
                  "height": height}
    return {"type": "box", "layout": "vertical", "contents": [filled],
            "backgroundColor": GREY, "height": height, "cornerRadius": "4px", "margin": "sm"}


def text(value: str, size: str = "sm", color: str = INK, weight: str | None = None,
         wrap: bool = True, **extra) -> dict:
    t = {"type": "text", "text": value or " ", "size": size, "color": color, "wrap": wrap}
    if weight:
        t["weight"] = weight
    t.update(extra)
    return t


def figure_line(f: Figure, unit: str) -> str:
    if f.target is None:
        return f"{thai.number(f.done)} {unit}"
    return f"{thai.number(f.done)} / {thai.number(f.target)} {unit}"


def indicator_bubble(title: str, subtitle: str, fig: Figure, unit: str,
                     notes: list[str] | None = None, rows: list[tuple[Figure, str]] | None = None,
                     on_track: bool | None = None) -> dict:
    """One indicator: big figure, bar, percent/remaining, notes (deadline, pace), optional rows."""
    body: list[dict] = [
        text(title, "lg", weight="bold"),
        text(subtitle, "xs", MUTED),
        text(figure_line(fig, unit), "xl", weight="bold", margin="md"),
    ]
    if fig.target is not None:
        body.append(progress_bar(fig.percent, bar_color(fig.percent, on_track)))
        rem = fig.remaining
        body.append(text(f"{thai.percent(fig.done, fig.target)} · "
                         + ("ครบเป้าแล้ว 🎉" if rem == 0 else f"เหลืออีก {thai.number(rem)} {unit}"),
                         "sm", MUTED, margin="sm"))
    for note in notes or []:
        body.append(text(note, "xs", INK, margin="md"))
    if rows:
        body.append({"type": "separator", "margin": "lg"})
        for f, label_unit in rows:
            body.append(row(f, label_unit))
    return {"type": "bubble", "size": "mega",
            "body": {"type": "box", "layout": "vertical", "contents": body, "spacing": "xs"}}


def row(f: Figure, unit: str) -> dict:
    """A district or category: name, figure, and a thin bar when it has a target."""
    head = {"type": "box", "layout": "horizontal", "margin": "md", "contents": [
        text(f.name, "xs", INK, flex=3, wrap=False),
        text(figure_line(f, unit) + (f" ({thai.percent(f.done, f.target)})" if f.target else ""),
             "xs", MUTED, flex=5, align="end", wrap=False)]}
    if f.target is None:
        return head
    return {"type": "box", "layout": "vertical", "contents": [head, progress_bar(f.percent,
                                                                                  height="5px")]}


def size_of(contents: dict) -> int:
    return len(json.dumps(contents, ensure_ascii=False).encode("utf-8"))


def message(alt_text: str, bubbles: list[dict]) -> Flex:
    """A bubble, or a carousel of up to 12, within LINE's size limits."""
    bubbles = bubbles[:MAX_BUBBLES]
    contents = bubbles[0] if len(bubbles) == 1 else {"type": "carousel", "contents": bubbles}
    limit = MAX_BUBBLE_BYTES if len(bubbles) == 1 else MAX_CAROUSEL_BYTES
    if size_of(contents) > limit:
        raise ValueError(f"flex message of {size_of(contents)} bytes is over LINE's {limit}")
    alt = alt_text if len(alt_text) <= MAX_ALT else alt_text[:MAX_ALT - 1] + "…"
    return Flex(alt_text=alt, contents=contents)


def all_text(contents: dict | list) -> str:
    """Every text in a Flex tree (for tests and logs)."""
    out: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "text":
                out.append(node.get("text", ""))
            for v in node.values():
                if isinstance(v, (dict, list)):
                    walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
    walk(contents)
    return "\n".join(out)
