"""A department's worker holds one parser per plan (76 provinces × fiscal years): the 62,000
words of the Thai dictionary and the shared vocabulary are built once, each further parser
holds only its plan's own names, and parsers of different plans stay apart."""
import dataclasses
import threading
import tracemalloc

from bot.language import PROVINCE, Intent, Parser
from bot.language.dictionary import base_dictionary


def renamed(plan, i):
    districts = tuple(dataclasses.replace(d, key=f"{d.key}-{i}", name=f"{d.name}{i}",
                                          aliases=tuple(f"{a}{i}" for a in d.aliases))
                      for d in plan.districts)
    return dataclasses.replace(plan, key=f"x{i}", province_key=f"x{i}",
                               province_name=f"{plan.province_name}{i}", districts=districts)


def test_the_dictionary_and_vocabulary_are_shared(parser, plan):
    other = Parser(renamed(plan, 1))
    assert other.trie._trie is parser.trie._trie is base_dictionary()._trie
    assert other.lexicon.common is parser.lexicon.common
    assert len(other.trie._own) < 1000           # its own words only, not 62,000
    assert "บ้านโป่ง1" in other.trie and "บ้านโป่ง1" not in parser.trie
    assert "บ้านโป่ง" in parser.trie and "ครับ" in other.trie


def test_a_further_parser_adds_little_memory(parser, plan):
    plans = [renamed(plan, i) for i in range(10, 15)]
    Parser(plans[0])
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        kept = [Parser(p) for p in plans]
        added = (tracemalloc.get_traced_memory()[0] - before) / len(kept)
    finally:
        tracemalloc.stop()
    assert added < 0.5 * 2**20, f"{added / 2**20:.2f} MB per parser"


def test_each_parser_reads_its_own_plan(parser, plan):
    other = Parser(renamed(plan, 2))
    c = other.parse("ยอด บ้านโป่ง2")
    assert (c.intent, c.district) == (Intent.QUERY, "ban-pong-2")
    assert other.parse("บันทึก จปฐ 5 ครัวเรือน อำเภอโพธาราม2").district == "photharam-2"
    assert other.parse("ยอดรวมจังหวัดราชบุรี2").district == PROVINCE
    assert parser.parse("ยอด บ้านโป่ง2").district is None
    c = other.parse("ยอด บ้านโป่ง")               # only as a typo of its own บ้านโป่ง2
    assert c.district == "ban-pong-2" and c.needs_confirmation
    # shared words and their typo repair are the same for every plan
    assert other.parse("บันทืก จปฐ 20 ครัวเรือน").amount == 20
    assert other.parse("บันทึก ออมทัพย์ 1 กลุ่ม").indicator == "savings"
    assert other.parse("ผูกกลุ่ม อำเภอโพธาราม2").district == "photharam-2"


def test_parsers_of_many_plans_from_many_threads(parser, plan):
    parsers = [parser] + [Parser(renamed(plan, i)) for i in range(3, 7)]
    messages = ["บันทึก จปฐ 120 ครัวเรือน", "บันทืก ออมทัพย์ 1 กลุ่ม", "ยอด บ้านโป่ง3",
                "ผูกกลุ่ม โพธารม", "ยอดรวมจังหวัด", "ยกเลิก", "ส่ง tpmap 3 ครัวเรือน รายไต้"]
    expected = {(k, m): p.parse(m) for k, p in enumerate(parsers) for m in messages}
    wrong = []

    def work(seed):
        for r in range(30):
            k = (seed + r) % len(parsers)
            for m in messages:
                if parsers[k].parse(m) != expected[(k, m)]:
                    wrong.append((k, m))
    threads = [threading.Thread(target=work, args=(s,)) for s in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not wrong


def test_layered_dictionary_answers_the_union():
    from bot.language.dictionary import Dictionary
    base = Dictionary(["บ้าน", "บ้านนา", "ครับ", "ก"])
    d = Dictionary(["บ้านโป่ง", "บ้าน", "บ้านโป่งใหม่", "ครับผม"], base=base)
    assert d.prefixes("บ้านโป่งใหม่ครับ") == ["บ้าน", "บ้านโป่ง", "บ้านโป่งใหม่"]
    assert d.prefixes("xบ้านนาครับผม", 1) == ["บ้าน", "บ้านนา"]
    assert d.prefixes("ครับผม") == ["ครับ", "ครับผม"]
    assert d.prefixes("กบ้าน") == ["ก"]
    assert d.prefixes("บ้านโป่ง\ud83d") == ["บ้าน", "บ้านโป่ง"]     # half an emoji
    assert "บ้านโป่ง" in d and "บ้านนา" in d and "บ้านโป่ง" not in base
    assert [1] not in d and None not in d
    assert len(d) == len(base) + 3
