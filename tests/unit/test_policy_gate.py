"""The out-of-library gate and the choice of the first answer among near neighbours.

The questions are written for these tests (none is in knowledge/eval): a matter the library
does not hold gets the plain "not in the library" answer, never a clause that shares a word;
a dictionary term the text writes apart is still found; among results scoring about as well,
the one whose concise answer holds the question's rare words goes first.
"""

from __future__ import annotations

import pytest

from bot.policy import KnowledgeBase, format_reply
from bot.policy.answers import NO_MATCH, REASONS
from bot.policy.gate import known_parts, score_unit
from bot.policy.selection import answer_fit, fit_order

pytest_plugins = ("tests.unit.policy_fixtures",)

RULES = "舟山市全面推进政务公开实施细则"


def test_answer_fit_counts_the_question_words_by_rarity() -> None:
    rarities = [(("列席",), 3.0), (("会议",), 1.0), (("公众", "群众"), 1.0)]
    assert answer_fit("公众代表列席市政府有关会议", rarities) == 1.0
    assert answer_fit("群众关注的会议", rarities) == pytest.approx(0.4)
    assert answer_fit("政府常务会议", rarities) == pytest.approx(0.2)
    assert answer_fit("任何内容", []) == 0.0


def test_only_results_scoring_about_as_well_as_the_first_compete_on_fit() -> None:
    # the second scores 90 % of the first and fits fully: it goes first
    assert fit_order([100.0, 90.0, 50.0], [0.2, 1.0, 1.0], ratio=0.85, weight=1.5) == [1, 0, 2]
    # the third fits fully too, but scores half the first: never moved
    assert fit_order([100.0, 80.0, 50.0], [0.2, 1.0, 1.0], ratio=0.85, weight=1.5) == [0, 1, 2]
    # no weight, no change; an equal fit keeps the order
    assert fit_order([100.0, 99.0], [0.0, 1.0], ratio=0.85, weight=0.0) == [0, 1]
    assert fit_order([100.0, 99.0], [0.5, 0.5], ratio=0.85, weight=1.5) == [0, 1]


def test_a_word_the_library_lacks_is_looked_up_by_the_dictionary_words_in_it() -> None:
    frequencies = {"谁公开谁审查": 5, "公开": 9, "审查": 9, "舟山": 9, "跨海大桥": 5, "大桥": 9}
    library = {"公开", "审查", "舟山"}
    held = library.__contains__
    assert known_parts("谁公开谁审查", held, frequencies, {"谁"}) == ["公开", "审查"]
    # the longest word from the left: 跨海大桥, not 大桥 (which it holds)
    assert known_parts("舟山跨海大桥", held, frequencies, set()) == ["舟山", "跨海大桥"]
    assert known_parts("公开", held, frequencies, set()) == ["公开"]
    assert known_parts("没人管", held, frequencies, set()) == ["没人管"]


def test_the_score_unit_grows_with_the_library() -> None:
    assert score_unit(2) < 1 < score_unit(8_000) < score_unit(200_000) < 12


@pytest.mark.parametrize(
    "question",
    [
        "护照怎么办",
        "今天天气",
        "彩票中奖了怎么领奖",
        "舟山跨海大桥过桥费多少",
    ],
)
def test_a_matter_outside_the_library_is_said_plainly(
    real_kb: KnowledgeBase, question: str
) -> None:
    answer = real_kb.ask(question)
    assert answer.out_of_library and not answer.confident, answer.best
    reply = format_reply(answer)
    assert reply == REASONS[NO_MATCH] and "《" not in reply


def test_a_dictionary_term_the_text_writes_apart_is_found(real_kb: KnowledgeBase) -> None:
    # 谁公开谁审查 is one dictionary word; the rules write "谁公开、谁审查", which the index
    # holds as 公开 and 审查: the question is covered by those, not taken for an unknown word
    question = "谁公开谁审查这条原则怎么落实"
    answer = real_kb.ask(question)
    assert not answer.out_of_library and answer.best.policy == RULES
    assert answer.best.clause_id == "1.3"
    assert real_kb.coverage(question, answer.best.policy_id) > 0.5


def test_score_thresholds_are_in_units_of_the_library(real_kb: KnowledgeBase) -> None:
    thresholds = real_kb.params.confidence
    unit = real_kb.score_unit
    assert 8 < unit < 10  # about 8,000 passages
    answer = real_kb.ask("政务公开在考核里占多少分")
    assert answer.confident and answer.best.score >= thresholds.answer_score * unit
