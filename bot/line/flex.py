"""Flex Message builders: small functions that return plain dicts (LINE's Flex JSON).

bot/line validates them through the SDK's models before sending. Limits kept here: a bubble
≤ 30 KB, a carousel ≤ 12 bubbles and ≤ 50 KB, altText ≤ 400 characters.

LINE cuts a ``text`` that does not fit its box unless it has ``wrap: true`` ("12,115 ครัวเรือน
(…"): every text here wraps, and a figure never shares a line with a neighbour that could squeeze
it. A bar's colour is the status's (bot.core.status), and the status is always written in words
next to it — never colour alone. tests/bot/test_flex_render.py renders the cards in a browser at
a 300 px bubble (bot.line.flex_html) and checks that nothing is cut.
"""
from __future__ import annotations

import json

from bot import thai
from bot.core.progress import Figure
from bot.core.status import COLORS, SILENT, Status
from bot.line.messages import Flex

MAX_BUBBLE_BYTES = 30_000
MAX_CAROUSEL_BYTES = 50_000
MAX_BUBBLES = 12
MAX_ALT = 400
GREEN, AMBER, RED, GREY = "#1DB446", "#F5A623", "#E53935", "#DDDDDD"   # GREY: a bar's track
NEUTRAL = "#78909C"     # the fill of a bar that has no status (a category's share)
INK, MUTED = "#222222", "#6B6B6B"
QUIET = COLORS[SILENT][1]   # the ink of "nothing logged for n days"


def bar_width(percent: float | None) -> str:
    """The filled share of a bar, as Flex wants it ('37%'); clamped to 0–100."""
    p = 0.0 if percent is None else max(0.0, min(100.0, percent))
    return f"{round(p)}%"


def progress_bar(percent: float | None, color: str | None = None, height: str = "8px",
                 margin: str = "sm") -> dict:
    filled = {"type": "box", "layout": "vertical", "contents": [], "width": bar_width(percent),
              "height": height, "backgroundColor": color or NEUTRAL, "cornerRadius": "4px"}
    if bar_width(percent) == "0%":
        filled = {"type": "box", "layout": "vertical", "contents": [], "width": "0%",
                  "height": height}
    return {"type": "box", "layout": "vertical", "contents": [filled],
            "backgroundColor": GREY, "height": height, "cornerRadius": "4px", "margin": margin}


def status_bar(st: Status, height: str = "8px", margin: str = "sm") -> dict:
    """A bar filled to the percent of target in the status's colour."""
    return progress_bar(st.percent, st.color, height, margin)


def text(value: str, size: str = "sm", color: str = INK, weight: str | None = None,
         wrap: bool = True, **extra) -> dict:
    t = {"type": "text", "text": value or " ", "size": size, "color": color, "wrap": wrap}
    if weight:
        t["weight"] = weight
    t.update(extra)
    return t


def separator(margin: str = "lg") -> dict:
    return {"type": "separator", "margin": margin}


def figure_line(f: Figure | Status, unit: str) -> str:
    """'3,756 / 12,115 ครัวเรือน', or '29 ครัวเรือน' without a target."""
    if f.target is None:
        return f"{thai.number(f.done)} {unit}"
    return f"{thai.number(f.done)} / {thai.number(f.target)} {unit}"


def big_figure(f: Figure | Status, unit: str, margin: str = "md") -> dict:
    """'3,756 / 12,115' large with its unit beside it on the same baseline: the unit, not a
    digit, goes to the next line when the bubble is narrow."""
    numbers = (thai.number(f.done) if f.target is None
               else f"{thai.number(f.done)} / {thai.number(f.target)}")
    return {"type": "box", "layout": "baseline", "spacing": "sm", "margin": margin, "contents": [
        text(numbers, "xl", INK, "bold", flex=0), text(unit, "md", INK, "bold", flex=1)]}


def bubble(contents: list[dict], size: str = "mega") -> dict:
    return {"type": "bubble", "size": size,
            "body": {"type": "box", "layout": "vertical", "contents": contents, "spacing": "xs"}}


def _line(lead: str | None, name: dict, right: dict) -> dict:
    """[rank] name … right, on one line."""
    contents = ([text(lead, "sm", INK, flex=0)] if lead else []) + [name, right]
    return {"type": "box", "layout": "horizontal", "spacing": "sm", "contents": contents}


def figure_pair(percent: str, rest: str, color: str) -> dict:
    """'31.0%' in full (bold, the status's ink), then '3,756 / 12,115 ครัวเรือน' in the room
    left: the percent never shares its room with the longer figure."""
    return {"type": "box", "layout": "baseline", "spacing": "sm", "contents": [
        text(percent, "sm", color, "bold", flex=0), text(rest, "xs", MUTED, flex=1)]}


def status_row(st: Status, quiet: str | None = None, lead: str | None = None,
               margin: str = "md") -> dict:
    """A district (or the province) in a list: its name and its status in words (in the
    status's ink), the percent in full then done / target, a thin bar in the status's colour,
    and how long it has been quiet. ``lead``: a rank ('🥇', '4.') before the name."""
    rows: list[dict] = [_line(lead, text(st.name, "sm", INK, "bold", flex=1),
                              text(st.label, "xs", st.ink, "bold", flex=0, align="end"))]
    if st.target is not None:
        rows.append(figure_pair(thai.percent(st.done, st.target),
                                figure_line(st, st.unit), st.ink))
        rows.append(status_bar(st, "6px", "xs"))
    if quiet:
        rows.append(text(quiet, "xs", QUIET))
    return {"type": "box", "layout": "vertical", "margin": margin, "spacing": "xs",
            "contents": rows}


def count_row(name: str, count: str, quiet: str | None = None, lead: str | None = None,
              margin: str = "md") -> dict:
    """A district without a target of its own: its name and what it logged (and how long it
    has been quiet)."""
    rows = [_line(lead, text(name, "sm", INK, "bold", flex=3),
                  text(count, "sm", INK, flex=2, align="end"))]
    if quiet:
        rows.append(text(quiet, "xs", QUIET))
    return {"type": "box", "layout": "vertical", "margin": margin, "spacing": "xs",
            "contents": rows}


def figure_row(f: Figure, unit: str, margin: str = "md") -> dict:
    """A category: its name, then the percent in full and done / target with a neutral bar
    (a category has no status of its own), or its count when it has no target."""
    if f.target is None:
        return count_row(f.name, figure_line(f, unit), margin=margin)
    return {"type": "box", "layout": "vertical", "margin": margin, "spacing": "xs", "contents": [
        text(f.name, "sm", INK, "bold"),
        figure_pair(thai.percent(f.done, f.target), figure_line(f, unit), INK),
        progress_bar(f.percent, NEUTRAL, "6px", "xs")]}


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
