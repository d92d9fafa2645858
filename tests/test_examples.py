"""plans/examples: made-up plans that load, say so in their first line, and are exactly what
plans/examples/generate.py writes."""
from __future__ import annotations

import importlib.util
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core.madeup import MADE_UP
from bot.core.plans import plan_files
from bot.db import ensure_database, make_engine
from models import PlanRecord

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "plans" / "examples"


def _generate_module():
    spec = importlib.util.spec_from_file_location("plans_examples_generate",
                                                  EXAMPLES / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_example_says_made_up_first():
    files = plan_files(EXAMPLES)
    assert len(files) >= 3
    for path in files:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first == MADE_UP and "MADE-UP" in first, path


def test_examples_load_beside_the_real_plan(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'examples.sqlite3'}")
    try:
        ensure_database(engine, f"{ROOT / 'plans' / 'ratchaburi-2565.yaml'},{EXAMPLES}")
        with Session(engine) as s:
            keys = set(s.scalars(select(PlanRecord.key)))
    finally:
        engine.dispose()
    assert keys == {"ratchaburi-2565"} | {p.stem for p in plan_files(EXAMPLES)}


def test_generate_reproduces_the_examples(tmp_path):
    written = _generate_module().generate(tmp_path)
    assert sorted(p.name for p in written) == sorted(p.name for p in plan_files(EXAMPLES))
    for path in written:
        assert path.read_bytes() == (EXAMPLES / path.name).read_bytes(), path.name
