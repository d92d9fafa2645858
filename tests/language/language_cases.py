"""Loads the labelled tables (commands.tsv, chatter.txt) kept next to the tests."""
from __future__ import annotations

import re
from pathlib import Path

HERE = Path(__file__).parent
_ESC = re.compile(r"\\(u[0-9a-fA-F]{4}|n|t|r)")


def unescape(s: str) -> str:
    def sub(m: re.Match) -> str:
        e = m.group(1)
        return {"n": "\n", "t": "\t", "r": "\r"}.get(e) or chr(int(e[1:], 16))
    return _ESC.sub(sub, s)


def _none(v: str) -> str | None:
    return None if v == "-" else v


def commands() -> list[tuple]:
    rows = []
    for n, line in enumerate((HERE / "commands.tsv").read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        f = line.split("\t")
        assert len(f) in (10, 11, 12), f"commands.tsv line {n}: {len(f)} columns"
        msg, intent, ind, amt, unit, cat, dist, conf, topic, problem = f[:10]
        total = len(f) >= 11 and f[10] == "1"     # optional 11th column: running_total
        role = _none(f[11]) if len(f) == 12 else None  # optional 12th: the role named
        rows.append((unescape(msg), intent, _none(ind), None if amt == "-" else int(amt),
                     _none(unit), _none(cat), _none(dist), conf == "1", _none(topic),
                     _none(problem), total, role))
    return rows


def chatter() -> list[str]:
    return [unescape(line) for line in (HERE / "chatter.txt").read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]
