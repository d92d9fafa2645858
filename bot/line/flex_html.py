"""Flex Message → HTML with CSS flexbox: what a card looks like, and whether LINE would cut a text.

A small renderer after LINE's documented layout rules (developers.line.biz "Flex Message
layout"), enough to look at our cards in a browser and measure them:

- a bubble is at most its size's width (nano 120 … mega 300 … giga 500 px); its blocks have
  LINE's paddings (mega's body 19/20 px);
- a box lays its children out in a row (``horizontal``, ``baseline``) or a column
  (``vertical``); in a row a child's ``flex`` defaults to 1 and shares the width by ratio from
  nothing (``flex: N 0 0``), ``flex: 0`` keeps its own width; in a column it defaults to 0;
- ``spacing`` puts room between children, a child's ``margin`` replaces it; keywords are
  none 0, xs 2, sm 4, md 8, lg 12, xl 16, xxl 20 px; text sizes xxs 11, xs 13, sm 14, md 16,
  lg 19, xl 22, xxl 29, 3xl 35, 4xl 48, 5xl 74 px, line height 1.4;
- a ``text`` without ``wrap: true`` stays on one line and is cut with an ellipsis when it does
  not fit (LINE does the same); ``maxLines`` cuts after that many lines;
- boxes clip what overflows them.

Every text becomes an element of class ``fx-text`` carrying ``data-path`` (where it is in the
JSON). :data:`MEASURE_JS`, run in the page, reports each text's scroll and client sizes,
whether a box clips it and which of its numbers wrap in the middle; :func:`cut` keeps the ones
a reader would not see whole.
Used by tests/bot/test_flex_render.py (Chromium through Playwright).
"""
from __future__ import annotations

import html
from typing import Any

TEXT_PX = {"xxs": 11, "xs": 13, "sm": 14, "md": 16, "lg": 19, "xl": 22, "xxl": 29, "3xl": 35,
           "4xl": 48, "5xl": 74}
SPACE_PX = {"none": 0, "xs": 2, "sm": 4, "md": 8, "lg": 12, "xl": 16, "xxl": 20}
RADIUS_PX = SPACE_PX
BORDER_PX = {"none": 0, "light": 0.5, "normal": 1, "medium": 2, "semi-bold": 3, "bold": 4}
IMAGE_PX = {"xxs": 40, "xs": 60, "sm": 80, "md": 100, "lg": 120, "xl": 140, "xxl": 160,
            "3xl": 180, "4xl": 200, "5xl": 240}
BUBBLE_PX = {"nano": 120, "micro": 160, "deca": 220, "hecto": 241, "kilo": 260, "mega": 300,
             "giga": 500}
# block paddings per bubble size: (header, body, footer)
PADDING = {"giga": ("20px", "19px 20px 20px", "10px"), "mega": ("20px", "19px 20px 20px", "10px"),
           "kilo": ("13px", "13px", "10px"), "hecto": ("11px 14px 13px",) * 2 + ("10px",),
           "deca": ("11px 14px 13px",) * 2 + ("10px",), "micro": ("10px",) * 3,
           "nano": ("10px",) * 3}
FONT = '"Noto Sans Thai", "Sarabun", Thonburi, Loma, Waree, "Noto Color Emoji", sans-serif'
TEXT_COLOR, SEPARATOR_COLOR = "#111111", "#D4D6DA"

BASE_CSS = f"""
* {{ box-sizing: border-box; margin: 0; padding: 0; }}
body {{ font-family: {FONT}; background: #8CABD9; padding: 16px; line-height: 1.4;
        -webkit-font-smoothing: antialiased; }}
.fx-carousel {{ display: inline-flex; flex-direction: row; align-items: flex-start; gap: 9px; }}
.fx-bubble {{ display: flex; flex-direction: column; background: #FFFFFF; overflow: hidden;
              border-radius: 17px; flex: none; }}
.fx-block {{ display: flex; flex-direction: column; }}
.fx-box {{ display: flex; position: relative; overflow: hidden; min-width: 0; }}
.fx-text {{ display: block; min-width: 0; overflow: hidden; color: {TEXT_COLOR};
            font-size: {TEXT_PX["md"]}px; line-height: 1.4; }}
.fx-text.nowrap {{ white-space: nowrap; text-overflow: ellipsis; }}
.fx-text.wrap {{ white-space: pre-wrap; overflow-wrap: break-word; word-break: normal; }}
.fx-box, .fx-text, .fx-button, .fx-image {{ max-width: 100%; }}
.fx-sep {{ flex: none; align-self: stretch; }}
.fx-button {{ display: flex; align-items: center; justify-content: center; min-width: 0;
              overflow: hidden; border-radius: 8px; padding: 0 16px; font-size: 16px; }}
.fx-button span {{ white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }}
.fx-image {{ min-width: 0; overflow: hidden; display: flex; justify-content: center; }}
.fx-image > div {{ background: #C8CDD4; width: 100%; }}
"""

