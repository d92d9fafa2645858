"""The default rich menu for 1:1 chats: ยอดอำเภอ / ยอดจังหวัด / กำหนดส่ง / วิธีใช้.

The image is drawn here with Pillow and a Thai font from the system (Debian's fonts-thai-tlwg,
installed by ``.ci/install-browser`` / ``make richmenu``), then created and set as the default
through the Messaging API (bot/line)."""
from __future__ import annotations

import io
from pathlib import Path

WIDTH, HEIGHT = 2500, 843          # LINE's compact rich menu size
BUTTONS = [("ยอดอำเภอ", "ยอด", "#1DB446"), ("ยอดจังหวัด", "ยอดรวมจังหวัด", "#0E7C3A"),
           ("กำหนดส่ง", "กำหนดส่ง", "#F5A623"), ("วิธีใช้", "วิธีใช้", "#4A90E2")]
FONT_CANDIDATES = [
    "/usr/share/fonts/truetype/tlwg/Loma-Bold.ttf", "/usr/share/fonts/truetype/tlwg/Loma.ttf",
    "/usr/share/fonts/opentype/tlwg/Loma-Bold.otf", "/usr/share/fonts/opentype/tlwg/Loma.otf",
    "/usr/share/fonts/truetype/tlwg/Garuda-Bold.ttf", "/usr/share/fonts/opentype/tlwg/Garuda-Bold.otf",
    "/usr/share/fonts/truetype/noto/NotoSansThai-Bold.ttf",
    "/usr/share/fonts/truetype/noto/NotoSansThai-Regular.ttf",
]


class NoThaiFont(RuntimeError):
    pass


def thai_font_path() -> Path:
    for p in FONT_CANDIDATES:
        if Path(p).exists():
            return Path(p)
    found = sorted(Path("/usr/share/fonts").glob("**/*[Tt]lwg*/*.[ot]tf")) if Path(
        "/usr/share/fonts").exists() else []
    if found:
        return found[0]
    raise NoThaiFont("ไม่พบฟอนต์ภาษาไทยในระบบ: ติดตั้งด้วย `apt-get install fonts-thai-tlwg` "
                     "(หรือ `make richmenu` ซึ่งติดตั้งให้)")


def render_png() -> bytes:
    from PIL import Image, ImageDraw, ImageFont

    path = str(thai_font_path())
    img = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(img)
    w = WIDTH // len(BUTTONS)
    size = 120  # one size for all buttons: the largest at which every label fits its button
    while size > 40:
        font = ImageFont.truetype(path, size)
        widest = max(draw.textbbox((0, 0), b[0], font=font)[2] for b in BUTTONS)
        if widest <= w - 160:
            break
        size -= 4
    for i, (label, _, color) in enumerate(BUTTONS):
        x0 = i * w
        draw.rounded_rectangle([x0 + 20, 20, x0 + w - 20, HEIGHT - 20], radius=60, fill=color)
        box = draw.textbbox((0, 0), label, font=font)
        tw, th = box[2] - box[0], box[3] - box[1]
        draw.text((x0 + (w - tw) / 2 - box[0], (HEIGHT - th) / 2 - box[1]), label,
                  font=font, fill="white")
    out = io.BytesIO()
    img.save(out, "PNG", optimize=True)
    return out.getvalue()


def menu_request() -> dict:
    w = WIDTH // len(BUTTONS)
    return {
        "size": {"width": WIDTH, "height": HEIGHT}, "selected": True,
        "name": "nongpat-default", "chatBarText": "เมนูน้องพัฒน์",
        "areas": [{"bounds": {"x": i * w, "y": 0, "width": w, "height": HEIGHT},
                   "action": {"type": "message", "label": label, "text": text}}
                  for i, (label, text, _) in enumerate(BUTTONS)],
    }
