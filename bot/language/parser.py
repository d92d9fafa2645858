"""First grammar: verb-first commands with the plan's aliases, through PyThaiNLP newmm.

The domain trie is the plan's surface forms (districts, indicators, categories, units) plus the
command words below, added to PyThaiNLP's Thai word list once, at construction.
"""
from __future__ import annotations

import re
import unicodedata

from pythainlp.corpus import thai_words
from pythainlp.tokenize import Trie, word_tokenize
from pythainlp.util import normalize as thai_normalize

from bot.language.command import PROVINCE, Command, Intent, Topic
from bot.plan import Plan

# Command words, longest first where one contains another.
VERBS: dict[str, Intent] = {
    "บันทึก": Intent.LOG,
    "ยอดรวมจังหวัด": Intent.QUERY,
    "ยอดรวม": Intent.QUERY,
    "ยอด": Intent.QUERY,
    "ยกเลิกรายการล่าสุด": Intent.UNDO,
    "ยกเลิก": Intent.UNDO,
    "แก้ไข": Intent.EDIT,
    "ยืนยัน": Intent.CONFIRM,
    "ผูกกลุ่ม": Intent.BIND,
    "วิธีใช้": Intent.HELP,
    "help": Intent.HELP,
    "ช่วยเหลือ": Intent.HELP,
    "ปิดแจ้งเตือน": Intent.MUTE,
    "เปิดแจ้งเตือน": Intent.UNMUTE,
}
PROVINCE_WORDS = ("ยอดรวมจังหวัด", "จังหวัด", "ทั้งจังหวัด", "ราชบุรี")
DISTRICT_PREFIXES = ("อำเภอ", "อ.")
FILLER = {"ครับ", "ค่ะ", "คะ", "นะ", "นะคะ", "นะครับ", "จ้า", "จ้ะ", "ค่า", "คับ", "ครับผม",
          "วันนี้", "แล้ว", "มิติ", "ด้าน", "ประเภท", "หมู่บ้าน", "รายการล่าสุด", "ล่าสุด",
          "รวม", "ของ", "ที่", "ได้", "เท่าไหร่", "เท่าไร", "เพิ่ม"}
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)
_NUMBER = re.compile(r"^\d{1,3}(,\d{3})+$|^\d+$")


def normalise(text: str) -> str:
    """Invisible characters out, NBSP and friends to spaces, Thai/full-width digits to ASCII."""
    text = text.translate(_INVISIBLE)
    text = "".join(" " if unicodedata.category(ch) == "Zs" else ch for ch in text)
    # NFKC maps full-width and Thai digits' compatibility forms; it decomposes sara am, so
    # PyThaiNLP's normalize runs after to recompose it.
    text = unicodedata.normalize("NFKC", text)
    text = "".join(str(unicodedata.digit(ch)) if ch.isdigit() and not ch.isascii() else ch
                   for ch in text)
    return thai_normalize(text).strip()


class Parser:
    def __init__(self, plan: Plan):
        self.plan = plan
        self.surface: dict[str, tuple[str, str]] = {}  # lowercase form → (slot, key)
        for d in plan.districts:
            for a in d.aliases:
                self._add(a, "district", d.key)
                for p in DISTRICT_PREFIXES:
                    self._add(p + a, "district", d.key)
        for ind in plan.indicators:
            for a in ind.aliases:
                self._add(a, "indicator", ind.key)
            for c in ind.categories:
                for a in c.aliases:
                    self._add(a, "category", f"{ind.key}:{c.key}")
        for u in plan.units.values():
            for a in u.aliases:
                self._add(a, "unit", u.key)
        for word, intent in VERBS.items():
            self._add(word, "verb", intent.value)
        words = set(thai_words()) | set(self.surface) | set(FILLER) | set(PROVINCE_WORDS)
        self.trie = Trie(words)
        word_tokenize("บันทึก จปฐ 1 ครัวเรือน", custom_dict=self.trie, engine="newmm")  # warm

    def _add(self, form: str, slot: str, key: str) -> None:
        self.surface.setdefault(form.lower(), (slot, key))

    def tokens(self, text: str) -> list[str]:
        toks = word_tokenize(normalise(text).lower(), custom_dict=self.trie, engine="newmm",
                             keep_whitespace=False)
        return [t.strip() for t in toks if t.strip()]

    def parse(self, text: str) -> Command:
        try:
            return self._parse(text)
        except Exception:  # the parser never raises to its caller
            return Command()

    def _parse(self, text: str) -> Command:
        if not isinstance(text, str) or not text.strip() or len(text) > 1000:
            return Command()
        toks = self.tokens(text)
        if not toks:
            return Command()
        first = self.surface.get(toks[0])
        if not first or first[0] != "verb":
            return Command()
        intent = Intent(first[1])
        slots: dict[str, str] = {}
        amounts: list[int] = []
        unknown: list[str] = []
        province = toks[0] == "ยอดรวมจังหวัด"
        rest = toks[1:]
        i = 0
        while i < len(rest):
            tok = rest[i]
            hit = self.surface.get(tok)
            if hit and hit[0] != "verb":
                slot, key = hit
                if slot == "category":
                    ind_key, cat_key = key.split(":", 1)
                    slots.setdefault("category_indicator", ind_key)
                    slots.setdefault("category", cat_key)
                else:
                    slots.setdefault(slot, key)
            elif tok in PROVINCE_WORDS:
                province = True
            elif _NUMBER.match(tok):
                amounts.append(int(tok.replace(",", "")))
            elif tok in FILLER or tok in DISTRICT_PREFIXES or tok in (".", "ฯ"):
                pass
            else:
                unknown.append(tok)
            i += 1
        indicator = slots.get("indicator") or slots.get("category_indicator")
        if indicator is None and slots.get("unit"):
            owners = [ind.key for ind in self.plan.indicators if ind.unit == slots["unit"]]
            if len(owners) == 1:
                indicator = owners[0]
        category = slots.get("category") if slots.get("category_indicator") == indicator else None
        district = PROVINCE if province else slots.get("district")
        base = dict(intent=intent, indicator=indicator, unit=slots.get("unit"),
                    category=category, district=district, explicit=True,
                    unknown=tuple(unknown))
        if intent is Intent.LOG:
            if not indicator and not amounts:
                return Command()  # "บันทึกไว้แล้วนะ": talk, not a command
            missing = tuple(n for n, v in (("indicator", indicator), ("amount", amounts)) if not v)
            problem = None
            if len(amounts) > 1:
                problem = "two-amounts"
            ind = self.plan.indicator(indicator)
            if ind and slots.get("unit") and slots["unit"] != ind.unit:
                problem = "unit-mismatch"
            amount = amounts[0] if len(amounts) == 1 else None
            if unknown and not missing and not problem:
                return Command(**base, amount=amount, needs_confirmation=True)
            return Command(**base, amount=amount, missing=missing, problem=problem,
                           candidates=tuple(amounts) if problem == "two-amounts" else ())
        if intent is Intent.QUERY:
            if unknown:
                return Command()  # "ยอดเยี่ยมมากครับ"
            return Command(**base, topic=Topic.TOTAL)
        if intent is Intent.EDIT:
            if len(amounts) != 1:
                return Command(**base, missing=("amount",))
            return Command(**base, amount=amounts[0])
        if intent is Intent.BIND:
            if not district:
                return Command(**base, missing=("district",))
            return Command(**base)
        if unknown:
            return Command()
        return Command(**base)