# Run in the page: every text's sizes, whether an ancestor box (up to its bubble) clips it, and
# the numbers in it that the line breaking split over two lines ("120,5" / "47").
MEASURE_JS = r"""
() => Array.from(document.querySelectorAll('.fx-text')).map(el => {
  const r = el.getBoundingClientRect();
  let clipped = false;
  for (let a = el.parentElement; a; a = a.parentElement) {
    const cs = getComputedStyle(a);
    if (cs.overflowX !== 'visible' || cs.overflowY !== 'visible') {
      const b = a.getBoundingClientRect();
      if (r.left < b.left - 0.5 || r.right > b.right + 0.5 ||
          r.top < b.top - 0.5 || r.bottom > b.bottom + 0.5) { clipped = true; break; }
    }
    if (a.classList.contains('fx-bubble')) break;
  }
  const broken = [];
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const m of node.data.matchAll(/\d[\d,.]*%?/g)) {
      const range = document.createRange();
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      const tops = new Set(Array.from(range.getClientRects())
        .filter(q => q.width > 0).map(q => Math.round(q.top)));
      if (tops.size > 1) broken.push(m[0]);
    }
  }
  return {path: el.dataset.path, text: el.textContent,
          bubble: el.closest('.fx-bubble').dataset.bubble,
          scrollWidth: el.scrollWidth, clientWidth: el.clientWidth,
          scrollHeight: el.scrollHeight, clientHeight: el.clientHeight, clipped: clipped,
          broken: broken, lineHeight: parseFloat(getComputedStyle(el).lineHeight) || 20};
})
"""


def cut(measured: list[dict]) -> list[dict]:
    """The texts (from MEASURE_JS) a reader would not see whole: cut with an ellipsis (wider
    than its box), cut after maxLines (taller by half a line or more: a glyph that overflows
    its line by a pixel or two is not a cut), clipped by a box around them, or with a number
    split over two lines."""
    return [m for m in measured
            if m["scrollWidth"] > m["clientWidth"]
            or m["scrollHeight"] - m["clientHeight"] >= m["lineHeight"] / 2
            or m["clipped"] or m["broken"]]


# --------------------------------------------------------------------------- values
def _px(value: Any, table: dict = SPACE_PX) -> str | None:
    """A keyword of ``table``, or a length as LINE writes it ('12px', '50%')."""
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return f"{value}px"
    value = str(value)
    if value in table:
        return f"{table[value]}px"
    return value


def _style(**props: Any) -> str:
    parts = [f"{k.replace('_', '-')}: {v}" for k, v in props.items() if v not in (None, "")]
    return "; ".join(parts)


def _attrs(cls: str, path: str, style: str, extra: str = "") -> str:
    return (f'class="{cls}" data-path="{html.escape(path)}"'
            + (f' style="{html.escape(style)}"' if style else "") + extra)


# --------------------------------------------------------------------------- layout
def _child(node: dict, parent: str, index: int, spacing: str | None) -> dict:
    """The CSS a child gets from its parent box: its flex and the room before it."""
    kind = node.get("type")
    row = parent in ("horizontal", "baseline")
    css: dict[str, Any] = {}
    default = 1 if row and kind not in ("separator", "spacer", "icon") else 0
    if kind == "filler":
        default = 1
    grow = node.get("flex", default)
    if kind in ("separator", "spacer") or grow == 0 and kind != "filler":
        css["flex"] = "none"
    else:
        css["flex"] = f"{grow} 0 0" if row else f"{grow} 0 auto"
    margin = node.get("margin")
    gap = _px(margin) if margin is not None else (_px(spacing) if index > 0 else None)
    if gap and kind not in ("filler",):
        css["margin_left" if row else "margin_top"] = gap
    if node.get("position") == "absolute":
        css["position"] = "absolute"
        for side in ("Top", "Bottom", "Start", "End"):
            v = node.get(f"offset{side}")
            if v is not None:
                css[{"Start": "left", "End": "right"}.get(side, side.lower())] = _px(v)
    elif any(node.get(f"offset{s}") for s in ("Top", "Bottom", "Start", "End")):
        css["position"] = "relative"
        css["top"] = _px(node.get("offsetTop"))
        css["left"] = _px(node.get("offsetStart"))
    return css


