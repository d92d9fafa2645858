"""newmm's dictionary in MARISA tries (marisa-trie): about 1 MB where PyThaiNLP's pure-Python
``Trie`` of the same 62,000 words takes about 60 MB in every web worker.

newmm only asks a dictionary for ``prefixes(text, start)``: the words that begin at ``start``,
shortest first. This class answers exactly that (and ``in``), read-only, so it is safe to share
between threads.

A department runs one :class:`~bot.language.Parser` per plan (76 provinces × fiscal years) in
one process, so the 62,000 words of ``thai_words()`` are one trie per process
(:func:`base_dictionary`, built on first use) and each plan's :class:`Dictionary` holds only its
own words on top of it (``Dictionary(words, base=base_dictionary())``): ``prefixes`` answers the
union, shortest first, and ``in`` is true of a word in either.
"""
from __future__ import annotations

import threading
from typing import Iterable

import marisa_trie


class Dictionary:
    def __init__(self, words: Iterable[str], base: Dictionary | None = None):
        clean = {w.strip() for w in words if w and w.strip()}
        if base is not None and base._base is not None:
            raise ValueError("a base dictionary has no base of its own")
        if base is not None:
            clean = {w for w in clean if w not in base}   # each word in one trie only
        self._base = base
        self._trie = marisa_trie.Trie(clean)
        self._longest = max(map(len, clean), default=0)
        # the first two letters of every own word (one-letter words match any text): most
        # positions of a message begin none of them, and a set look-up is cheaper than a trie's
        self._heads = frozenset(w[:2] for w in clean)
        self._any = any(len(w) < 2 for w in clean)
        self._below = base._trie if base is not None else None
        self._span = max(self._longest, base._longest if base is not None else 0)

    def prefixes(self, text: str, start: int = 0) -> list[str]:
        # a trie finds the prefixes of a text walking down it: shortest first already
        chunk = text[start:start + self._span]
        below = self._below
        try:
            if below is None:
                return self._trie.prefixes(chunk)
            found = below.prefixes(chunk)
            if self._any or chunk[:2] in self._heads:
                own = self._trie.prefixes(chunk)
                if own:
                    found += own
                    found.sort(key=len)
            return found
        except UnicodeEncodeError:           # a lone surrogate (half an emoji) ends every word
            safe = chunk.encode("utf-8", "replace").decode("utf-8")
            found = self._trie.prefixes(safe)
            if below is not None:
                found += below.prefixes(safe)
            found = [w for w in found if chunk.startswith(w)]
            found.sort(key=len)
            return found

    def __contains__(self, word: object) -> bool:
        try:
            return isinstance(word, str) and (word in self._trie or (
                self._below is not None and word in self._below))
        except UnicodeEncodeError:
            return False

    def __len__(self) -> int:
        return len(self._trie) + (len(self._below) if self._below is not None else 0)

    def __bool__(self) -> bool:
        return True


_BASE: Dictionary | None = None
_BASE_LOCK = threading.Lock()


def base_dictionary() -> Dictionary:
    """PyThaiNLP's ``thai_words()`` in one trie, built once per process, shared by every parser."""
    global _BASE
    if _BASE is None:
        with _BASE_LOCK:
            if _BASE is None:
                from pythainlp.corpus import thai_words
                _BASE = Dictionary(thai_words())
    return _BASE
