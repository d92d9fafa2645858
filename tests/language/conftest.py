import os
import sys

import pytest

os.environ.setdefault("PYTHAINLP_OFFLINE", "1")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from bot.language import Parser  # noqa: E402
from bot.core.plan import load_plan_file  # noqa: E402



@pytest.fixture(scope="session")
def plan():
    return load_plan_file(os.path.join(ROOT, "plans", "ratchaburi-2565.yaml"))


@pytest.fixture(scope="session")
def parser(plan):
    return Parser(plan)