def _box(node: dict, path: str, parent: str | None, index: int, spacing: str | None) -> str:
    layout = node.get("layout", "vertical")
    css = _child(node, parent, index, spacing) if parent else {}
    css["flex_direction"] = "column" if layout == "vertical" else "row"
    if layout == "baseline":
        css["align_items"] = "baseline"
    css["background_color"] = node.get("backgroundColor")
    if node.get("borderWidth") or node.get("borderColor"):
        width = BORDER_PX.get(node.get("borderWidth", "normal"), None)
        css["border"] = (f"{width}px" if width is not None else node.get("borderWidth")) \
            + f" solid {node.get('borderColor', '#000000')}"
    css["border_radius"] = _px(node.get("cornerRadius"), RADIUS_PX)
    for prop in ("width", "maxWidth", "height", "maxHeight"):
        v = node.get(prop)
        if v is not None:
            css[{"width": "width", "maxWidth": "max_width", "height": "height",
                 "maxHeight": "max_height"}[prop]] = _px(v)
            if prop == "width" and parent in ("horizontal", "baseline"):
                css["flex"] = "none"
            if prop == "height" and parent == "vertical":
                css["flex"] = "none"
    pad = node.get("paddingAll")
    if pad is not None:
        css["padding"] = _px(pad)
    for side, name in (("Top", "top"), ("Bottom", "bottom"), ("Start", "left"), ("End", "right")):
        v = node.get(f"padding{side}")
        if v is not None:
            css[f"padding_{name}"] = _px(v)
    css["justify_content"] = {"flex-start": "flex-start", "center": "center",
                              "flex-end": "flex-end", "space-between": "space-between",
                              "space-around": "space-around",
                              "space-evenly": "space-evenly"}.get(node.get("justifyContent"))
    if node.get("alignItems"):
        css["align_items"] = node["alignItems"]
    inner_spacing = node.get("spacing")
    children = "".join(component(c, f"{path}/{k}", layout, k, inner_spacing)
                       for k, c in enumerate(node.get("contents", [])))
    return f'<div {_attrs("fx-box " + layout, path, _style(**css))}>{children}</div>'


def _text(node: dict, path: str, parent: str | None, index: int, spacing: str | None) -> str:
    css = _child(node, parent, index, spacing) if parent else {}
    size = node.get("size", "md")
    px = TEXT_PX.get(size)
    css["font_size"] = f"{px}px" if px else _px(size)
    css["color"] = node.get("color")
    if node.get("weight") == "bold":
        css["font_weight"] = "700"
    if node.get("style") == "italic":
        css["font_style"] = "italic"
    if node.get("decoration") in ("underline", "line-through"):
        css["text_decoration"] = node["decoration"]
    css["text_align"] = {"start": "left", "end": "right", "center": "center"}.get(node.get("align"))
    gravity = node.get("gravity")
    if gravity:
        css["align_self"] = {"top": "flex-start", "center": "center",
                             "bottom": "flex-end"}[gravity]
    wrap = bool(node.get("wrap"))
    if node.get("lineSpacing"):
        css["line_height"] = f"calc(1.4em + {_px(node['lineSpacing'])})"
    if wrap and node.get("maxLines"):
        css["max_height"] = f"{1.4 * int(node['maxLines'])}em"
    spans = node.get("contents") or []
    if spans:
        body = "".join(_span(s) for s in spans)
    else:
        body = html.escape(node.get("text", ""))
    cls = "fx-text " + ("wrap" if wrap else "nowrap")
    return f'<div {_attrs(cls, path, _style(**css))}>{body}</div>'


def _span(node: dict) -> str:
    css = {"color": node.get("color"),
           "font_size": f"{TEXT_PX[node['size']]}px" if node.get("size") in TEXT_PX else None,
           "font_weight": "700" if node.get("weight") == "bold" else None,
           "font_style": "italic" if node.get("style") == "italic" else None,
           "text_decoration": node.get("decoration") if node.get("decoration") != "none" else None}
    return f'<span style="{html.escape(_style(**css))}">{html.escape(node.get("text", ""))}</span>'


def _separator(node: dict, path: str, parent: str | None, index: int,
               spacing: str | None) -> str:
    css = _child(node, parent, index, spacing) if parent else {}
    line = f"1px solid {node.get('color', SEPARATOR_COLOR)}"
    if parent in ("horizontal", "baseline"):
        css["border_left"] = line
    else:
        css["border_top"] = line
    return f'<div {_attrs("fx-sep", path, _style(**css))}></div>'


def _filler(node: dict, path: str, parent: str | None, index: int, spacing: str | None) -> str:
    css = _child(node, parent, index, spacing) if parent else {}
    return f'<div {_attrs("fx-filler", path, _style(**css))}></div>'


