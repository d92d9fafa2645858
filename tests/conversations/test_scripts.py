"""One test per conversation script in scripts/*.txt, each on a fresh app and database."""
import pytest

from tests.conversations.script import Runner, ScriptFailure, load_all

SCRIPTS = load_all()


def test_there_are_enough_scripts():
    assert len(SCRIPTS) >= 150
    assert sum(len(s.steps) for s in SCRIPTS) >= 600


@pytest.mark.parametrize("script", SCRIPTS, ids=[s.title for s in SCRIPTS])
def test_script(script, make_app, fake_line):
    try:
        Runner(script, make_app, fake_line).run()
    except ScriptFailure as failure:
        pytest.fail(str(failure), pytrace=False)
