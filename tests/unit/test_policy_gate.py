"""The out-of-library gate and the choice of the first answer among near neighbours.

The questions are written for these tests (none is in knowledge/eval): a matter the library
does not hold gets the plain "not in the library" answer, never a clause that shares a word;
a dictionary term the text writes apart is still found; among results scoring about as well,
the one whose concise answer holds the question's rare words goes first; a question asking for
a value (几天, 几月几号) is answered confidently only by a passage giving one.
"""

from __future__ import annotations

import re

import pytest

from bot.policy import KnowledgeBase, format_reply
from bot.policy.answers import NO_MATCH, REASONS
from bot.policy.gate import gives_asked, known_parts, score_unit
from bot.policy.qtypes import QuestionType, detect
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


def test_a_question_asking_for_a_value_needs_a_passage_giving_one() -> None:
    days = QuestionType("期限", ("几天",), re.compile(r"\d+\s*(日|天)"), 1.0)
    amount = QuestionType("金额", ("罚多少",), re.compile(r"\d+元"), 1.0)
    penalty = QuestionType("处罚", ("罚",), re.compile("罚款"), 1.0)
    values = {"期限": "每年|每月", "金额": ""}
    assert not gives_asked("定期更新公开指南", (days,), values)
    assert gives_asked("自受理之日起15日内答复", (days,), values)
    assert gives_asked("每年更新一次", (days,), values)  # what the gate adds for 期限
    # 罚多少 asks for a penalty and an amount: the amount given is enough
    assert gives_asked("处200元以下", (penalty, amount), values)
    # a type that is no value (a penalty, conditions) never holds an answer back
    assert gives_asked("依法处理", (penalty,), values)
    assert gives_asked("任何内容", (), values)


def test_a_date_asked_of_a_clause_giving_none_is_not_answered_confidently(
    real_kb: KnowledgeBase,
) -> None:
    # clause 1.4 holds 年度报告 but no date: offered, unsure, not stated as the answer
    unsure = real_kb.ask("政府信息公开年度报告几月几号发")
    assert unsure.best is not None and not unsure.confident
    sure = real_kb.ask("重大突发事件的舆情最迟几个小时要发布权威信息")
    assert sure.confident and "5小时内" in sure.best.answer


def test_who_is_answered_by_the_sentence_naming_the_responsible(real_kb: KnowledgeBase) -> None:
    answer = real_kb.ask("政府网站建设管理归哪个部门负总责")
    assert answer.best.clause_id == "5.16" and "第一责任主体" in answer.best.answer
    kinds = {kind.name for kind in detect("小编要担责吗", real_kb.question_types)}
    assert "处罚" in kinds


def test_a_question_asking_a_number_in_a_unit_needs_that_number() -> None:
    share = QuestionType("比例", ("比例",), re.compile("%|％|百分之|比例"), 1.0)
    days = QuestionType("天数", ("几天",), re.compile(r"\d+\s*个?(工作日|日|天)"), 0.0)
    times = QuestionType("次数", ("几回",), re.compile(r"[\d一二三]+\s*(次|回)"), 1.0)
    values = {"比例": "", "天数": "", "次数": "", "期限": ""}
    counted = ("比例", "天数", "次数")
    # a word of the type is no number: 提高支付比例 does not say what share
    assert not gives_asked("适当提高支付比例", (share,), values, counted)
    assert gives_asked("所占分值权重不低于4％", (share,), values, counted)  # 4 before ％
    # a date does not say how many days, though it is a time (期限)
    period = QuestionType("期限", ("几天",), re.compile(r"\d+年|之前"), 1.0)
    assert not gives_asked("2017年10月底前建立", (period, days), values, counted)
    assert gives_asked("提前5个工作日公告", (period, days), values, counted)
    assert gives_asked("每年至少出席1次", (times,), values, counted)
    assert not gives_asked("主要负责人要带头解读", (times,), values, counted)


def test_rules_questions_asking_a_detail_the_rules_do_not_give_are_unsure(
    real_kb: KnowledgeBase,
) -> None:
    # the rules name the thing but give no number, grade or name
    for question in ("政府网站的等级保护测评是第几级", "政务公开的培训一年有多少学时"):
        assert not real_kb.ask(question).confident, question
    # and still answer what they give
    assert "1次" in real_kb.ask("县长一年要出席几回新闻发布会").best.answer
