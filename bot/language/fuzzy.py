"""Typo repair against a closed list: the plan's names and the command words, nothing else.

Only spans the lexicon did not recognise are tried.  A span is accepted when its difflib ratio
to some form is at least ``THRESHOLD`` and beats the best form of any *other* meaning by
``MARGIN``.  Forms and spans shorter than four characters are never matched here (คน, ลง are
too close to too many things); short names get a closed variant set instead (``typo_variants``).  A single token that is itself a dictionary word is left alone:
newmm splits a typo into pieces that are not words (บันทืก → บัน|ทืก), a real word is not a typo.

PyThaiNLP's ``spell``/``correct`` is deliberately not used: with its general dictionary it turns
จปฐ into จะ and ออมทรัพ into จอมทัพ.
"""
from __future__ import annotations

from difflib import SequenceMatcher
from typing import TYPE_CHECKING, Iterable, Mapping

if TYPE_CHECKING:
    from bot.language.lexicon import Entry

THRESHOLD = 0.8
MARGIN = 0.05
MAX_WINDOW = 4          # tokens joined into one span
MAX_SPAN = 24           # characters
MAX_TRIES = 120         # spans tried per message, whatever its length
FUZZY_MIN_LEN = 4       # words that never take part in fuzzy matching on their own (too short
                        # or too common)


class FuzzyIndex:
    """Forms indexed by (first character, length): typos keep the first letter in practice
    (บ้านโปง, ออมทัพย์, บันทืก, โพธารม), and the index makes a miss cost one dict look-up.

    Immutable once built (no matcher is kept: each comparison makes its own), so one index of
    the language-level words and a department's indicators is shared by every parser."""

    def __init__(self, targets: Iterable[tuple[str, Entry]]):
        index: dict[tuple[str, int], list[tuple[str, Entry]]] = {}
        for form, entry in targets:
            index.setdefault((form[0], len(form)), []).append((form, entry))
        self.index: dict[tuple[str, int], tuple[tuple[str, Entry], ...]] = {
            k: tuple(v) for k, v in index.items()}


class Fuzzy:
    """Typo repair for one plan: its own names first, then the shared indexes.

    ``entries`` (the plan's lexicon) decides between layers: a shared form counts only while the
    plan reads it the same way (a plan name spelt like a language word takes the word)."""

    def __init__(self, targets: list[tuple[str, Entry]] | FuzzyIndex, dictionary: frozenset[str],
                 shared: tuple[FuzzyIndex, ...] = (),
                 entries: Mapping[str, Entry] | None = None):
        self.dictionary = dictionary
        own = targets if isinstance(targets, FuzzyIndex) else FuzzyIndex(targets)
        self._layers = (own, *shared)
        self._entries = entries

    def best(self, span: str, slots: frozenset[str] | None = None) -> tuple[str, Entry, float] | None:
        """The one form ``span`` is a typo of, or None when none (or more than one) fits."""
        n = len(span)
        if n < FUZZY_MIN_LEN or n > MAX_SPAN:
            return None
        top: dict[tuple[str, str], tuple[float, str, Entry]] = {}
        first = span[0]
        counts: dict[str, int] | None = None
        entries = self._entries
        for length in range(n - 2, n + 3):
            total = n + length
            if 2.0 * min(n, length) / total < THRESHOLD:          # difflib's real_quick_ratio
                continue
            for layer, fuzzy_index in enumerate(self._layers):
                bucket = fuzzy_index.index.get((first, length))
                if not bucket:
                    continue
                if counts is None:
                    counts = {}
                    for c in span:
                        counts[c] = counts.get(c, 0) + 1
                for form, entry in bucket:
                    if slots is not None and entry.slot not in slots:
                        continue
                    avail = counts.copy()                      # difflib's quick_ratio
                    same = 0
                    for c in form:
                        k = avail.get(c, 0)
                        if k > 0:
                            avail[c] = k - 1
                            same += 1
                    if 2.0 * same / total < THRESHOLD:
                        continue
                    if layer and entries is not None and entries.get(form) is not entry:
                        continue                               # the plan reads this form otherwise
                    r = SequenceMatcher(None, span, form, autojunk=False).ratio()
                    if r < THRESHOLD:
                        continue
                    meaning = (entry.slot, entry.key)
                    if meaning not in top or top[meaning][0] < r:
                        top[meaning] = (r, form, entry)
        if not top:
            return None
        ranked = sorted(top.values(), key=lambda t: -t[0])
        if len(ranked) > 1 and ranked[0][0] - ranked[1][0] < MARGIN:
            return None
        r, form, entry = ranked[0]
        return form, entry, r

    def repair(self, tokens: list[str], slots: frozenset[str] | None = None,
               anchored: bool = False, budget: list[int] | None = None
               ) -> list[tuple[int, int, str, Entry]]:
        """Non-overlapping fixes ``(start, end, form, entry)`` inside one run of unknown tokens.

        ``anchored``: only spans starting at one of the first three tokens are tried (the first
        word of a message that might be a command).
        """
        budget = budget if budget is not None else [MAX_TRIES]
        found: list[tuple[int, int, str, Entry]] = []
        self._repair(tokens, 0, len(tokens), slots, anchored, budget, found)
        return sorted(found, key=lambda f: f[0])

    def _repair(self, tokens, lo, hi, slots, anchored, budget, found) -> None:
        best = None
        starts = range(lo, min(hi, lo + 3)) if anchored else range(lo, hi)
        for i in starts:
            span = ""
            for j in range(i, min(hi, i + MAX_WINDOW)):
                span += tokens[j]
                if len(span) > MAX_SPAN:
                    break
                if len(span) < FUZZY_MIN_LEN:
                    continue
                if j == i and span in self.dictionary:
                    continue
                if budget[0] <= 0:
                    break
                budget[0] -= 1
                hit = self.best(span, slots)
                if hit and (best is None or hit[2] > best[4]):
                    best = (i, j + 1, hit[0], hit[1], hit[2])
        if best is None:
            return
        i, j, form, entry, _ = best
        found.append((i, j, form, entry))
        if not anchored:
            self._repair(tokens, lo, i, slots, False, budget, found)
        self._repair(tokens, j, hi, slots, False, budget, found)


