"""Rewrite the made-up example plans of this folder (see README.md beside this file).

    python plans/examples/generate.py

Each file comes from ``bot.core.madeup.made_up_plan``: the Ratchaburi 2565 plan's shape, a
province's real Thai name and districts (romanised keys), and targets that are MADE UP (the
first line of every file says so). Only ``plans/ratchaburi-2565.yaml`` has real figures.
"""
from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from bot.core.madeup import write_made_up  # noqa: E402

# (province key, Thai name, fiscal year B.E., districts (key, Thai name) — อำเภอเมือง first;
# None: Ratchaburi's own ten districts)
EXAMPLES: list[tuple[str, str, int, list[tuple[str, str]] | None]] = [
    ("ratchaburi", "ราชบุรี", 2566, None),
    ("kanchanaburi", "กาญจนบุรี", 2565, [
        ("mueang-kanchanaburi", "เมืองกาญจนบุรี"), ("sai-yok", "ไทรโยค"),
        ("bo-phloi", "บ่อพลอย"), ("si-sawat", "ศรีสวัสดิ์"), ("tha-maka", "ท่ามะกา"),
        ("tha-muang", "ท่าม่วง"), ("thong-pha-phum", "ทองผาภูมิ"),
        ("sangkhla-buri", "สังขละบุรี"), ("phanom-thuan", "พนมทวน"),
        ("lao-khwan", "เลาขวัญ"), ("dan-makham-tia", "ด่านมะขามเตี้ย"),
        ("nong-prue", "หนองปรือ"), ("huai-krachao", "ห้วยกระเจา")]),
    ("nakhon-pathom", "นครปฐม", 2565, [
        ("mueang-nakhon-pathom", "เมืองนครปฐม"), ("kamphaeng-saen", "กำแพงแสน"),
        ("nakhon-chai-si", "นครชัยศรี"), ("don-tum", "ดอนตูม"), ("bang-len", "บางเลน"),
        ("sam-phran", "สามพราน"), ("phutthamonthon", "พุทธมณฑล")]),
    ("samut-songkhram", "สมุทรสงคราม", 2565, [
        ("mueang-samut-songkhram", "เมืองสมุทรสงคราม"), ("bang-khonthi", "บางคนที"),
        ("amphawa", "อัมพวา")]),
]


def generate(directory: Path = HERE) -> list[Path]:
    """Write every example into ``directory``; the paths written."""
    return [write_made_up(directory, key, name, year, districts)
            for key, name, year, districts in EXAMPLES]


if __name__ == "__main__":
    for path in generate():
        print(path.relative_to(HERE.parent.parent))
