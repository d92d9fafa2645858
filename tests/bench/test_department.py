"""bench/department.py's country: the 76 provinces, their 878 districts, plans that load."""
from __future__ import annotations

from bench.department import CAPITAL, PROVINCES, REAL_DISTRICTS, districts_of, write_plans
from bot.core.madeup import MADE_UP
from bot.core.plan import load_plan_file


def test_76_provinces_878_districts():
    assert len(PROVINCES) == 76
    assert len({k for k, _, _ in PROVINCES}) == len({n for _, n, _ in PROVINCES}) == 76
    assert sum(n for _, _, n in PROVINCES) == 878
    assert set(REAL_DISTRICTS) | set(CAPITAL) <= {k for k, _, _ in PROVINCES}


def test_capital_district_first_and_keys_unique():
    for key, name, n in PROVINCES:
        districts = districts_of(key, name, n)
        assert len(districts) == n
        assert len({k for k, _ in districts}) == len({d for _, d in districts}) == n, key
        if key not in CAPITAL:
            assert districts[0] == (f"mueang-{key}", f"เมือง{name}"), key


def test_made_up_plans_load(tmp_path):
    files = write_plans(tmp_path)
    assert len(files) == 76
    for path, (key, name, n) in zip(files, PROVINCES):
        assert path.read_text(encoding="utf-8").splitlines()[0] == MADE_UP
        plan = load_plan_file(path)
        assert (plan.province_key, plan.province_name, len(plan.districts)) == (key, name, n)
