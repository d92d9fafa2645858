"""The labelled tables: hundreds of messages as officers type them → the Command expected."""
import pytest

from bot.language import Intent

from language_cases import chatter, commands

COMMANDS = commands()
CHATTER = chatter()


def test_table_sizes():
    assert len(COMMANDS) >= 400
    assert len(CHATTER) >= 150
    assert len({row[0] for row in COMMANDS}) == len(COMMANDS), "duplicate messages in the table"


@pytest.mark.parametrize(
    "msg,intent,indicator,amount,unit,category,district,confirm,topic,problem,total,role",
    COMMANDS, ids=[f"{i}:{row[0][:30]}" for i, row in enumerate(COMMANDS)])
def test_command(parser, msg, intent, indicator, amount, unit, category, district, confirm,
                 topic, problem, total, role):
    c = parser.parse(msg)
    got = (c.intent.value, c.indicator, c.amount, c.unit, c.category, c.district,
           c.needs_confirmation, c.topic.value if c.topic else None, c.problem, c.running_total,
           c.role)
    assert got == (intent, indicator, amount, unit, category, district, confirm, topic, problem,
                   total, role), c


@pytest.mark.parametrize("msg", CHATTER, ids=[f"{i}:{m[:30]}" for i, m in enumerate(CHATTER)])
def test_chatter_is_not_a_command(parser, msg):
    c = parser.parse(msg)
    assert c.intent is Intent.NONE, c
