"""Text normalisation for the command language: one pass, cheap, no PyThaiNLP round-trips.

What it does, in order:
- invisible characters out (ZWSP, ZWNJ, ZWJ, word joiner, BOM, soft hyphen, bidi marks, VS);
- every space-like and control character (NBSP, ideographic space, tabs, line breaks…) → " ";
- Thai digits ๐–๙ and full-width ASCII (１２０, ＴＰＭＡＰ) → ASCII; Latin → lower case;
- mai yamok ๆ → " " (the word before it is already there; repeating it changes nothing);
- lone surrogates (a broken emoji), private-use code points and U+FFFD → " "; combining marks
  outside Thai (accents, the keycap U+20E3 of 1️⃣) out, so 1️⃣2️⃣ is 12;
- sara am typed as nikhahit + sara aa (ํา, also with a tone mark between) → ำ;
- "เเ" (two sara e, a common way of typing แ) → แ;
- runs of a repeated letter (ยอดดดด, ครับบบบ, helppp) → one; doubled vowels/tone marks → one.
  Digits are never collapsed: 555 is a number (and Thai laughter), not 5.

We do not use NFKC: it decomposes ำ and costs a second pass; the table covers the forms that occur.
"""
from __future__ import annotations

import re

_TABLE: dict[int, int | str | None] = {}
for _c in list(range(0x00, 0x20)) + list(range(0x7F, 0xA0)):
    _TABLE[_c] = " "
for _c in (0xA0, 0x1680, 0x202F, 0x205F, 0x3000, 0x2028, 0x2029, 0x85):
    _TABLE[_c] = " "
for _c in range(0x2000, 0x200B):
    _TABLE[_c] = " "
for _c in ([0xAD, 0x34F, 0x61C, 0x115F, 0x1160, 0x17B4, 0x17B5, 0xFEFF, 0x180E]
           + list(range(0x180B, 0x180F)) + list(range(0x200B, 0x2010))
           + list(range(0x202A, 0x202F)) + list(range(0x2060, 0x2070))
           + list(range(0xFE00, 0xFE10))):
    _TABLE[_c] = None
for _i in range(10):
    _TABLE[0x0E50 + _i] = str(_i)          # ๐..๙
for _c in range(0xFF01, 0xFF5F):
    _TABLE[_c] = chr(_c - 0xFEE0)          # full-width ASCII
_TABLE[0x0E46] = " "                       # ๆ
_TABLE[0x2212] = "-"                       # minus sign
_TABLE[0x2013] = "-"
_TABLE[0x2014] = "-"
for _c in list(range(0xD800, 0xE000)) + list(range(0xE000, 0xF900)) + [0xFFFD, 0xFFFC]:
    _TABLE[_c] = " "                       # lone surrogates, private use, replacement character
for _c in (list(range(0x300, 0x370)) + list(range(0x1AB0, 0x1B00)) + list(range(0x1DC0, 0x1E00))
           + list(range(0x20D0, 0x2100)) + list(range(0xFE20, 0xFE30))):
    _TABLE[_c] = None                      # combining marks on Latin/digits, keycap 1️⃣ (U+20E3)
_TRANS = str.maketrans(_TABLE)

_SARA_AM = re.compile("\u0e4d([\u0e48-\u0e4b]?)\u0e32")
_REPEAT_LETTER = re.compile(r"([\u0e01-\u0e2e\u0e30\u0e32\u0e40-\u0e44a-z])\1{2,}")
_REPEAT_MARK = re.compile("([\u0e31\u0e33-\u0e3a\u0e47-\u0e4e])\\1+")


def normalise(text: str) -> str:
    """Normalised, lower-cased, stripped text (see the module docstring)."""
    text = text.translate(_TRANS).lower()
    if "\u0e4d" in text:
        text = _SARA_AM.sub("\\1\u0e33", text)
    if "เเ" in text:
        text = text.replace("เเ", "แ")
    text = _REPEAT_LETTER.sub(r"\1", text)
    text = _REPEAT_MARK.sub(r"\1", text)
    return text.strip()
