"""Numbers as officers type them: digits (after normalisation) and Thai number words.

``thai_words_to_int("ร้อยยี่สิบ") == 120``; junk (``สองสาม``, ``ยี่``) gives ``None``.  We parse
number words ourselves rather than through ``thaiword_to_num`` so that junk is rejected by rule
(no exception handling on the hot path) and so the accepted forms are exactly these.
"""
from __future__ import annotations

import re

DIGITS = {"ศูนย์": 0, "หนึ่ง": 1, "เอ็ด": 1, "สอง": 2, "ยี่": 2, "สาม": 3, "สี่": 4, "ห้า": 5,
          "หก": 6, "เจ็ด": 7, "แปด": 8, "เก้า": 9}
MULTIPLIERS = {"สิบ": 10, "ร้อย": 100, "พัน": 1000, "หมื่น": 10_000, "แสน": 100_000}
MILLION = "ล้าน"

_MORPHEME = re.compile("ศูนย์|หนึ่ง|เอ็ด|สอง|ยี่|สาม|สี่|ห้า|หก|เจ็ด|แปด|เก้า|สิบ|ร้อย|พัน|หมื่น|แสน|ล้าน")
NUMBER_WORDS = re.compile("(?:ศูนย์|หนึ่ง|เอ็ด|สอง|ยี่|สาม|สี่|ห้า|หก|เจ็ด|แปด|เก้า|สิบ|ร้อย|พัน|หมื่น|แสน|ล้าน)+")
INTEGER = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+")
OTHER_NUMBER = re.compile(r"[0-9.,:/\-]*[0-9][0-9.,:/\-]*")   # 9.30, 14:30, /3/65, 1-5, .2
DECIMAL = re.compile(r"[0-9]+\.[0-9]+")


def _below_million(parts: list[str]) -> int | None:
    total = 0
    digit: int | None = None
    digit_word = ""
    last_mult = 10**7
    for p in parts:
        if p in DIGITS:
            if digit is not None:
                return None                      # สองสาม: two digits in a row
            if p == "เอ็ด" and total == 0:
                return None                      # เอ็ด only after a multiplier: ร้อยเอ็ด
            digit, digit_word = DIGITS[p], p
            continue
        mult = MULTIPLIERS[p]
        if mult >= last_mult:
            return None                          # ร้อยพัน: multipliers must fall
        if (digit_word == "ยี่" and mult != 10) or digit_word == "เอ็ด":
            return None
        if digit is None and total and mult != 10:
            return None                          # พันร้อย: only สิบ may stand bare mid-number
        if mult == 10 and digit == 1 and digit_word == "หนึ่ง":
            return None                          # หนึ่งสิบ is not Thai
        total += (1 if digit is None else digit) * mult
        digit, digit_word, last_mult = None, "", mult
    if digit_word == "ยี่":
        return None
    if digit is not None:
        total += digit
    return total


def thai_words_to_int(text: str) -> int | None:
    """A run of Thai number words → int, or None when it is not a well-formed number."""
    if not NUMBER_WORDS.fullmatch(text):
        return None
    parts = _MORPHEME.findall(text)
    if MILLION in parts:
        i = parts.index(MILLION)
        if MILLION in parts[i + 1:] or i == 0:
            return None
        hi, lo = _below_million(parts[:i]), _below_million(parts[i + 1:]) if parts[i + 1:] else 0
        if hi is None or lo is None:
            return None
        return hi * 1_000_000 + lo
    return _below_million(parts)
