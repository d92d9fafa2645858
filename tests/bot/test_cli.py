"""Operator commands through Flask's CLI runner."""
from pathlib import Path

from tests.helpers import entry_count

PLAN = Path(__file__).resolve().parents[2] / "plans" / "ratchaburi-2565.yaml"


def test_groups_bind_and_list(app):
    runner = app.test_cli_runner()
    out = runner.invoke(args=["groups", "bind", "Cabc", "ban-pong"])
    assert out.exit_code == 0 and "บ้านโป่ง" in out.output
    assert runner.invoke(args=["groups", "bind", "Cprov", "province"]).exit_code == 0
    bad = runner.invoke(args=["groups", "bind", "Cx", "atlantis"])
    assert bad.exit_code != 0 and "ไม่รู้จักอำเภอ" in bad.output
    out = runner.invoke(args=["groups", "list"])
    assert "Cabc\tอำเภอบ้านโป่ง" in out.output and "Cprov\tระดับจังหวัดราชบุรี" in out.output


def test_plan_show_and_load(app, tmp_path):
    runner = app.test_cli_runner()
    out = runner.invoke(args=["plan", "show"])
    assert out.exit_code == 0
    for needle in ("167,839", "34,227", "4,038", "6,204", "3,015", "41", "1 พ.ค. 2565",
                   "1 ส.ค. 2565", "30 ก.ย. 2565", "21 มี.ค. 2565 – 27 มี.ค. 2565"):
        assert needle in out.output, needle
    bad = tmp_path / "bad.yaml"
    bad.write_text(PLAN.read_text(encoding="utf-8").replace("ban-kha: 4972", "bankha: 4972"),
                   encoding="utf-8")
    out = runner.invoke(args=["plan", "load", str(bad)])
    assert out.exit_code != 0 and "บรรทัด" in out.output and "bankha" in out.output
    good = tmp_path / "next.yaml"
    good.write_text(PLAN.read_text(encoding="utf-8").replace("key: ratchaburi-2565", "key: rb-2566")
                    .replace("fiscal_year: 2565", "fiscal_year: 2566"), encoding="utf-8")
    out = runner.invoke(args=["plan", "load", str(good)])
    assert out.exit_code == 0, out.output
    # a second year of the province: added beside the first, which stays until it is pinned
    # or the calendar reaches 1 Oct 2565 (the test clock stands in fiscal year 2565)
    assert "ยังเป็นปี 2565" in out.output
    assert "ปีงบประมาณ 2566" in runner.invoke(args=["plan", "show", "ratchaburi", "2566"]).output
    listed = runner.invoke(args=["plan", "list"]).output
    assert "rb-2566" in listed and "ratchaburi-2565" in listed and "2 แผน, 1 จังหวัด" in listed
    assert runner.invoke(args=["plan", "use", "ratchaburi", "2566"]).exit_code == 0
    assert "ปีงบประมาณ 2566" in runner.invoke(args=["plan", "show"]).output
    assert "ปัจจุบัน (ตรึงไว้)" in runner.invoke(args=["plan", "list"]).output
    out = runner.invoke(args=["plan", "use", "ratchaburi", "2570"])
    assert out.exit_code != 0 and "ไม่มีแผนปี 2570" in out.output
    assert runner.invoke(args=["plan", "use", "ราชบุรี", "--auto"]).exit_code == 0
    assert "ปีงบประมาณ 2565" in runner.invoke(args=["plan", "show"]).output


def test_terminal_chat_uses_the_same_handlers(app):
    runner = app.test_cli_runner()
    out = runner.invoke(args=["chat", "--group", "ban-pong", "--user", "U123"],
                        input="บันทึก จปฐ 120 ครัวเรือน\nสวัสดีครับ\nยอด\n")
    assert out.exit_code == 0, out.output
    assert "บันทึกแล้ว" in out.output and "120 / 34,227" in out.output
    assert "(ไม่ตอบ" in out.output
    assert entry_count(app) == 1
