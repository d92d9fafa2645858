"""Ordinary group chatter through the whole bot (signed bodies to POST /callback, several events
per body as LINE sends them): no reply, no entry, no prompt left open."""
from pathlib import Path

from sqlalchemy import func, select

from models import Entry, PendingConfirmation
from tests.helpers import post, text_event
from tests.language.language_cases import unescape

G = "Cbanpong000000000000000000000000"
LANG = Path(__file__).resolve().parents[1] / "language"
PER_BODY = 50


def corpus() -> list[str]:
    files = sorted((LANG / "group_chatter").glob("*.txt")) + [LANG / "chatter.txt"]
    lines = []
    for f in files:
        lines += [unescape(line) for line in f.read_text(encoding="utf-8").splitlines()
                  if line.strip() and not line.startswith("#")]
    return list(dict.fromkeys(lines))


def test_the_chatter_corpus_gets_no_answer_no_entry_and_no_open_prompt(app, chat, fake_line):
    chat.bind(G)
    lines = corpus()
    assert len(lines) >= 3000
    before = len(fake_line.replies)
    officers = [f"Uofficer{k:025d}" for k in range(7)]
    events = [text_event(t, user=officers[i % len(officers)], group=G)
              for i, t in enumerate(lines)]
    for i in range(0, len(events), PER_BODY):
        assert post(chat.client, *events[i:i + PER_BODY]).status_code == 200
    app.extensions["nongpat"].line.drain()
    answered = {r.reply_token for r in fake_line.replies[before:]}
    loud = [(e["message"]["text"], fake_line.replies_to(e["replyToken"])[0].text)
            for e in events if e["replyToken"] in answered]
    assert not loud, f"{len(loud)} of {len(lines)} ordinary messages were answered: {loud[:40]}"
    with app.extensions["nongpat"].sessions() as s:
        assert s.scalar(select(func.count()).select_from(Entry)) == 0
        assert s.scalar(select(func.count()).select_from(PendingConfirmation)) == 0
