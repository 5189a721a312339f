"""A question's word no document holds read as a shortening of a library word (KnowledgeBase._abbreviated)."""

from dataclasses import replace

from bot.policy import KnowledgeBase

pytest_plugins = ["tests.unit.policy_fixtures"]


def test_an_unknown_word_is_read_as_the_library_word_it_shortens(real_kb: KnowledgeBase) -> None:
    assert real_kb._abbreviated("独生女") == {"独生子女": 1.0}
    assert real_kb._abbreviated("技术员") == {"技术人员": 1.0}
    assert real_kb._abbreviated("公租房") == {"公共租赁住房": 1.0}


def test_known_words_numbers_and_negations_are_not_shortenings(real_kb: KnowledgeBase) -> None:
    assert real_kb._abbreviated("居住证") == {}  # the library holds it
    assert real_kb._abbreviated("二年") == {}  # not 二十年
    assert real_kb._abbreviated("不要") == {}  # not 不必要
    assert real_kb._abbreviated("办") == {}


def test_the_shortened_word_asks_for_the_full_one(real_kb: KnowledgeBase) -> None:
    """公租房 (which synonyms.yml also gives) asks for 公共租赁住房 once more; 补班 for 补习班 (a
    wrong guess, which the question's own words outweigh: 补班 is 调休 in synonyms.yml)."""
    plain = replace(real_kb.params, abbreviation_weight=0.0)
    shell = KnowledgeBase.__new__(KnowledgeBase)
    shell.__dict__.update(real_kb.__dict__, params=plain)
    shortened = real_kb.query("公租房怎么申请")[0]["body"]
    assert shortened["公共租赁住房"] == shell.query("公租房怎么申请")[0]["body"]["公共租赁住房"] + 1.0
    assert real_kb.query("补班要几天")[0]["body"]["补习班"] == 1.0
    assert "补习班" not in shell.query("补班要几天")[0]["body"]
