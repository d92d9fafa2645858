"""The cards as LINE would draw them: each Flex answer of the mid-April scene is rendered by
bot.line.flex_html at a 300 px bubble in Debian's chromium (Playwright), and no text holding a
district's figure — no text at all — may be cut (wider than its box, or clipped by a box).
LINE cuts a text without ``wrap: true`` with "…": the renderer does the same, and the first
test shows that the check catches it. Screenshots: test-artifacts/cards-*.png."""
from __future__ import annotations


import pytest

from tests.browser import ARTIFACTS, chromium, playwright

sync_api = playwright()

from bot.line import flex, flex_html  # noqa: E402
from models.queries import load_board  # noqa: E402
from tests.conftest import NOW  # noqa: E402
from tests.helpers import ADMIN, post, text_event  # noqa: E402
from tests.scenario import group_of, seed_mid_april  # noqa: E402

WIDTH = 300
PROV = "Cprovince0000000000000000000000"
# (screenshot name, question, the chat it is asked in)
CARDS = [("province", "ยอดรวมจังหวัด", PROV),
         ("district-chom-bueng", "ยอด", group_of("chom-bueng")),
         ("district-ban-kha", "ยอด", group_of("ban-kha")),
         ("ranking-jpt", "อันดับ จปฐ", PROV),
         ("ranking-tpmap", "อันดับ TPMAP", PROV),
         ("ranking-savings", "อันดับ ออมทรัพย์", PROV),
         ("savings", "ยอดรวมจังหวัด ออมทรัพย์ แยกประเภท", PROV),
         ("tpmap", "ยอด TPMAP แยกมิติ", group_of("ban-pong"))]


@pytest.fixture
def database_url(tmp_path):
    """SQLite only: the browser measures the cards, not the database."""
    return f"sqlite:///{tmp_path / 'cards.sqlite3'}"


@pytest.fixture(scope="module")
def page():
    with chromium() as browser:
        yield browser.new_page(viewport={"width": 1000, "height": 900})


def measure(page, contents: dict, shot: str | None = None) -> list[dict]:
    page.set_content(flex_html.page(contents, WIDTH, shot or "Flex"))
    page.evaluate("document.fonts.ready.then(() => true)")
    if shot:
        ARTIFACTS.mkdir(exist_ok=True)
        page.locator(".fx-carousel").screenshot(path=str(ARTIFACTS / f"cards-{shot}.png"))
    return page.evaluate(flex_html.MEASURE_JS)


def bubble(*contents: dict) -> dict:
    return flex.bubble(list(contents))


def test_the_renderer_reports_a_cut_text(page):
    """The row LINE cut ("12,115 ครัวเรือน (…"): a text without wrap that does not fit."""
    old = {"type": "box", "layout": "horizontal", "contents": [
        flex.text("จอมบึง", "xs", wrap=False, flex=3),
        flex.text("3,756 / 12,115 ครัวเรือน (31.0%)", "xs", wrap=False, flex=5, align="end")]}
    cut = flex_html.cut(measure(page, bubble(old)))
    assert [c["text"] for c in cut] == ["3,756 / 12,115 ครัวเรือน (31.0%)"]
    assert cut[0]["scrollWidth"] > cut[0]["clientWidth"]
    for node in old["contents"]:
        node["wrap"] = True
    assert flex_html.cut(measure(page, bubble(old))) == []
    # a text that keeps its own width (flex 0) next to another: the neighbour is squeezed out
    squeezed = {"type": "box", "layout": "horizontal", "contents": [
        flex.text("ก" * 80, "sm", flex=0), flex.text("12,115", "sm")]}
    assert "12,115" in [c["text"] for c in flex_html.cut(measure(page, bubble(squeezed)))]
    # cut after maxLines
    lines = flex.text("ไม่มีการบันทึกมา 11 วัน (ล่าสุด 8 เม.ย. 2565) " * 6, "xs", maxLines=2)
    assert len(flex_html.cut(measure(page, bubble(lines)))) == 1
    # a box of fixed height clips a figure inside it
    boxed = {"type": "box", "layout": "vertical", "height": "12px",
             "contents": [flex.text("120,547", "xl")]}
    assert flex_html.cut(measure(page, bubble(boxed)))[0]["clipped"]
    # a box too narrow for a number: it wraps in the middle ("120,5" / "47")
    narrow = {"type": "box", "layout": "vertical", "width": "40px",
              "contents": [flex.text("120,547", "xl")]}
    assert flex_html.cut(measure(page, bubble(narrow)))[0]["broken"] == ["120,547"]


def test_no_district_figure_is_cut_at_300_px(page, app, chat):
    seed_mid_april(app)
    chat.bind(PROV, "จังหวัด")
    svc = app.extensions["nongpat"]
    with svc.sessions() as s:
        active = svc.bot.current_plan(s)
        board = load_board(s, active.id, active.plan, NOW)
    for shot, question, group in CARDS:
        ev = text_event(question, user=ADMIN, group=group)
        assert post(chat.client, ev).status_code == 200
        sent = chat.sent_to(ev)
        contents = next(m for m in sent.messages if m["type"] == "flex")["contents"]
        texts = measure(page, contents, shot)
        assert len(texts) == len(flex.all_text(contents).split("\n")), shot
        # every district's figure is on the card, in a text a reader sees whole
        figures = district_figures(board, shot, question)
        for figure in figures:
            holding = [t for t in texts if figure in t["text"]]
            assert holding, f"{shot}: {figure!r} is not on the card"
            for t in holding:
                assert t["scrollWidth"] <= t["clientWidth"] and not t["clipped"], (shot, t)
        assert flex_html.cut(texts) == [], shot


def district_figures(board, shot: str, question: str) -> list[str]:
    """What each card must show of the districts: their percent in full and done / target, or
    their count where they have no target."""
    if shot.startswith("district-"):
        st = board.cell("jpt", shot.removeprefix("district-"))
        return [f"{st.percent:.1f}%", f"{st.done:,} / {st.target:,}"]
    keys = {"province": ["jpt", "tpmap", "savings"], "ranking-jpt": ["jpt"],
            "ranking-tpmap": ["tpmap"], "ranking-savings": ["savings"]}.get(shot)
    if keys is None:                       # the breakdowns: the figure of the scope asked about
        return [f"{board.province['savings'].done:,} / {board.province['savings'].target:,}"
                if shot == "savings" else f"{board.cell('tpmap', 'ban-pong').done:,}"]
    out = []
    for key in keys:
        for st in board.districts[key]:
            out.append(st.name)
            if st.target:
                out += [f"{st.percent:.1f}%", f"{st.done:,} / {st.target:,} {st.unit}"]
            else:
                out.append(f"{st.done:,} {st.unit}")
    return out
