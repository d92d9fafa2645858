"""The Thai command language: normalise → tokenise (newmm + domain trie) → lexicon → Command.

Pure: knows nothing of Flask, LINE or the database.  Build one :class:`Parser` per plan at
start-up, then call ``parse`` per message.  The first parser of a process builds what every plan
shares (the trie of ``thai_words()``, the language-level words and the department's indicators:
dictionary.py, lexicon.Common); each further parser holds only its plan's districts and
province name (a few ms, about 0.1 MB), so one worker can hold every province's plans.

Pipeline of ``parse``:
1. ``normalise`` (normalize.py): invisible characters, spaces, Thai/full-width digits, sara am,
   repeated letters, case.
2. newmm with ``thai_words()`` + every surface form of the lexicon (one trie shared by every
   plan, with the language-level words; the plan's own words on top: dictionary.py).
3. Join consecutive tokens into the longest lexicon entry (``กชช. 2ค``, ``ใคร ยัง ไม่ ส่ง``).
4. Numbers: digits and Thai number words; a number next to a word such as หมู่/ม./วันที่ or
   บาท/โมง/%/รูป is "another number", never the amount.
   Glued shapes are read here too: 081-234-5678 and 0812345678 (phones), 20-30 (a range: asked
   about, never one end), 2,000.- and ฿300 (money), 555/5555+ (laughter unless a unit follows).
5. Unknown spans: closed typo variants of the short names and of the category words (จปธ, จป,
   TPMPA, รายไต้; built from the plan at start-up, accepted only after a command word or next to
   a number with a unit), then fuzzy repair against the closed list (fuzzy.py), only when the
   message already looks like a command (or its first span might be a misspelt command word).
6. Grammar: the first meaningful word decides the command (request words and an owned-up slip
   may come first: ขอยกเลิก, พิมพ์ผิด ยกเลิก); the rest may come in any order.  A log with รวม,
   ยอดสะสม, ครบแล้ว … (or ยอด + indicator + number) is the officer's running total.  A typed
   command word followed by an attempt the parser cannot read gives ``problem="unclear"``.

Rules of confidence (see command.py): an exact parse is recorded at once; fuzzy fixes and spans
left unknown inside a complete log ask for confirmation; ordinary talk is ``Command()``.
"""
from __future__ import annotations

import re
from dataclasses import replace

from pythainlp.corpus import thai_words
from pythainlp.tokenize import word_tokenize

from bot.language.command import DEPARTMENT, PROVINCE, Command, Intent, Topic
from bot.language.dictionary import Dictionary, base_dictionary
from bot.language.fuzzy import Fuzzy
from bot.language.lexicon import (AFTER_OTHER, BEFORE_OTHER, FILLER_SET, LEAD_FILLER, YEAR_LEAD,
                                  Entry, Lexicon)
from bot.language.normalize import normalise
from bot.language.numbers import (DECIMAL, INTEGER, NUMBER_WORDS, OTHER_NUMBER,
                                  thai_words_to_int)
from bot.core.plan import Plan

MAX_INPUT = 2000        # characters looked at before normalising (anything longer is not a command)
MAX_COMMAND = 200       # characters after normalising
MAX_AMOUNT = 10_000_000  # more than any province has households: a typo, not an amount

_INTENTS = {
    "log": Intent.LOG, "logweak": Intent.LOG, "got": Intent.LOG, "query": Intent.QUERY,
    "deadline": Intent.QUERY, "undo": Intent.UNDO, "edit": Intent.EDIT,
    "confirm": Intent.CONFIRM, "bind": Intent.BIND, "help": Intent.HELP, "mute": Intent.MUTE,
    "unmute": Intent.UNMUTE, "register": Intent.REGISTER, "mine": Intent.MINE,
    "history": Intent.HISTORY, "ranking": Intent.RANKING, "missing": Intent.MISSING,
    "appoint": Intent.APPOINT, "revoke": Intent.REVOKE, "who": Intent.WHO,
}
_PEOPLE = frozenset({Intent.APPOINT, Intent.REVOKE, Intent.WHO})
_TAKES_ROLE = frozenset({"appoint", "revoke"})   # the verbs a role word goes with
# words before a name (the @mention itself is cut from the text): not talk in a grant
HONORIFICS = frozenset({"คุณ", "ท่าน", "นาย", "นาง", "นางสาว", "น.ส.", "ดร.", "ผอ."})
MAX_LEFT = 3     # a grant or revoke with more words left unread than this is talk
# problems that make the handler echo the reading back before anything is recorded
_ASK = frozenset({"two-amounts", "unit-mismatch", "category-mismatch", "two-indicators",
                  "no-verb", "not-whole", "negative", "too-large"})
_LETTER = re.compile(r"[a-z\u0e01-\u0e4e]")
_SINGLE_THAI = re.compile(r"[\u0e01-\u0e4e]")
_NEGATIVE = re.compile(r"(?:^|[\s(:=])-[0-9]")
_FUZZY_SLOTS_FIRST = frozenset({"cmd", "indicator", "category"})
_NO_REMAIN = frozenset({"อีก", "เพิ่มอีก"})
_GLUE = frozenset({"letter", "punct", "filler", "before", "after", "q", "unk"})
# commands a typed message is answered for, even when the rest cannot be read
_STRONG = frozenset({"log", "query", "deadline", "undo", "edit", "ranking", "history", "missing",
                     "mine", "bind"})
_STRONG_LOG = frozenset({"log", "edit"})      # …and for which a number is an attempt too
# question-only topics: "วันไหน", "เมื่อไหร่" alone are group talk, "เหลือกี่วัน" is for the bot
_WEAK_TOPIC = frozenset({"กี่วัน", "วันไหน", "เมื่อไหร่", "เมื่อไร", "วันที่เท่าไหร่", "ส่งวันไหน",
                         "ส่งเมื่อไหร่", "ถึงวันไหน"})
_HOW_MUCH = frozenset({"เท่าไหร่", "เท่าไร", "เท่าไร่", "เท่าใหร่", "เท่าไหร", "เท่าไหล่", "กี่",
                       "แค่ไหน", "ถึงไหน", "ถึงไหนแล้ว", "เท่าใด"})
_POLITE = LEAD_FILLER | frozenset({
    "ค่า", "คับ", "ฮะ", "ฮับ", "งับ", "จ้า", "จ้ะ", "จ๊ะ", "จ่ะ", "จ๊า", "น้า", "ค้าบ", "คร้าบ", "ค่ะพี่",
    "ครับพี่", "ด้วย", "หน่อย", "เลย", "รายการ", "รายการล่าสุด", "ล่าสุด", "อันล่าสุด", "อันนี้", "ที",
    "จ้าา", "คะ?", "ครับ?", "ค่ะ!", "ครับ!", "ครัช", "เด้อ", "เน้อ", "นะจ๊ะ", "ค่ะ/ครับ"})