# ----------------------------------------------------------------------------- closed variants
# Short names (จปฐ, ศกพ, TPMAP) are too short for a ratio: one letter is a third of จปฐ.  For
# them, and for the tone marks and vowels of the longer category words, the parser builds a small
# closed set of misspellings when it starts: one letter left out, doubled, swapped with its
# neighbour, or replaced by a key next to it on the Kedmanee / QWERTY keyboard (or its shifted
# twin) or by a letter that looks alike.  A variant that is itself a word of the dictionary or of
# the lexicon, or that two names share, is dropped.
_KEDMANEE = (("ๅ/-ภถุึคตจขช", "+๑๒๓๔ู฿๕๖๗๘๙"),
             ("ๆไำพะัีรนยบลฃ", "๐\"ฎฑธํ๊ณฯญฐ,ฅ"),
             ("ฟหกดเ้่าสวง", "ฤฆฏโฌ็๋ษศซ."),
             ("ผปแอิืทมใฝ", "()ฉฮฺ์?ฒฬฦ"))
_QWERTY = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
LOOK_ALIKE = ("ฐธรฎฏ", "ปบ", "คดต", "ขชฃ", "พฟภ", "ทห", "ถภ", "ผฝ", "ซศสษ", "ฑฒ", "ณน", "มน",
              "ญย", "ลส", "ฤร", "อฮ", "ตฒ")
MARK_ALIKE = ("่้๊๋", "ิีึื", "ุู", "ใไ", "ัะ", "ำา", "เแ", "โใ")


def _neighbours() -> dict[str, set[str]]:
    nb: dict[str, set[str]] = {}

    def link(a: str, b: str) -> None:
        if a != b and a.strip() and b.strip():
            nb.setdefault(a, set()).add(b)
            nb.setdefault(b, set()).add(a)
    for plain, shifted in _KEDMANEE:
        for row in (plain, shifted):
            for a, b in zip(row, row[1:]):
                link(a, b)
        for a, b in zip(plain, shifted):
            link(a, b)
    for row in _QWERTY:
        for a, b in zip(row, row[1:]):
            link(a, b)
    return nb


_KEYS = _neighbours()
_LOOKS: dict[str, set[str]] = {}
for _group in LOOK_ALIKE:
    for _c in _group:
        _LOOKS.setdefault(_c, set()).update(x for x in _group if x != _c)
_MARKS: dict[str, set[str]] = {}
for _group in MARK_ALIKE:
    for _c in _group:
        _MARKS.setdefault(_c, set()).update(x for x in _group if x != _c)
_TONES = frozenset("่้๊๋")


def typo_variants(form: str, short: bool) -> set[str]:
    """One-edit misspellings of ``form``.  ``short`` (a name of five letters or less): any edit;
    otherwise only a tone mark or vowel swapped or left out, or a look-alike consonant."""
    out: set[str] = set()
    n = len(form)
    for i, c in enumerate(form):
        subs = set(_MARKS.get(c, ())) | _LOOKS.get(c, set())
        if short:
            subs |= _KEYS.get(c, set())
            out.add(form[:i] + form[i + 1:])                      # left out
            out.add(form[:i] + c + form[i:])                      # doubled
            if i + 1 < n:
                out.add(form[:i] + form[i + 1] + c + form[i + 2:])  # swapped
        elif c in _TONES:
            out.add(form[:i] + form[i + 1:])                      # tone mark left out
        for s in subs:
            out.add(form[:i] + s + form[i + 1:])
    out.discard(form)
    return {v for v in out if len(v) >= 2}
