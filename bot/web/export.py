"""Progress exports (xlsx and csv), shared by the dashboard's download routes and `flask export`.

The figures are the ones of GET /api/v1/progress (plan targets joined with the running totals),
laid out for provincial staff: Thai headers, one row per district, the province total, the
categories of the indicator, and the as-of date in the Buddhist era.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from bot import thai
from bot.core.plan import Plan
from bot.core.progress import Counters, Figure, category_figures, district_figures, province_figure

FORMATS = ("xlsx", "csv")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"

HEADERS = ("อำเภอ", "เป้าหมาย", "ผลงาน", "ร้อยละ", "คงเหลือ")
CSV_HEADERS = ("ตัวชี้วัด", "รหัสตัวชี้วัด", "หน่วย", "ระดับ", "รหัส", "ชื่อ",
               "เป้าหมาย", "ผลงาน", "ร้อยละ", "คงเหลือ", "ข้อมูล ณ")


@dataclass(frozen=True)
class IndicatorReport:
    key: str
    name: str
    full_name: str
    unit: str
    province: Figure
    districts: list[Figure]
    categories: list[Figure]


@dataclass(frozen=True)
class Report:
    province_name: str
    fiscal_year: int
    plan_key: str
    as_of: dt.datetime              # aware, Asia/Bangkok
    indicators: list[IndicatorReport]

    @property
    def as_of_text(self) -> str:
        """'19 เม.ย. 2565 10:00 น.'"""
        return thai.date_time(self.as_of)

    def filename(self, fmt: str) -> str:
        """ASCII, B.E. date: nongpat-ratchaburi-2565-progress-25650419.xlsx"""
        d = self.as_of.date()
        stamp = f"{d.year + 543:04d}{d.month:02d}{d.day:02d}"
        key = re.sub(r"[^A-Za-z0-9_-]+", "-", self.plan_key).strip("-") or "plan"
        return f"nongpat-{key}-progress-{stamp}.{fmt}"


def build_report(plan: Plan, counters: Counters, now: dt.datetime) -> Report:
    indicators = []
    for ind in plan.indicators:
        indicators.append(IndicatorReport(
            key=ind.key, name=ind.name, full_name=ind.full_name, unit=plan.units[ind.unit].name,
            province=province_figure(plan, counters, ind),
            districts=district_figures(plan, counters, ind),
            categories=category_figures(plan, counters, ind)))
    return Report(plan.province_name, plan.fiscal_year, plan.key, now, indicators)


def report_for(province: str | None = None, fiscal_year: str | int | None = None) -> Report:
    """The report of the plan ``province`` and ``fiscal_year`` name (defaults: the only
    province, its current plan; see bot.web.api.choose_plan), as of the app's clock (needs an
    app context). Raises bot.web.api.ChoiceError naming what exists."""
    from bot.web.api import choose_plan
    from models.queries import counters
    services = current_app.extensions["nongpat"]
    now = current_app.config["CLOCK"]()
    with services.read_sessions() as s:
        choice = choose_plan(services.bot.plans.get(s), services.bot.clock().date(),
                             province, fiscal_year)
        return build_report(choice.plan, counters(s, choice.active.id), now)


# --------------------------------------------------------------------------- xlsx
def _sheet_title(name: str, used: set[str]) -> str:
    title = re.sub(r"[\[\]:*?/\\]", " ", name).strip()[:31] or "sheet"
    base, n = title, 2
    while title in used:
        suffix = f" ({n})"
        title, n = base[:31 - len(suffix)] + suffix, n + 1
    used.add(title)
    return title


def xlsx_bytes(report: Report) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="DDEBF7")
    used: set[str] = set()
    as_of = f"ข้อมูล ณ {report.as_of_text}"

    summary = wb.active
    summary.title = _sheet_title("สรุปจังหวัด", used)
    summary.append([f"ผลการดำเนินงาน จังหวัด{report.province_name} "
                    f"ปีงบประมาณ {report.fiscal_year}"])
    summary.append([as_of])
    summary.append([])
    summary.append(["ตัวชี้วัด", "หน่วย", "เป้าหมาย", "ผลงาน", "ร้อยละ", "คงเหลือ"])
    for ind in report.indicators:
        f = ind.province
        summary.append([ind.name, ind.unit, f.target, f.done, f.percent, f.remaining])
    _style(summary, header_row=4, first_data=5, bold=bold, fill=head_fill, number_cols=(3, 4, 6),
           percent_col=5)

    for ind in report.indicators:
        ws = wb.create_sheet(_sheet_title(ind.name, used))
        ws.append([f"{ind.name} — {ind.full_name}"])
        ws.append([f"จังหวัด{report.province_name} ปีงบประมาณ {report.fiscal_year} · "
                   f"หน่วย: {ind.unit}"])
        ws.append([as_of])
        ws.append([])
        ws.append(list(HEADERS))
        header_row = ws.max_row
        for f in ind.districts:
            ws.append([f.name, f.target, f.done, f.percent, f.remaining])
        p = ind.province
        ws.append([f"รวมจังหวัด{report.province_name}", p.target, p.done, p.percent, p.remaining])
        for cell in ws[ws.max_row]:
            cell.font = bold
        if ind.categories:
            ws.append([])
            ws.append(["มิติ / ประเภท", "เป้าหมาย", "ผลงาน", "ร้อยละ", "คงเหลือ"])
            cat_header = ws.max_row
            for c in ind.categories:
                ws.append([c.name, c.target, c.done, c.percent, c.remaining])
            for cell in ws[cat_header]:
                cell.font, cell.fill = bold, head_fill
        _style(ws, header_row=header_row, first_data=header_row + 1, bold=bold, fill=head_fill,
               number_cols=(2, 3, 5), percent_col=4)
        ws.freeze_panes = ws.cell(row=header_row + 1, column=2)

    for ws in wb.worksheets:
        ws["A1"].font = Font(bold=True, size=13)
        for col in range(1, ws.max_column + 1):
            ws.column_dimensions[get_column_letter(col)].width = 30 if col == 1 else 14
        for row in ws.iter_rows(min_row=1, max_row=3):
            for cell in row:
                cell.alignment = Alignment(wrap_text=False)
    wb.properties.title = f"ผลการดำเนินงาน จังหวัด{report.province_name} {report.fiscal_year}"
    wb.properties.creator = "น้องพัฒน์"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _style(ws, *, header_row: int, first_data: int, bold, fill, number_cols, percent_col) -> None:
    for cell in ws[header_row]:
        cell.font, cell.fill = bold, fill
    for row in ws.iter_rows(min_row=first_data, max_row=ws.max_row):
        for cell in row:
            if cell.column in number_cols and isinstance(cell.value, int):
                cell.number_format = "#,##0"
            elif cell.column == percent_col and isinstance(cell.value, (int, float)):
                cell.number_format = "0.0"


# --------------------------------------------------------------------------- csv
def csv_rows(report: Report) -> list[list]:
    as_of = report.as_of_text
    rows: list[list] = [list(CSV_HEADERS)]
    for ind in report.indicators:
        def row(level: str, f: Figure) -> list:
            return [ind.name, ind.key, ind.unit, level, f.key, f.name,
                    "" if f.target is None else f.target, f.done,
                    "" if f.percent is None else f"{f.percent:.1f}",
                    "" if f.remaining is None else f.remaining, as_of]
        rows.extend(row("อำเภอ", f) for f in ind.districts)
        rows.append(row("จังหวัด", Figure("province", f"รวมจังหวัด{report.province_name}",
                                          ind.province.target, ind.province.done)))
        rows.extend(row("มิติ/ประเภท", c) for c in ind.categories)
    return rows


def csv_bytes(report: Report) -> bytes:
    """UTF-8 with a BOM, CRLF line ends: Excel on Thai Windows opens it with the right encoding."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows(csv_rows(report))
    return out.getvalue().encode("utf-8-sig")