_DONE = frozenset({"แล้ว", "เรียบร้อย", "เสร็จ", "สำเร็จ"})   # told as done, not asked for
_BEFORE = frozenset(f.lower() for f in BEFORE_OTHER)
_AFTER = frozenset(f.lower() for f in AFTER_OTHER) - {"ที่"}
_MONTHS = frozenset(f for f in AFTER_OTHER if "." in f or f.endswith(("คม", "ยน", "พันธ์")))
_SEPS = frozenset({"-", "/", ":", "."})
_RANGE = re.compile(r"([1-9][0-9]*)-([1-9][0-9]*)")
_LAUGH = re.compile(r"5{3,}")
_PHONE = re.compile(r"(?<![0-9])0[0-9]{1,2}[ -][0-9]{3}[ -][0-9]{3,4}(?![0-9])")
LONG_POST = 80          # characters: a post this long without a command word is not a log
# a fiscal year named in a message applies to these; on any other command it is not understood
_DATED = frozenset({Intent.QUERY, Intent.RANKING, Intent.MINE, Intent.HISTORY, Intent.MISSING,
                    Intent.LOG, Intent.EDIT, Intent.UNDO})  # the handlers refuse a change of
                                                           # another year, with the reason
_BE_YEAR = re.compile(r"25[0-9]{2}")        # ปี 2565; ยอด 2565
_SHORT_YEAR = re.compile(r"[1-9][0-9]")     # ปี 65 → 2565
_MONTH_WORDS = frozenset(f for f in AFTER_OTHER if f.endswith(("คม", "ยน", "พันธ์")) or f.replace(
    ".", "") in ("มค", "กพ", "มีค", "เมย", "พค", "มิย", "กค", "สค", "กย", "ตค", "พย", "ธค"))

# item kinds (the first element of an item tuple)
UNK, NUM, ONUM, NUMW, PUNCT, LETTER = "unk", "num", "onum", "numw", "punct", "letter"
RANGE, LAUGH, VARIANT, YEAR = "range", "laugh", "variant", "year"

# ผูกกลุ่ม …: the department rather than a province or district (spaces and polite words aside)
DEPARTMENT_WORDS = frozenset({"กรม", "ระดับกรม", "กรมการพัฒนาชุมชน", "กรมพัฒนาชุมชน",
                              "ระดับกรมการพัฒนาชุมชน", "ส่วนกลาง", "ระดับส่วนกลาง", "พช.", "พช",
                              "กรมพช.", "กรมพช", "department"})
_PLACE_LEAD = ("กับ", "ให้", "เป็น", "ที่")
_PLACE_POLITE = sorted(_POLITE, key=len, reverse=True)
_PLACE_MARKS = ("อำเภอ", "อ.", "จังหวัด", "จ.", "เขต", "กิ่งอำเภอ")
# ordinary words that go on from ผูกกลุ่ม in talk (ผูกกลุ่มกันไว้นะ): not the start of a place
_NOT_A_PLACE = frozenset({"กัน", "ไว้", "ให้", "ไม่", "แล้ว", "ยัง", "เสร็จ", "ได้", "เอง", "ก่อน",
                          "ด้วย", "เลย", "ใหม่", "อีก", "ไป", "มา", "ใน", "ของ", "เพื่อ", "แบบ",
                          "ยังไม่", "เหมือน", "ตาม", "เข้า"})
_TALK_KINDS = frozenset({NUM, ONUM, RANGE, LAUGH, YEAR, "q", "talk", "oops", "topic", "cmd"})
_PROVINCES: frozenset[str] | None = None


def _provinces() -> frozenset[str]:
    global _PROVINCES
    if _PROVINCES is None:
        try:
            from pythainlp.corpus import provinces
            _PROVINCES = frozenset(p for p in provinces() if len(p) > 2)
        except Exception:  # pragma: no cover - the corpus ships with PyThaiNLP
            _PROVINCES = frozenset()
    return _PROVINCES


def _place_like(place: str | None, after: list[list]) -> bool:
    """Do words this plan does not know, after ผูกกลุ่ม, look like a place (another province's
    district or province) rather than talk (ผูกกลุ่มกันไว้นะคะ เดี๋ยวหลง 555)?"""
    if place is None or len(place) > 60 or not after:
        return False
    if any(it[0] in _TALK_KINDS for it in after):
        return False                          # laughter, questions, numbers, other commands
    if _department(place) or after[0][0] in ("district", "province") or place.startswith(
            _PLACE_MARKS):
        return True
    bare = place.replace(" ", "")
    if any(p in bare for p in _provinces()):
        return True                           # …กาญจนบุรี
    # a name alone (ผูกกลุ่ม ท่าม่วง): typed apart from the verb, and not how talk goes on
    return (after[0][4] and after[0][2] not in _NOT_A_PLACE
            and sum(1 for it in after if it[0] != "filler") <= 4)


def _department(place: str) -> bool:
    words = place.replace(" ", "")
    for w in _PLACE_LEAD:
        if words.startswith(w) and len(words) > len(w):
            words = words[len(w):]            # ผูกกลุ่ม กับ กรม
            break
    trimmed = True
    while trimmed:
        trimmed = False
        for w in _PLACE_POLITE:
            if words.endswith(w) and len(words) > len(w):
                words, trimmed = words[:-len(w)], True   # ผูกกลุ่ม กรม ครับ
                break
    return words in DEPARTMENT_WORDS


