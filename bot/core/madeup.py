"""Made-up plans for tests, demos and benchmarks: the Ratchaburi 2565 plan's shape (the same
national missions, units, categories and milestones) with another province's name and
districts, another fiscal year, and targets that are *made up* (scaled from the number of
districts, varied by a seed). The first line of every generated file says so.

Only ``plans/ratchaburi-2565.yaml`` has real figures; nothing generated here may be taken for
a province's real plan.
"""
from __future__ import annotations

import random
import re
from pathlib import Path

from bot.config import DEFAULT_PLAN

MADE_UP = "# ตัวเลขเป้าหมายในไฟล์นี้สมมติขึ้น (MADE-UP FIGURES) ใช้สำหรับทดสอบ สาธิต และวัดประสิทธิภาพเท่านั้น"
_DATE = re.compile(r'"(\d{4})-(\d{2})-(\d{2})"')


def made_up_plan(province_key: str, province_name: str, fiscal_year: int,
                 districts: list[tuple[str, str]] | None = None, seed: int = 0,
                 key: str | None = None) -> str:
    """YAML text of a made-up plan. ``districts``: (key, Thai name) pairs; the first is taken
    as the province's อำเภอเมือง (it gets the aliases เมือง, อำเภอเมือง, อ.เมือง). Default: the
    Ratchaburi districts (a next year's made-up Ratchaburi plan)."""
    rng = random.Random(f"{province_key}:{fiscal_year}:{seed}")
    base = DEFAULT_PLAN.read_text(encoding="utf-8")
    head, _, body = base.partition("\nholidays:")
    body = "holidays:" + body
    shift = fiscal_year - 2565
    body = _DATE.sub(lambda m: f'"{int(m.group(1)) + shift}-{m.group(2)}-{m.group(3)}"', body)
    if districts is None:
        block = re.search(r"districts:\n((?:  - .*\n)+)", body).group(1)
        districts = [(m.group(1), m.group(2)) for m in re.finditer(
            r"- \{key: ([\w-]+), +name: (\S+?),", block)]
    # districts block
    lines = []
    for n, (dkey, name) in enumerate(districts):
        aliases = [name] + (["เมือง", "อำเภอเมือง", "อ.เมือง"] if n == 0 and
                            name.startswith("เมือง") else [])
        lines.append(f"  - {{key: {dkey}, name: {name}, aliases: [{', '.join(aliases)}]}}")
    body = re.sub(r"districts:\n(?:  - .*\n)+", "districts:\n" + "\n".join(lines) + "\n", body)
    # jpt district targets: made up, about 4,000 households a district
    jpt = {dkey: rng.randint(1500, 9000) for dkey, _ in districts}
    targets = "\n".join(f"      {k}: {v}" for k, v in jpt.items())
    body = re.sub(r"    target: 167839\n    district_targets:\n(?:      .*\n)+",
                  f"    target: {sum(jpt.values())}\n    district_targets:\n{targets}\n", body)
    officers = max(len(districts) * 4 + rng.randint(-2, 6), len(districts))
    body = re.sub(r"target: 4038\n", f"target: {len(districts) * rng.randint(250, 500)}\n", body)
    body = re.sub(r"people_target: 6204\n",
                  f"people_target: {len(districts) * rng.randint(400, 700)}\n", body)
    body = body.replace("    target: 41\n", f"    target: {officers}\n")
    body = re.sub(r"ครบ 41 กลุ่ม", f"ครบ {officers} กลุ่ม", body)
    key = key or f"{province_key}-{fiscal_year}"
    return (f"{MADE_UP}\n"
            f"# แผนสมมติ: จังหวัด{province_name} ปีงบประมาณ {fiscal_year} "
            "(รูปแบบเดียวกับแผนราชบุรี 2565; เป้าหมายและกำหนดการไม่ใช่ของจริง)\n"
            f"key: {key}\n"
            f"province:\n  key: {province_key}\n  name: {province_name}\n"
            f"fiscal_year: {fiscal_year}\n"
            f"officers: {officers}\n"
            "timezone: Asia/Bangkok\n\n" + body)


def write_made_up(directory: Path, province_key: str, province_name: str, fiscal_year: int,
                  districts: list[tuple[str, str]] | None = None, seed: int = 0) -> Path:
    path = Path(directory) / f"{province_key}-{fiscal_year}.yaml"
    path.write_text(made_up_plan(province_key, province_name, fiscal_year, districts, seed),
                    encoding="utf-8")
    return path