def render(report: Report, fmt: str) -> tuple[bytes, str]:
    """(body, mimetype) of the report in ``fmt`` (xlsx or csv)."""
    if fmt == "xlsx":
        return xlsx_bytes(report), XLSX_TYPE
    if fmt == "csv":
        return csv_bytes(report), CSV_TYPE
    raise ValueError(f"unknown export format {fmt!r}")


# --------------------------------------------------------------------------- CLI
@click.command("export", help="ส่งออกผลการดำเนินงานรายอำเภอเป็น Excel (xlsx) หรือ CSV")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="xlsx", show_default=True,
              help="รูปแบบไฟล์")
@click.option("--output", "-o", "output", default=None,
              help="ไฟล์ที่จะเขียน (ไม่ระบุ = ชื่อมาตรฐานในโฟลเดอร์ปัจจุบัน; '-' = stdout)")
@click.option("--province", default=None,
              help="จังหวัด (key หรือชื่อภาษาไทย; ไม่ระบุ = จังหวัดเดียวที่มีแผน)")
@click.option("--fiscal-year", "fiscal_year", type=int, default=None,
              help="ปีงบประมาณ พ.ศ. (ไม่ระบุ = แผนปัจจุบันของจังหวัด)")
@with_appcontext
def export_command(fmt: str, output: str | None, province: str | None,
                   fiscal_year: int | None):
    from bot.web.api import ChoiceError
    try:
        report = report_for(province, fiscal_year)
    except ChoiceError as exc:
        hints = [f"{opt} ที่มี: {', '.join(map(str, exc.choices[k]))}"
                 for k, opt in (("provinces", "--province"), ("fiscal_years", "--fiscal-year"))
                 if exc.choices.get(k)]
        raise click.ClickException(" · ".join([exc.thai, *hints])) from None
    body, _ = render(report, fmt)
    if output == "-":
        sys.stdout.buffer.write(body)
        sys.stdout.buffer.flush()
        return
    path = Path(output) if output else Path(report.filename(fmt))
    try:
        path.write_bytes(body)
    except OSError as exc:
        raise click.ClickException(f"เขียนไฟล์ {path} ไม่ได้ ({exc.strerror})") from None
    click.echo(f"ส่งออก {fmt} ข้อมูล ณ {report.as_of_text} ไปที่ {path} แล้ว")
