"""Names are right on every worker: with two gunicorn workers, a display name LINE gave to
whichever worker fetched it is used by all — in log answers, ใครยังไม่ส่ง, ประวัติ and the
dashboard — and a name not known yet is read again, never remembered as missing.

Each officer's first message is a log, answered before any name is known (the worker that
answers it looks the name up and finds none); every later answer, from either worker, must
carry the name."""
from __future__ import annotations

import uuid

import pytest

from tests.prod._support import DASHBOARD, Client, bot_with_groups, text_event
from tests.prod.conftest import BACKENDS

pytestmark = pytest.mark.slow
OFFICERS = {f"U{uuid.UUID(int=n + 1).hex}": name for n, name in enumerate(
    ["สมชาย ใจดี", "สมศรี รักษ์ถิ่น", "วิไล มั่นคง", "ประเสริฐ ศรีสุข", "อรุณี พูนผล"])}
REPEATS = 20


def ask(port: int, fake, text: str, user: str, group: str) -> str:
    """Send one message on a fresh connection (either worker may take it); its reply's text."""
    ev = text_event(text, user, group)
    c = Client(port)
    assert c.post_events(ev) == 200
    c.close()
    token = ev["replyToken"]
    assert fake.wait_for(lambda f: f.replies_to(token), 10), f"no reply to {text!r}"
    return "\n".join(fake.replies_to(token)[0].texts)


@pytest.mark.parametrize("backend", BACKENDS)
def test_every_worker_names_every_officer_whose_name_line_gave(backend, fresh_db, fake,
                                                               tmp_path):
    url = fresh_db(backend)
    fake.names.update(OFFICERS)
    with bot_with_groups(url, fake.url, tmp_path / "gunicorn.log", 1) as (web, groups):
        group = next(iter(groups))
        for user in OFFICERS:   # first words: a log, before anyone knows the name
            ask(web.port, fake, "บันทึก จปฐ 10 ครัวเรือน", user, group)
            ask(web.port, fake, "ลงทะเบียน", user, group)
        assert fake.wait_for(lambda f: sum("/member/" in p for _, _, p, _ in f.calls)
                             >= len(OFFICERS), 10)
        savers = list(OFFICERS)[:2]
        for user in savers:
            ask(web.port, fake, "บันทึก ออมทรัพย์ 1 กลุ่ม", user, group)
        waiting = [OFFICERS[u] for u in OFFICERS if u not in savers]
        for n in range(REPEATS):
            user = list(OFFICERS)[n % len(OFFICERS)]
            logged = ask(web.port, fake, f"บันทึก จปฐ {11 + n} ครัวเรือน", user, group)
            assert f"โดย {OFFICERS[user]}" in logged, (n, logged)
            missing = ask(web.port, fake, "ใครยังไม่ส่ง ออมทรัพย์", user, group)
            assert all(name in missing for name in waiting) and "ผู้ใช้ …" not in missing, \
                (n, missing)
            history = ask(web.port, fake, "ประวัติ", user, group)
            assert "ผู้ใช้ …" not in history and OFFICERS[user] in history, (n, history)
            c = Client(web.port)
            status, body = c.request("GET", "/dashboard/", None,
                                     {"Authorization": f"Bearer {DASHBOARD}"})
            c.close()
            page = body.decode("utf-8")
            assert status == 200 and "ผู้ใช้ …" not in page, (n, status)
            assert all(name in page for name in OFFICERS.values()), n
