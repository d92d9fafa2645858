"""``flask brief``: the meeting brief (bot/web/dashboard/brief.py) written to a file — the same
one-page A4 PDF as GET /dashboard/brief.pdf, or its HTML with ``--html``."""
from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from bot import thai


@click.command("brief", help="สรุปหนึ่งหน้า A4 สำหรับการประชุมประจำเดือนของจังหวัด (PDF หรือ HTML) "
                             "เช่น flask brief --date 2565-04-19 --out brief.pdf")
@click.option("--date", "date", default=None,
              help="วันประชุม พ.ศ. หรือ ค.ศ. เช่น 2565-04-19 (ไม่ระบุ = วันนี้; วันที่ผ่านมาแล้ว = "
                   "ตัวเลข ณ สิ้นวันนั้น)")
@click.option("--out", "-o", "out", default=None,
              help="ไฟล์ที่จะเขียน (ไม่ระบุ = brief-<แผน>-<วันที่>.pdf ในโฟลเดอร์ปัจจุบัน; "
                   "'-' = stdout)")
@click.option("--province", default=None,
              help="จังหวัด (key หรือชื่อภาษาไทย; ไม่ระบุ = จังหวัดเดียวที่มีแผน)")
@click.option("--fiscal-year", "fiscal_year", type=int, default=None,
              help="ปีงบประมาณ พ.ศ. (ไม่ระบุ = แผนปัจจุบันของจังหวัด ณ วันประชุม)")
@click.option("--html", "as_html", is_flag=True,
              help="เขียนเป็น HTML แทน PDF (สไตล์และฟอนต์อ่านจากโฟลเดอร์ของโปรแกรม)")
@with_appcontext
def brief_command(date: str | None, out: str | None, province: str | None,
                  fiscal_year: int | None, as_html: bool):
    from bot.web.api import ChoiceError
    from bot.web.dashboard.brief import (BriefError, PdfUnavailable, build, pdf_of,
                                         render_html, stylesheet_file)
    services = current_app.extensions["nongpat"]
    with services.read_sessions() as s:
        catalog = services.bot.plans.get(s)
        try:
            brief = build(s, catalog, services.bot.clock(), province, fiscal_year, date)
        except ChoiceError as exc:
            hints = [f"{opt} ที่มี: {', '.join(map(str, exc.choices[k]))}"
                     for k, opt in (("provinces", "--province"), ("fiscal_years", "--fiscal-year"))
                     if exc.choices.get(k)]
            raise click.ClickException(" · ".join([exc.thai, *hints])) from None
        except BriefError as exc:
            raise click.ClickException(exc.thai) from None
    with current_app.test_request_context("/dashboard/brief"):
        if as_html:
            body = render_html(brief, toolbar=False, stylesheet=stylesheet_file()).encode()
        else:
            try:
                body = pdf_of(brief)
            except PdfUnavailable as exc:
                raise click.ClickException(
                    f"สร้าง PDF ไม่ได้: ยังไม่ได้ติดตั้ง WeasyPrint/Pango (make install) — {exc}"
                    " · ใช้ --html แล้วสั่งพิมพ์จากเบราว์เซอร์แทนได้") from None
    if out == "-":
        sys.stdout.buffer.write(body)
        sys.stdout.buffer.flush()
        return
    default = brief.filename if not as_html else brief.filename[:-len(".pdf")] + ".html"
    path = Path(out) if out else Path(default)
    try:
        path.write_bytes(body)
    except OSError as exc:
        raise click.ClickException(f"เขียนไฟล์ {path} ไม่ได้ ({exc.strerror})") from None
    what = "HTML" if as_html else "PDF หนึ่งหน้า A4"
    click.echo(f"เขียนสรุปสำหรับการประชุมวันที่ {thai.long_date(brief.meeting_day)} "
               f"(จังหวัด{brief.plan.province_name} ปีงบประมาณ {brief.plan.fiscal_year}, "
               f"ข้อมูล ณ {brief.as_of_text}) เป็น {what} ไปที่ {path} แล้ว")