def _spacer(node: dict, path: str, parent: str | None, index: int, spacing: str | None) -> str:
    size = _px(node.get("size", "md"))
    css = {"flex": "none", ("width" if parent in ("horizontal", "baseline") else "height"): size}
    return f'<div {_attrs("fx-spacer", path, _style(**css))}></div>'


def _button(node: dict, path: str, parent: str | None, index: int, spacing: str | None) -> str:
    css = _child(node, parent, index, spacing) if parent else {}
    style = node.get("style", "link")
    color = node.get("color")
    css["height"] = "40px" if node.get("height") == "sm" else "52px"
    if style == "primary":
        css["background_color"] = color or "#17C950"
        css["color"] = "#FFFFFF"
    elif style == "secondary":
        css["background_color"] = color or "#DCDFE5"
        css["color"] = "#111111"
    else:
        css["color"] = color or "#42659A"
    label = html.escape((node.get("action") or {}).get("label", ""))
    return (f'<div {_attrs("fx-button", path, _style(**css))}>'
            f'<span class="fx-text nowrap" data-path="{html.escape(path)}/label">{label}</span></div>')


def _image(node: dict, path: str, parent: str | None, index: int, spacing: str | None) -> str:
    css = _child(node, parent, index, spacing) if parent else {}
    size = node.get("size", "md")
    width = "100%" if size == "full" else _px(size, IMAGE_PX)
    w, h = (node.get("aspectRatio") or "1:1").split(":")
    inner = _style(width=width, max_width="100%", aspect_ratio=f"{w} / {h}",
                   background_color=node.get("backgroundColor"))
    return (f'<div {_attrs("fx-image", path, _style(**css))}>'
            f'<div style="{html.escape(inner)}"></div></div>')


def _icon(node: dict, path: str, parent: str | None, index: int, spacing: str | None) -> str:
    css = _child(node, parent, index, spacing) if parent else {}
    px = TEXT_PX.get(node.get("size", "md"), 16)
    w, h = (node.get("aspectRatio") or "1:1").split(":")
    css.update(width=f"{px * int(w) / int(h)}px", height=f"{px}px", background_color="#C8CDD4")
    return f'<div {_attrs("fx-icon", path, _style(**css))}></div>'


RENDER = {"box": _box, "text": _text, "separator": _separator, "filler": _filler,
          "spacer": _spacer, "button": _button, "image": _image, "icon": _icon}


def component(node: dict, path: str, parent: str | None = None, index: int = 0,
              spacing: str | None = None) -> str:
    kind = node.get("type")
    if kind not in RENDER:
        raise ValueError(f"{path}: a Flex component of type {kind!r} is not rendered")
    return RENDER[kind](node, path, parent, index, spacing)


def bubble(node: dict, path: str = "bubble", width: int | None = None, index: int = 0) -> str:
    """One bubble, ``width`` px wide (its size's width by default)."""
    size = node.get("size", "mega")
    w = width or BUBBLE_PX.get(size, 300)
    pads = dict(zip(("header", "body", "footer"), PADDING.get(size, PADDING["mega"])))
    styles = node.get("styles") or {}
    blocks = []
    for name in ("header", "hero", "body", "footer"):
        block = node.get(name)
        if not block:
            continue
        style = styles.get(name) or {}
        css = {"background_color": style.get("backgroundColor")}
        if style.get("separator") and blocks:
            css["border_top"] = f"1px solid {style.get('separatorColor', SEPARATOR_COLOR)}"
        if block.get("type") == "box":
            pad = pads.get(name, "0") if block.get("paddingAll") is None else None
            inner = _box(block, f"{path}/{name}", None, 0, None)
            css["padding"] = pad
        else:
            inner = component(block, f"{path}/{name}", "vertical")
        blocks.append(f'<div {_attrs("fx-block " + name, f"{path}/{name}", _style(**css))}>'
                      f'{inner}</div>')
    return (f'<div class="fx-bubble" data-bubble="{index}" '
            f'style="width: {w}px; max-width: {w}px">{"".join(blocks)}</div>')


def render(contents: dict, width: int | None = 300) -> str:
    """A bubble or a carousel (its bubbles side by side) as HTML, each bubble ``width`` px."""
    if contents.get("type") == "carousel":
        inner = "".join(bubble(b, f"carousel/{k}", width, k)
                        for k, b in enumerate(contents["contents"]))
        return f'<div class="fx-carousel">{inner}</div>'
    return f'<div class="fx-carousel">{bubble(contents, "bubble", width)}</div>'


def page(contents: dict, width: int | None = 300, title: str = "Flex") -> str:
    """A whole HTML document showing ``contents`` (a Flex container), ready for a browser."""
    return ("<!doctype html><html lang=\"th\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(title)}</title><style>{BASE_CSS}</style></head>"
            f"<body>{render(contents, width)}</body></html>")