class Parser:
    def __init__(self, plan: Plan):
        self.plan = plan
        self.lexicon = lexicon = Lexicon(plan)
        shared = lexicon.common               # one per process for the department's indicators
        # the 62,000 words are one trie per process; this plan's trie holds only its own words
        self.trie = Dictionary(lexicon.words_for_trie(), base=base_dictionary())
        self.fuzzy = Fuzzy(lexicon.fuzzy_targets, thai_words(), shared=(shared.fuzzy,),
                           entries=lexicon.entries)
        self._entries = lexicon.entries
        self._prefixes = shared.prefixes       # every prefix of an entry or a variant…
        self._own_prefixes = lexicon.prefixes  # …and of this plan's own names
        self._unit_owner: dict[str, str | None] = {}
        for u in plan.units:
            owners = [i.key for i in plan.indicators if i.unit == u]
            self._unit_owner[u] = owners[0] if len(owners) == 1 else None
        self._indicator_unit = {i.key: i.unit for i in plan.indicators}
        self._variants = shared.variants
        self._lead_unit = shared.lead_unit
        if any(shared.entries[f] is not self._entries[f] for f in shared.lead_unit):
            self._lead_unit = {f: u for f, u in shared.lead_unit.items()
                               if shared.entries[f] is self._entries[f]}
        word_tokenize("บันทึก จปฐ 1 ครัวเรือน", custom_dict=self.trie, engine="newmm")  # warm

    # ------------------------------------------------------------------ tokens
    def tokens(self, text: str) -> list[str]:
        """Normalised newmm tokens (no whitespace), for debugging and the benchmark."""
        return [t for t in word_tokenize(normalise(text), custom_dict=self.trie, engine="newmm",
                                         keep_whitespace=False) if not t.isspace()]

    def _items(self, norm: str) -> list[list]:
        """Lexicon items: ``[kind_or_slot, key, text, entry_or_None, space_before]``."""
        raw = word_tokenize(norm, custom_dict=self.trie, engine="newmm", keep_whitespace=True)
        toks: list[str] = []
        spaced: list[bool] = []
        space = False
        for t in raw:
            if t.isspace():
                space = True
                continue
            t = t.strip()
            if not t:
                space = True
                continue
            toks.append(t)
            spaced.append(space)
            space = False
        entries, prefixes, variants = self._entries, self._prefixes, self._variants
        own_prefixes = self._own_prefixes
        items: list[list] = []
        n = len(toks)
        i = 0
        while i < n:
            s = ""
            best_j = 0
            best = None
            j = i
            while j < n and j - i < 8:
                s += toks[j]
                if s not in prefixes and s not in own_prefixes:
                    break
                j += 1
                e = entries.get(s)
                if e is not None:
                    best_j, best = j, (s, e)
                elif s in variants:
                    best_j, best = j, (s, None)
            if best is not None:
                if best[1] is None:
                    items.append([VARIANT, "", best[0], variants[best[0]], spaced[i]])
                else:
                    items.append([best[1].slot, best[1].key, best[0], best[1], spaced[i]])
                i = best_j
                continue
            t = toks[i]
            kind = self._classify(t)
            if kind[0] == LETTER and spaced[i] and (i + 1 == n or spaced[i + 1]):
                kind = (UNK, t)               # a letter on its own: typed, so not to be dropped
            items.append([*kind, t, None, spaced[i]])
            i += 1
        return items

    def _numbers(self, items: list[list]) -> list[list]:
        """Glued number shapes: 081-234-5678, 20-30 (a range), 2,000.-, 0812345678, 5555."""
        out: list[list] = []
        n = len(items)
        i = 0
        while i < n:
            it = items[i]
            if it[0] not in (NUM, ONUM):
                out.append(it)
                i += 1
                continue
            text, j = it[2], i
            while (j + 2 < n and items[j + 1][0] == PUNCT and items[j + 1][2] in _SEPS
                   and not items[j + 1][4] and items[j + 2][0] in (NUM, ONUM)
                   and not items[j + 2][4]):
                text += items[j + 1][2] + items[j + 2][2]
                j += 2
            if j > i:
                m = _RANGE.fullmatch(text)
                if m and int(m.group(1)) < int(m.group(2)):
                    out.append([RANGE, (int(m.group(1)), int(m.group(2))), text, None, it[4]])
                else:
                    out.append([ONUM, text, text, None, it[4]])
                i = j + 1
                continue
            nxt = items[i + 1] if i + 1 < n else None
            if it[0] == NUM:
                if text[0] == "0" and len(text) >= 6:
                    it = [ONUM, text, text, None, it[4]]          # a phone number
                elif (nxt is not None and nxt[0] == PUNCT and not nxt[4]
                      and nxt[2] in (".-", "-", ".--", "-.", "=")):
                    it = [ONUM, text, text, None, it[4]]          # 2,000.- (baht)
                elif _LAUGH.fullmatch(text):
                    prv = items[i - 1] if i else None
                    glued = (prv is not None and not it[4] and prv[0] != PUNCT) or (
                        nxt is not None and not nxt[4] and nxt[0] != "unit")
                    it = [LAUGH, (it[1], glued), text, None, it[4]]
            out.append(it)
            i += 1
        return out

    @staticmethod
    def _classify(t: str) -> tuple[str, object]:
        if INTEGER.fullmatch(t):
            return NUM, int(t.replace(",", ""))
        if OTHER_NUMBER.fullmatch(t):
            return ONUM, t
        if NUMBER_WORDS.fullmatch(t):
            return NUMW, thai_words_to_int(t)   # ยี่ alone is None; ยี่|สิบเอ็ด joins below
        if not _LETTER.search(t):
            return PUNCT, t
        if len(t) == 1 and _SINGLE_THAI.match(t):
            return LETTER, t           # a stray letter (ครับบ → ครับ + บ), or part of a typo
        return UNK, t

    # ------------------------------------------------------------------ parse
    def parse(self, text: str) -> Command:
        try:
            return self._parse(text)
        except Exception:  # the parser never raises to its caller
            return Command()

    def _parse(self, text: str) -> Command:
        if not isinstance(text, str) or len(text) > MAX_INPUT:
            return Command()
        norm = normalise(text)
        if not norm or len(norm) > MAX_COMMAND:
            return Command()
        if "0" in norm:
            norm = _PHONE.sub(lambda m: m.group().replace(" ", "-"), norm)
        items = self._numbers(self._items(norm))
        corrections = self._repair(items)
        if corrections is None:
            return Command()
        negative = "-" in norm and _NEGATIVE.search(norm) is not None
        long_post = len(norm) > LONG_POST or "\n" in text.strip()
        return self._grammar(items, tuple(corrections), negative, long_post, norm)

    # ------------------------------------------------------------------ fuzzy
    def _repair(self, items: list[list]) -> list[tuple[str, str]] | None:
        """Fix unknown runs in place; returns the corrections made."""
        fixed: list[tuple[int, str, str]] = []     # (position, as typed, understood as)
        if any(it[0] == VARIANT for it in items):
            strong = False
            for k, it in enumerate(items):
                if it[0] == "cmd" and it[1] in _STRONG:
                    strong = True
                elif it[0] == VARIANT:
                    e = it[3]
                    if strong or self._counted_next_to(items, k):
                        fixed.append((k, it[2], e.form))
                        items[k] = [e.slot, e.key, e.form, e, it[4]]
                    else:
                        items[k] = [UNK, it[2], it[2], None, it[4]]
        more = self._repair_runs(items)
        if not more:
            return [(t, f) for _, t, f in fixed]
        return [(t, f) for _, t, f in sorted(fixed + more)]

    @staticmethod
    def _counted_next_to(items: list[list], k: int) -> bool:
        """Is item ``k`` next to a number with a unit (จปธ 20 ครัวเรือน, 3 ครัวเรือน รายไต้)?"""
        def step(i: int, d: int) -> int:
            i += d
            while 0 <= i < len(items) and items[i][0] in ("filler", PUNCT, LETTER):
                i += d
            return i
        n = len(items)
        nums = (NUM, NUMW, LAUGH)
        q = step(k, 1)
        if q < n and items[q][0] in nums:
            r = step(q, 1)
            if r < n and items[r][0] == "unit":
                return True
        p = step(k, -1)
        if p >= 0 and items[p][0] == "unit":
            r = step(p, -1)
            if r >= 0 and items[r][0] in nums:
                return True
        return False

    def _repair_runs(self, items: list[list]) -> list[tuple[int, str, str]]:
        # a run: unknown tokens, with the stray letters and particles glued to them (no space
        # between): newmm cuts a typo into pieces that may look like particles (บันทีก →
        # บัน|ที|ก).  Spaces may separate two unknown pieces, not an unknown and a particle.
        runs: list[tuple[int, int]] = []
        i, n = 0, len(items)
        while i < n:
            if items[i][0] != UNK:
                i += 1
                continue
            lo = i
            while lo > 0 and not items[lo][4] and items[lo - 1][0] in _GLUE:
                lo -= 1
            j = i + 1
            while j < n and (items[j][0] == UNK or
                             (items[j][0] in _GLUE and not items[j][4])):
                j += 1
            if runs and runs[-1][1] > lo:
                lo = runs.pop()[0]
            runs.append((lo, j))
            i = j
        if not runs:
            return []
        anchored = any(it[0] in ("indicator", "category") or
                       (it[0] == "cmd" and it[1] not in ("got", "logweak", "howto"))
                       for it in items)
        budget = [120]
        fixes: list[tuple[int, int, str, Entry]] = []
        if not anchored:
            # might the first unknown span be a misspelt command word or indicator?  Only then
            # is the rest of the message worth repairing.  It must open the message (after
            # particles, or after a weak verb: ส่ง ออมทัพย์ …).
            lo, hi = runs[0]
            k = 0
            while k < lo and items[k][0] in ("filler", PUNCT, LETTER):
                k += 1
            if k < lo and items[k][0] == "cmd" and items[k][1] in ("logweak", "got"):
                k += 1
                while k < lo and items[k][0] in ("filler", PUNCT, LETTER):
                    k += 1
            if k < lo:
                return []
            toks = [it[2] for it in items[lo:hi]]
            if not self.fuzzy.repair(toks, _FUZZY_SLOTS_FIRST, anchored=True, budget=budget):
                return []
        todo = runs
        for lo, hi in todo:
            toks = [it[2] for it in items[lo:hi]]
            for a, b, f, e in self.fuzzy.repair(toks, budget=budget):
                fixes.append((lo + a, lo + b, f, e))
        if not fixes:
            return []
        corrections = []
        for a, b, form, e in sorted(fixes, key=lambda f: -f[0]):
            typed = "".join(it[2] for it in items[a:b])
            if b < len(items) and items[b][0] == LETTER and not items[b][4]:
                typed += items[b][2]           # สุข|ภา|ภ: the stray last letter is part of it
                b += 1
            items[a:b] = [[e.slot, e.key, form, e, items[a][4]]]
            corrections.append((a, typed, form))
        corrections.reverse()
        return corrections

    # ------------------------------------------------------------------ grammar
    def _grammar(self, items: list[list], corrections: tuple, negative: bool,
                 long_post: bool = False, norm: str = "") -> Command:
        years: list[tuple[str, int]] = []     # ("year", 2565) | ("offset", -1), as named
        cmd = self._read(items, corrections, negative, long_post, years, norm)
        return self._dated(cmd, years) if years else cmd

    @staticmethod
    def _dated(cmd: Command, years: list[tuple[str, int]]) -> Command:
        """The fiscal year a message named, on the commands that take one."""
        if not years or cmd.intent in (Intent.NONE, Intent.BIND):
            return cmd                        # ผูกกลุ่ม …: the words are the place, as typed
        said = set(years)
        if len(said) > 1 or cmd.intent not in _DATED:
            return Command()                  # ปี 2565 … ปีที่แล้ว; ยกเลิก ปี 2565
        kind, value = said.pop()
        if kind == "year":
            return replace(cmd, year=value)
        return replace(cmd, year_offset=value)

    @staticmethod
    def _years(body: list[list]) -> list[list]:
        """ปี 2565, ปีงบ 65, ปีงบประมาณ พ.ศ. 2565 → one YEAR item ``[YEAR, 2565, text, None, sp]``.

        Only a Buddhist-era year (25xx, or two digits: 65 → 2565) right after a year word; not
        the year of a date (1 ส.ค. 2565, 30 ก.ย. พ.ศ. 2565), not ปี 2022, not 3 ปี."""
        out: list[list] = []
        n = len(body)
        k = 0
        while k < n:
            it = body[k]
            if it[2] in YEAR_LEAD and not (k and body[k - 1][2] in _MONTH_WORDS):
                j = k + 1
                while j < n and body[j][2] in YEAR_LEAD:
                    j += 1                    # ปีงบประมาณ พ.ศ. 2565
                if j < n and body[j][0] == NUM:
                    text = body[j][2]
                    year = (int(text) if _BE_YEAR.fullmatch(text)
                            else 2500 + int(text) if _SHORT_YEAR.fullmatch(text) else None)
                    if year is not None:
                        words = " ".join(x[2] for x in body[k:j + 1])
                        out.append([YEAR, year, words, None, it[4]])
                        k = j + 1
                        continue
            out.append(it)
            k += 1
        return out

    def _read(self, items: list[list], corrections: tuple, negative: bool, long_post: bool,
              years: list[tuple[str, int]], norm: str) -> Command:
        # number words → numbers (a run of number-word tokens is read as one number)
        merged: list[list] = []
        for it in items:
            if it[0] == NUMW and merged and merged[-1][0] == NUMW:
                prev = merged[-1]
                merged[-1] = [NUMW, None, prev[2] + it[2], None, prev[4]]
                continue
            merged.append(it)
        items = []
        for it in merged:
            if it[0] == NUMW:
                v = thai_words_to_int(it[2])
                it = [NUM, v, it[2], None, it[4]] if v is not None else [UNK, it[2], it[2], None, it[4]]
            items.append(it)
        body = [it for it in items if it[0] != PUNCT and it[0] != LETTER]
        if not body:
            return Command()
        if "ปี" in norm or "ศ" in norm:        # every YEAR_LEAD word has one or the other
            for it in body:
                if it[2] in YEAR_LEAD:
                    body = self._years(body)
                    break

        # the first meaningful word: request words (ขอ, รบกวน, น้องพัฒน์) and an owned-up slip
        # (พิมพ์ผิด) may come before a command word
        f = 0
        while f < len(body) - 1 and ((body[f][0] == "filler" and body[f][2] in LEAD_FILLER)
                                     or body[f][0] == "oops"):
            f += 1
        if not (body[f][0] == "cmd" or (body[f][0] == "province" and body[f][1] == "query")
                or (body[f][0] in ("topic", "total") and body[f][2].startswith("ยอด"))):
            f = 0
        first = body[f]
        cmd0 = first[1] if first[0] == "cmd" else None
        if (first[0] == "province" and first[1] == "query") or (
                first[0] in ("topic", "total") and first[2].startswith("ยอด")):
            cmd0 = "query"                    # ยอดจังหวัด, ยอดรวมจังหวัด, ยอดคงเหลือ, ยอดสะสม
        if (cmd0 == "query" and first[0] in ("cmd", "province") and f + 1 < len(body)
                and body[f + 1][0] == NUM and _BE_YEAR.fullmatch(body[f + 1][2])):
            # ยอด 2565: a year asked about, unless a unit or another word for a count follows
            nxt = body[f + 2] if f + 2 < len(body) else None
            if nxt is None or not (nxt[0] == "unit" or nxt[2] in self._lead_unit
                                   or nxt[2] in _AFTER):
                it = body[f + 1]
                body[f + 1] = [YEAR, it[1], it[2], None, it[4]]

        # numbers: which are amounts?  (index into body)
        amounts: list[tuple[int, int]] = []   # (value, body index)
        attached: dict[int, str] = {}          # body index of a number → unit key that follows
        other_idx: set[int] = set()            # words used up by another number
        not_whole = False
        laugh_ask = False
        laughs: set[int] = set()               # body indices of 555 read as a number
        counted_unknown: set[int] = set()
        lead_unit = self._lead_unit
        for k, it in enumerate(body):
            kind = it[0]
            if kind not in (NUM, ONUM, LAUGH, RANGE):
                continue
            nxt = body[k + 1] if k + 1 < len(body) else None
            prv = body[k - 1] if k else None
            unit_next = nxt is not None and (nxt[0] == "unit" or nxt[2] in lead_unit)
            if kind == LAUGH:
                value, glued = it[1]
                if unit_next or (not glued and cmd0 in _STRONG_LOG):
                    # 555 ครัวเรือน is a number; บันทึก จปฐ 555 is asked about
                    laugh_ask = laugh_ask or not unit_next
                    if not unit_next:
                        laughs.add(k)
                    it[0], it[1] = NUM, value
                    kind = NUM
                else:
                    it[0] = ONUM              # 5555, ได้อยู่5555, 555+: laughter
                    continue
            if kind == RANGE:
                if (prv is not None and prv[2] in _BEFORE) or (nxt is not None
                                                                and nxt[2] in _AFTER):
                    it[0] = ONUM
                    continue
                amounts.append((it[1][0], k))  # 20-30 ครัวเรือน: ask which, never one end
                amounts.append((it[1][1], k))
                if nxt is not None and nxt[0] == "unit":
                    attached[k] = nxt[1]
                    other_idx.add(k + 1)
                continue
            if kind == ONUM:
                if nxt is not None and nxt[0] == "unit" and DECIMAL.fullmatch(it[2]):
                    not_whole = True
                    other_idx.add(k + 1)
                elif nxt is not None and nxt[2] in _AFTER:
                    other_idx.add(k + 1)
                if prv is not None and prv[2] in _BEFORE:
                    other_idx.add(k - 1)
                continue
            is_other = False
            if prv is not None and ((prv[2] in _BEFORE and not (unit_next and prv[2] in _MONTHS))
                                    or (
                    prv[0] == "topic" and prv[1] == "remaining" and prv[2] not in _NO_REMAIN)):
                is_other = True
                other_idx.add(k - 1)
                if unit_next:
                    other_idx.add(k + 1)      # ผู้สูงอายุ 40 คน: the unit goes with it
            if nxt is not None:
                if nxt[2] in _AFTER:
                    is_other = True
                    other_idx.add(k + 1)
                elif nxt[0] == ONUM and not nxt[4] and nxt[2][:1] in "/:.-":
                    is_other = True           # 12/3/65, 1-5
            if is_other:
                it[0] = ONUM
                continue
            amounts.append((it[1], k))
            if nxt is not None and nxt[0] == UNK:
                counted_unknown.add(k)        # 2 รางวัล, 3 แฟ้ม: counts something we don't know
            if nxt is not None and nxt[0] == "unit":
                attached[k] = nxt[1]
                other_idx.add(k + 1)          # the unit word is used up by the number
            elif nxt is not None and nxt[2] in lead_unit:
                attached[k] = lead_unit[nxt[2]]   # 1 กลุ่มออมทรัพย์: กลุ่ม is the unit

        if laughs and any(k not in laughs for _, k in amounts):
            amounts = [a for a in amounts if a[1] not in laughs]   # …20 ครัวเรือน 555
            laugh_ask = False

        # slots
        intent_key = cmd0
        indicators: list[str] = []
        categories: list[str] = []
        free_units: list[str] = []
        districts: list[str] = []
        province_word = province_name = False
        own_province = False                   # จังหวัดราชบุรี, จ.ราชบุรี: the plan's by name
        topics: set[str] = set()
        strong_topic = False
        question = as_text = False
        how_much = False
        howto = False
        running_total = False
        done = False
        plain = False                          # an ordinary word (ไป, มี, ทำ …) among the fillers
        cmds: list[str] = []
        unknown: list[str] = []
        oops: list[str] = []
        roles_named: list[str | None] = []
        anchors = 0
        for k, it in enumerate(body):
            if k < f:
                if it[0] == "oops":
                    oops.append(it[2])
                continue
            slot = it[0]
            if slot == "indicator":
                indicators.append(it[1])
            elif slot == "category":
                categories.append(it[1])
            elif slot == "unit":
                if k not in other_idx:
                    if it[1] == "village" or it[2] in ("หลัง", "ราย"):
                        pass                  # หมู่บ้านสัมมาชีพ, หลังประชุม: not a unit here
                    else:
                        free_units.append(it[1])
            elif slot == "district":
                districts.append(it[1])
            elif slot == "province":
                if it[1] == "name":
                    province_name = True
                else:
                    province_word = True
                    if (it[1] == "word" and it[3] is not None
                            and it[3].form == self.plan.province_name
                            and not it[2].startswith("ทั้ง")):
                        own_province = True
            elif slot == "topic":
                topics.add(it[1])
                if it[2] not in _WEAK_TOPIC:
                    strong_topic = True
            elif slot == "q":
                question = True
                if it[2] in _HOW_MUCH:
                    how_much = True
            elif slot == "astext":
                as_text = True
            elif slot == "cmd":
                if k != f and it[2] == "ยอดรวม" and cmd0 in ("log", "logweak", "got", None):
                    running_total = True      # บันทึก จปฐ ยอดรวม 2103 ครัวเรือน
                elif k != f:
                    if it[1] == "howto":
                        howto = True
                    else:
                        cmds.append(it[1])
            elif slot == "total":
                running_total = True
                if "ได้" in it[2] and k != f:
                    cmds.append("got")        # รวมได้, ได้รวม
            elif slot == "oops":
                oops.append(it[2])
            elif slot in ("before", "after"):
                if k not in other_idx and it[2] not in FILLER_SET:
                    unknown.append(it[2])
            elif slot == UNK or slot == "talk":
                unknown.append(it[2])
            elif slot == "filler":
                if it[2] in _DONE:
                    done = True
                if it[2] not in _POLITE:
                    plain = True
            elif slot == "role":
                if cmd0 in _TAKES_ROLE:
                    roles_named.append(self._role(body, k))
                else:
                    unknown.append(it[2])     # หัวหน้า, ผู้ดูแล … in any other message: talk
            elif slot == YEAR:
                years.append(("year", it[1]))
            elif slot == "yearrel":
                years.append(("offset", int(it[1])))
            # numbers need nothing here
            if slot in ("indicator", "category", "district", "province"):
                anchors += 1

        named_indicator = bool(indicators or categories)
        # a typed command word followed by something that is not Thai (ซซซ, จปธ that no repair
        # reached): the officer tried to say something, so the answer says what was not read
        after = body[f + 1] if f + 1 < len(body) else None
        dictionary = self.fuzzy.dictionary
        typo_after = (cmd0 in _STRONG and after is not None and after[0] == UNK
                      and after[2] not in self.fuzzy.dictionary
                      and (_SINGLE_THAI.match(after[2]) is not None or len(after[2]) <= 5))
        word_after = (after is not None and after[0] == UNK and not typo_after)

        def unclear(indicator=None, category=None, district=None, missing=()) -> Command:
            return Command(intent=Intent.LOG, explicit=True, problem="unclear",
                           unknown=tuple(dict.fromkeys(unknown + oops)) or ("?",),
                           indicator=indicator, category=category, district=district,
                           missing=tuple(missing), corrections=corrections,
                           needs_confirmation=False)

        # which command?
        explicit = cmd0 is not None and cmd0 not in ("got", "howto")
        if cmd0 == "howto":
            return Command()
        if cmd0 in ("logweak", "got") or cmd0 is None:
            # with a weak verb (or none), "ได้ 2 รางวัล" counts something else, not the amount
            amounts = [a for a in amounts if a[1] not in counted_unknown]
        if cmd0 == "fix":
            # พิมพ์ผิด ที่ถูกคือ 43: an edit with its amount, nothing else
            if not amounts or unknown or named_indicator and len(indicators) > 1:
                return Command()
            intent_key = "edit"
            cmd0 = "edit"
        if cmd0 == "query" and amounts and named_indicator and not question and not topics:
            # ยอดรวม จปฐ 2,103 ครัวเรือน: the officer's own total, told
            intent_key = "log"
            running_total = True
        if cmd0 is None or cmd0 == "got":
            # no command word first: a log told in passing, a natural question, or talk
            if howto or oops:
                return Command()
            if question or "deadline" in topics:
                intent_key = "naturalq"
            elif ("got" in cmds or cmd0 == "got" or "log" in cmds or "logweak" in cmds) \
                    and named_indicator and amounts:
                intent_key = "got"
            elif named_indicator and amounts and (attached or free_units):
                intent_key = "noverb"
            else:
                return Command()

        # ---- a log
        if intent_key in ("log", "logweak", "got", "noverb"):
            if intent_key in ("got", "noverb") and not indicators:
                # a category word alone (สุขภาพ, รายได้ …) is ordinary Thai: without a command
                # word it is a log only in a short message that counts in the category's unit
                owner = categories[0].split(":", 1)[0] if categories else None
                units = [attached[k] for _, k in amounts if k in attached]
                if (intent_key == "noverb" or long_post or not units
                        or units[0] != self._indicator_unit.get(owner)):
                    return Command()
            if intent_key in ("got", "noverb") and long_post and not indicators:
                return Command()
            cmd = self._log(intent_key, explicit, indicators, categories, amounts, attached,
                            free_units, districts, province_word, unknown + oops, corrections,
                            negative, not_whole, howto, question, cmds, running_total)
            if cmd.intent is Intent.NONE and intent_key == "log" and cmd0 in _STRONG_LOG and (
                    named_indicator or typo_after and all(u not in dictionary for u in unknown)
                    or ((amounts or free_units) and not word_after)):
                ind, cat, _ = self._indicator(indicators, categories, [])
                dist, _ = self._district(districts, province_word, False)
                return unclear(ind, cat, dist)
            if cmd.intent is Intent.LOG and laugh_ask and not cmd.needs_confirmation:
                cmd = replace(cmd, needs_confirmation=True)
            return cmd

        intent = Intent.QUERY if intent_key == "naturalq" else _INTENTS[intent_key]
        # words from other commands inside this one are noise: a second verb is unknown
        for c in cmds:
            if intent is Intent.QUERY and c in ("query", "got", "deadline", "logweak"):
                continue
            if intent is Intent.EDIT and c in ("edit", "got", "fix"):
                continue
            if intent is Intent.UNDO and c in ("undo",):
                continue
            if intent is Intent.MISSING and c in ("logweak", "log", "got"):
                continue
            if c == "got" and intent in (Intent.RANKING, Intent.MINE, Intent.HISTORY):
                continue
            unknown.append(c)
        said = list(unknown)                  # the words not understood, without the slips
        if oops and intent not in (Intent.UNDO, Intent.EDIT):
            unknown.extend(oops)
        # a command word, then words that are all typos or names: answer, saying what was not read
        attempt = (cmd0 in _STRONG and intent_key != "naturalq" and bool(unknown)
                   and (typo_after or (named_indicator or districts) and not word_after)
                   and all(u not in dictionary for u in unknown))
        if howto and intent is not Intent.HELP:
            if intent in (Intent.QUERY, Intent.EDIT, Intent.UNDO, Intent.BIND, Intent.MUTE,
                          Intent.UNMUTE, Intent.REGISTER, *_PEOPLE) and not unknown \
                    and not amounts:
                return Command(intent=Intent.HELP, explicit=explicit, corrections=corrections,
                               needs_confirmation=bool(corrections))
            return Command()
        if intent in _PEOPLE:
            district, dist_problem = self._district(districts, province_word, province_name)
            talk = bool(amounts or indicators or categories or topics or done) or any(
                it[0] in (NUM, ONUM, RANGE, LAUGH) for it in body)   # หมู่ 5, 555
            return self._people(intent, roles_named, unknown, talk,
                                question, district, dist_problem,
                                dict(explicit=explicit, corrections=corrections,
                                     needs_confirmation=bool(corrections)))
        place: tuple = (None, ())
        if intent is Intent.BIND:
            place = self._place(norm, first, corrections)
            unread = bool(said or amounts or years)
            if not unread or _place_like(place[0], body[f + 1:]):
                return self._bind(place, districts, province_word, province_name or own_province,
                                  unread, dict(explicit=explicit, corrections=corrections,
                                               needs_confirmation=bool(corrections),
                                               as_text=as_text))
        indicator, category, ind_problem = self._indicator(indicators, categories, free_units)
        district, dist_problem = self._district(districts, province_word, province_name)
        if unknown:
            if attempt or (intent is Intent.EDIT and cmd0 in _STRONG_LOG and amounts
                           and not word_after):
                return unclear(indicator, category, district)
            return Command()
        unit = free_units[0] if free_units else None
        common = dict(explicit=explicit, corrections=corrections,
                      needs_confirmation=bool(corrections), as_text=as_text)

        if intent is Intent.QUERY:
            if amounts:
                return Command()
            if intent_key == "naturalq":
                # a bare question needs something it is about: an indicator, or "how much"
                # asked of what was done (บ้านโป่งได้เท่าไหร่แล้ว), or what is left (เหลือกี่วัน)
                done_word = ("got" in cmds or cmd0 == "got" or "query" in cmds
                             or "logweak" in cmds)
                if not (named_indicator or strong_topic or (done_word and how_much)):
                    return Command()
                explicit = False
                common["explicit"] = False
            if intent_key == "deadline" or "deadline" in topics:
                topic = Topic.DEADLINE
            elif "remaining" in topics:
                topic = Topic.REMAINING
            elif "breakdown" in topics:
                topic = Topic.BREAKDOWN
            else:
                topic = Topic.TOTAL
            return Command(intent=Intent.QUERY, indicator=indicator, category=category,
                           district=district, unit=unit, topic=topic,
                           problem=ind_problem or dist_problem, **common)
        if intent is Intent.EDIT:
            if not amounts and (other_idx or done):
                return Command()              # แก้เป็น 10 โมง, แก้เป็นห้อง 301: not a figure
            unit = next((attached[k] for _, k in amounts if k in attached), unit)
            return self._edit(amounts, indicator, category, unit, district, negative, common)
        if amounts:
            return Command()
        if intent is Intent.BIND:             # talk after ผูกกลุ่ม, yet nothing left unknown
            return self._bind(place, districts, province_word, province_name or own_province,
                              False, common)
        if topics and intent not in (Intent.MISSING, Intent.RANKING):
            return Command()
        if question and intent not in (Intent.MISSING, Intent.RANKING, Intent.HELP):
            return Command()
        if intent is Intent.CONFIRM and plain:
            return Command()                  # ยืนยันครับ ผมไปด้วย: confirming something else
        if intent in (Intent.REGISTER, Intent.UNDO) and done:
            return Command()                  # ลงทะเบียนเรียบร้อยแล้ว, ยกเลิกไปแล้ว: told, not asked
        return Command(intent=intent, indicator=indicator, category=category, district=district,
                       problem=ind_problem or dist_problem, **common)

    # ------------------------------------------------------------------ pieces
    @staticmethod
    def _role(body: list[list], k: int) -> str | None:
        """The role a role word at ``k`` names: itself, or for a title (หัวหน้า, พัฒนาการ,
        ผู้ดูแล) the place after it — a district (or อำเภอ) → district head, the province →
        province admin; หัวหน้า alone is a district head, the others alone say no role."""
        it = body[k]
        if it[1] != "title":
            return it[1]
        nxt = body[k + 1] if k + 1 < len(body) else None
        if nxt is not None and (nxt[0] == "district" or nxt[2] in ("อำเภอ", "อ.", "อ")):
            return "district_head"
        if nxt is not None and nxt[0] == "province":
            return "province_admin"
        return "district_head" if it[2] == "หัวหน้า" else None

    @staticmethod
    def _people(intent: Intent, roles_named: list[str | None], unknown: list[str],
                other: bool, question: bool, district: str | None, dist_problem: str | None,
                common: dict) -> Command:
        """แต่งตั้ง… / ถอนสิทธิ์… / ใครดูแล. The person is the @mention (cut before reading), so
        what is left is at most the role, a place, polite words and a title (คุณ, ท่าน). Figures,
        indicators, topics, "แล้ว" (told as done) make it talk; so do words the parser does not
        read, except a few after a grant or revoke that names its role (a name typed without @:
        the handler says how to mention)."""
        if other or (question and intent is not Intent.WHO):
            return Command()                  # แต่งตั้งหัวหน้าอำเภอแล้วค่ะ, … วันไหนคะ
        left = tuple(u for u in unknown if u not in HONORIFICS)
        if intent is Intent.WHO:
            if left or dist_problem or common["corrections"]:
                return Command()              # ใครดูแลเรื่องนี้, ใครดูแลบ้านคะ (บ้านคา?)
            return Command(intent=Intent.WHO, district=district, **common)
        named = set(roles_named)
        role = named.pop() if len(named) == 1 else None
        if left and (role is None or len(left) > MAX_LEFT) and not (
                intent is Intent.REVOKE and not roles_named and len(left) <= MAX_LEFT):
            return Command()                  # แต่งตั้งคณะกรรมการ, แต่งตั้งผู้ดูแลโครงการ
        problem = "two-roles" if len(named) > 1 else dist_problem
        missing = ("role",) if intent is Intent.APPOINT and role is None and not problem else ()
        return Command(intent=intent, role=role, district=district, unknown=left,
                       missing=missing, problem=problem, **common)

    @staticmethod
    def _place(norm: str, verb: list, corrections: tuple
               ) -> tuple[str | None, tuple[tuple[str, str], ...]]:
        """The words of ``norm`` after the verb item ``verb`` (ผูกกลุ่ม, ผูก กลุ่ม, a typo of it),
        whitespace-normalised (None when nothing follows); and the verb's own correction."""
        typed, fix = verb[2], ()
        for was, now in corrections:
            if now == typed:
                typed, fix = was, ((was, now),)   # ผูกกลุม: find it as typed
                break
        m = re.search(r"\s*".join(map(re.escape, typed)), norm)
        if m is None:
            return None, fix
        return " ".join(norm[m.end():].split()) or None, fix

    def _bind(self, place: tuple[str | None, tuple], districts: list[str], province_word: bool,
              province_name: bool, unread: bool, common: dict) -> Command:
        """ผูกกลุ่ม …: the district (or PROVINCE, DEPARTMENT) when this plan can tell, and the
        words as ``place`` always (a handler resolves them across every loaded province)."""
        place, fix = place
        if place is not None and (unread or _department(place)):
            # the words are read elsewhere: only a typo of the verb itself is worth confirming
            common = {**common, "corrections": fix, "needs_confirmation": bool(fix)}
        if place is not None and _department(place):
            return Command(intent=Intent.BIND, district=DEPARTMENT, place=place, **common)
        if unread:
            # words this plan does not know (อำเภอเมืองกาญจนบุรี): another province's place,
            # perhaps; not this plan's district, even when part of it reads as one
            return Command(intent=Intent.BIND, missing=("district",), place=place, **common)
        district, problem = self._district(districts, province_word, province_name)
        if district is None:
            return Command(intent=Intent.BIND, missing=("district",), problem=problem,
                           place=place, **common)
        return Command(intent=Intent.BIND, district=district, place=place, **common)

    def _indicator(self, indicators: list[str], categories: list[str],
                   units: list[str]) -> tuple[str | None, str | None, str | None]:
        """(indicator, category, problem) from what was named; units imply where unambiguous."""
        inds = list(dict.fromkeys(indicators))
        cats = list(dict.fromkeys(categories))
        problem = None
        if len(inds) > 1:
            return None, None, "two-indicators"
        indicator = inds[0] if inds else None
        category = None
        if cats:
            owners = {c.split(":", 1)[0] for c in cats}
            if len(cats) > 1 or len(owners) > 1:
                problem = "two-categories"
                if indicator is None and len(owners) == 1:
                    indicator = owners.pop()
            else:
                owner, cat = cats[0].split(":", 1)
                if indicator is None or indicator == owner:
                    indicator, category = owner, cat
                else:
                    problem = "category-mismatch"
        if indicator is None and units and problem is None:
            indicator = self._unit_owner.get(units[0])
        return indicator, category, problem

    @staticmethod
    def _district(districts: list[str], province_word: bool,
                  province_name: bool) -> tuple[str | None, str | None]:
        ds = list(dict.fromkeys(districts))
        if len(ds) > 1:
            return None, "two-districts"
        if ds:
            if province_word and not province_name:
                # "ยอด บ้านโป่ง ทั้งจังหวัด": two places asked for
                return None, "two-districts"
            return ds[0], None
        if province_word or province_name:
            return PROVINCE, None
        return None, None

    def _amount(self, amounts: list[tuple[int, int]], negative: bool
                ) -> tuple[int | None, str | None, tuple[int, ...]]:
        values = list(dict.fromkeys(v for v, _ in amounts))
        if negative:
            return None, "negative", ()
        if not values:
            return None, None, ()
        if len(values) > 1:
            return None, "two-amounts", tuple(values)
        v = values[0]
        if v == 0:
            return 0, "zero", ()
        if v > MAX_AMOUNT:
            return None, "too-large", ()
        return v, None, ()

    def _edit(self, amounts, indicator, category, unit, district, negative, common) -> Command:
        amount, problem, candidates = self._amount(amounts, negative)
        missing = ("amount",) if amount is None and problem is None else ()
        if problem in _ASK:
            common = {**common, "needs_confirmation": True}
        return Command(intent=Intent.EDIT, amount=amount, indicator=indicator, category=category,
                       unit=unit, district=district, missing=missing, problem=problem,
                       candidates=candidates, **common)

    def _log(self, how, explicit, indicators, categories, amounts, attached, free_units,
             districts, province_word, unknown, corrections, negative, not_whole, howto,
             question, cmds, running_total=False) -> Command:
        named_indicator = bool(indicators or categories)
        if len(amounts) > 1 and named_indicator:
            # จปฐ 35 ครัวเรือน 120 คน: a count in another unit is a detail, not a second amount
            named, _, _ = self._indicator(indicators, categories, [])
            expected = self._indicator_unit.get(named) if named else None
            if expected and any(attached.get(k) == expected for _, k in amounts):
                amounts = [a for a in amounts if attached.get(a[1]) in (None, expected)]
        if how in ("logweak", "got") and not named_indicator:
            return Command()                  # ส่งรูปให้แล้ว 2 รูป, ลงพื้นที่ 3 หมู่บ้าน
        if howto and not amounts:
            return Command(intent=Intent.HELP, explicit=explicit, corrections=corrections,
                           needs_confirmation=bool(corrections))
        if question:
            unknown = unknown + ["?"]
        for c in cmds:
            if c not in ("log", "logweak", "got", "query"):
                unknown.append(c)
        unit_named = [attached[k] for _, k in amounts if k in attached] or free_units
        district, dist_problem = self._district(districts, province_word, False)
        if not (named_indicator or amounts or unit_named or district or dist_problem):
            return Command()                  # บันทึกไว้แล้วนะ
        indicator, category, problem = self._indicator(indicators, categories, unit_named)
        amount, amount_problem, candidates = self._amount(amounts, negative)
        if not_whole and amount is None and amount_problem is None:
            amount_problem = "not-whole"
        unit = unit_named[0] if unit_named else None
        if len(set(unit_named)) > 1:
            unit = None
        if problem is None and indicator and unit and unit != self._indicator_unit.get(indicator):
            problem = "unit-mismatch"
        problem = amount_problem or problem or dist_problem
        missing = []
        if indicator is None:
            missing.append("indicator")
        if amount is None and amount_problem is None:
            missing.append("amount")
        if unknown and missing:
            return Command()                  # talk around a command word, not a command
        if how == "noverb" and (unknown or missing):
            return Command()
        if how in ("logweak", "got") and "amount" in missing:
            return Command()                  # ช่วยส่งยอด จปฐ ให้หน่อย: asking a colleague
        if how in ("logweak", "got") and len(unknown) > 2:
            return Command()                  # ส่งเบอร์ประธานกองทุน… ให้อาจารย์: talk
        if how == "noverb":
            problem = problem or "no-verb"
        needs = bool(corrections) or bool(unknown) or problem in _ASK
        if how == "got" and not unit_named:
            needs = True                      # จปฐ ได้ 35: no unit and no command word: ask
        return Command(intent=Intent.LOG, indicator=indicator, amount=amount, unit=unit,
                       category=category, district=district, explicit=how != "noverb",
                       needs_confirmation=needs, corrections=corrections,
                       unknown=tuple(unknown), missing=tuple(missing), problem=problem,
                       candidates=candidates, running_total=running_total)
