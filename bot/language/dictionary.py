"""newmm's dictionary in MARISA tries (marisa-trie): about 1 MB where PyThaiNLP's pure-Python
``Trie`` of the same 62,000 words takes about 60 MB in every web worker.

newmm only asks a dictionary for ``prefixes(text, start)``: the words that begin at ``start``,
shortest first. This class answers exactly that (and ``in``), read-only, so it is safe to share
between threads.

A department runs one :class:`~bot.language.Parser` per plan (76 provinces × fiscal years) in
one process, so the 62,000 words of ``thai_words()`` and the language-level command words are
one trie per process (:func:`base_dictionary`, built on first use) and each plan's
:class:`Dictionary` holds only its own words (districts, province, indicators…) on top of it
(``Dictionary(words, base=base_dictionary())``): ``prefixes`` answers the union, shortest
first, and ``in`` is true of a word in either.
"""
from __future__ import annotations

import threading
from typing import Iterable

import marisa_trie
from pythainlp.corpus import thai_words

from bot.language.lexicon import language_words


class Dictionary:
    """Words in a MARISA trie; or, with ``base``, a few words of one plan on top of a shared
    base (kept in Python: for each first two letters, the words that begin so)."""

    def __init__(self, words: Iterable[str], base: Dictionary | None = None):
        clean = {w.strip() for w in words if w and w.strip()}
        self._base = base
        self._heads: dict[str, tuple[str, ...]] = {}
        if base is None:
            self._trie = marisa_trie.Trie(clean)
            self._longest = max(map(len, clean), default=0)
            return
        if base._base is not None:
            raise ValueError("a base dictionary has no base of its own")
        own = frozenset(w for w in clean if w not in base)   # each word in one place only
        if any(len(w) < 2 for w in own):
            raise ValueError("a word of one letter belongs in the base dictionary")
        self._trie = base._trie
        self._longest = max(base._longest, max(map(len, own), default=0))
        self._own = own
        heads: dict[str, list[str]] = {}
        for w in own:
            heads.setdefault(w[:2], []).append(w)
        # most positions of a message begin no word of the plan's: one dict look-up says so
        self._heads = {h: tuple(sorted(ws, key=len)) for h, ws in heads.items()}

    def prefixes(self, text: str, start: int = 0) -> list[str]:
        # a trie finds the prefixes of a text walking down it: shortest first already
        chunk = text[start:start + self._longest]
        try:
            found = self._trie.prefixes(chunk)
        except UnicodeEncodeError:           # a lone surrogate (half an emoji) ends every word
            found = self._trie.prefixes(chunk.encode("utf-8", "replace").decode("utf-8"))
            found = [w for w in found if chunk.startswith(w)]
        if self._base is None:
            return found
        head = chunk[:2]
        if head not in self._heads:
            return found
        longest = found[-1] if found else ""
        merge = False
        for w in self._heads[head]:          # shortest first
            if chunk.startswith(w):
                found.append(w)
                merge = merge or len(w) < len(longest)
        if merge:
            found.sort()                     # prefixes of one text: in order = by length
        return found

    def __contains__(self, word: object) -> bool:
        if not isinstance(word, str):
            return False
        if self._base is not None and word in self._own:
            return True
        try:
            return word in self._trie
        except UnicodeEncodeError:
            return False

    def __len__(self) -> int:
        return len(self._trie) + (len(self._own) if self._base is not None else 0)

    def __bool__(self) -> bool:
        return True


_BASE: Dictionary | None = None
_BASE_LOCK = threading.Lock()


def base_dictionary() -> Dictionary:
    """PyThaiNLP's ``thai_words()`` and the language-level command words (the same for every
    plan) in one trie, built once per process and shared by every parser."""
    global _BASE
    if _BASE is None:
        with _BASE_LOCK:
            if _BASE is None:
                _BASE = Dictionary(thai_words() | language_words())
    return _BASE
