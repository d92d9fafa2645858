"""A large corpus of ordinary group-chat messages: the bot must stay silent on every one.

The product rule: in a group the bot answers commands only (a message that begins with a
command word, or names the bot's topics: an indicator with a number, ยอด, กำหนดส่ง, เหลือกี่วัน).
The goal is at most one answer per 10,000 real messages, so the corpus under
``group_chatter/`` is deliberately hard: times, dates, money, phone numbers, village numbers,
district names with question words, the plan's category words (สุขภาพ, รายได้) in news posts,
and a few messages that begin with a command word but are plainly talk.

One test over the whole corpus (not thousands of parametrised cases): it is fast, and its failure
lists every line that is not silent with the Command it parsed to.
"""
from __future__ import annotations

from pathlib import Path

from bot.language import Intent

from language_cases import unescape

CORPUS = Path(__file__).parent / "group_chatter"


def corpus() -> list[tuple[str, int, str]]:
    """(file name, line number, message) for every message line of every corpus file."""
    rows = []
    for path in sorted(CORPUS.glob("*.txt")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            rows.append((path.name, n, unescape(line)))
    return rows


ROWS = corpus()


def test_corpus_is_large_and_distinct():
    messages = [m for _, _, m in ROWS]
    assert len(set(messages)) >= 3000, f"only {len(set(messages))} distinct messages"
    seen: dict[str, str] = {}
    dups = []
    for name, n, m in ROWS:
        if m in seen:
            dups.append(f"{name}:{n} repeats {seen[m]}: {m!r}")
        seen.setdefault(m, f"{name}:{n}")
    assert not dups, "duplicate messages:\n" + "\n".join(dups)


def test_group_chatter_is_silent(parser):
    loud = []
    for name, n, msg in ROWS:
        c = parser.parse(msg)
        if c.intent is not Intent.NONE:
            loud.append(f"{name}:{n}: {msg!r}\n    → {c}")
    assert not loud, (f"{len(loud)} of {len(ROWS)} chatter messages are not silent:\n"
                      + "\n".join(loud))
