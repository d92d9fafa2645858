"""xlsx and csv exports, from the web (session or bearer) and from `flask export`."""
import csv
import io

from openpyxl import load_workbook

from tests.dashboard.conftest import AUTH

G = "Cbanpong000000000000000000000000"


def _log(chat):
    chat.bind(G)
    chat.say("บันทึก จปฐ 1200 ครัวเรือน", group=G)
    chat.say("บันทึก TPMAP 3 ครัวเรือน มิติรายได้", group=G)


def check_workbook(data: bytes):
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["สรุปจังหวัด", "จปฐ.", "TPMAP", "กลุ่มออมทรัพย์เพื่อการผลิต"]
    ws = wb["จปฐ."]
    rows = list(ws.iter_rows(values_only=True))
    assert any("ข้อมูล ณ 19 เม.ย. 2565 10:00 น." in (r[0] or "") for r in rows[:4])
    header = rows.index(("อำเภอ", "เป้าหมาย", "ผลงาน", "ร้อยละ", "คงเหลือ"))
    body = {r[0]: r[1:] for r in rows[header + 1:] if r[0]}
    assert len([k for k in body if not k.startswith("รวม")]) == 10
    assert body["บ้านโป่ง"] == (34227, 1200, 3.5, 33027)
    assert body["บางแพ"] == (8204, 0, 0.0, 8204)
    assert body["รวมจังหวัดราชบุรี"] == (167839, 1200, 0.7, 166639)
    assert ws.cell(row=header + 2, column=2).number_format == "#,##0"
    tp = list(wb["TPMAP"].iter_rows(values_only=True))
    assert ("บ้านโป่ง", None, 3, None, None) in tp
    assert ("รายได้", 3015, 3, 0.1, 3012) in tp
    summary = list(wb["สรุปจังหวัด"].iter_rows(values_only=True))
    assert ("จปฐ.", "ครัวเรือน", 167839, 1200, 0.7, 166639) in summary


def check_csv(data: bytes):
    assert data.startswith(b"\xef\xbb\xbf")                 # BOM: Excel on Thai Windows reads UTF-8
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    jpt = [r for r in rows if r["รหัสตัวชี้วัด"] == "jpt"]
    assert len([r for r in jpt if r["ระดับ"] == "อำเภอ"]) == 10
    bp = next(r for r in jpt if r["รหัส"] == "ban-pong")
    assert (bp["ชื่อ"], bp["เป้าหมาย"], bp["ผลงาน"], bp["ร้อยละ"], bp["คงเหลือ"]) == \
        ("บ้านโป่ง", "34227", "1200", "3.5", "33027")
    assert bp["ข้อมูล ณ"] == "19 เม.ย. 2565 10:00 น." and bp["หน่วย"] == "ครัวเรือน"
    income = next(r for r in rows if r["รหัส"] == "income")
    assert (income["ระดับ"], income["เป้าหมาย"], income["ผลงาน"]) == ("มิติ/ประเภท", "3015", "3")
    tp_bp = next(r for r in rows if r["รหัสตัวชี้วัด"] == "tpmap" and r["รหัส"] == "ban-pong")
    assert tp_bp["เป้าหมาย"] == "" and tp_bp["ผลงาน"] == "3"


def test_web_exports(dash, chat):
    _log(chat)
    x = dash.get("/dashboard/export.xlsx")
    assert x.status_code == 200 and x.mimetype.endswith("spreadsheetml.sheet")
    assert x.headers["Content-Disposition"] == \
        'attachment; filename="nongpat-ratchaburi-2565-progress-25650419.xlsx"'
    check_workbook(x.data)
    c = dash.get("/dashboard/export.csv")
    assert c.status_code == 200 and c.mimetype == "text/csv"
    assert c.headers["Content-Disposition"].endswith('.csv"')
    check_csv(c.data)


def test_exports_with_a_bearer_token(client, chat):
    _log(chat)
    check_workbook(client.get("/dashboard/export.xlsx", headers=AUTH).data)
    check_csv(client.get("/dashboard/export.csv", headers=AUTH).data)


def test_cli_export(app, chat, tmp_path, monkeypatch):
    _log(chat)
    runner = app.test_cli_runner()
    out = tmp_path / "progress.xlsx"
    result = runner.invoke(args=["export", "--format", "xlsx", "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert "19 เม.ย. 2565" in result.output
    check_workbook(out.read_bytes())
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(args=["export", "--format", "csv"])
    assert result.exit_code == 0, result.output
    check_csv((tmp_path / "nongpat-ratchaburi-2565-progress-25650419.csv").read_bytes())
    bad = runner.invoke(args=["export", "--format", "pdf"])
    assert bad.exit_code != 0
