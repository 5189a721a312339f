"""Answers from the knowledge base: paraphrases, confidence, bad input, follow-ups, flags."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from bot.policy import Answer, KnowledgeBase, Result, format_reply
from bot.policy.answers import EMPTY, NO_CONTENT, NO_MATCH, NO_PREVIOUS, NOT_CHINESE, TOO_LONG
from bot.policy.evaluation import normalise

pytest_plugins = ("tests.unit.policy_fixtures",)

RULES = "舟山市全面推进政务公开实施细则"


def found(answer: Answer, fact: str) -> bool:
    best = answer.best
    return best is not None and normalise(fact) in normalise(best.answer + best.text)


@pytest.mark.parametrize(
    ("question", "fact", "clause"),
    [
        ("一把手要不要亲自出来讲政策", "带头解读政策", "2.5"),
        ("新出的政策该由谁来解释", "谁起草、谁解读", "2.5"),
        ("出了大事政府最晚多久要发消息", "5小时", "3.11"),
        ("老百姓能不能去旁听政府开会", "列席", "1.2"),
        ("政务公开在考核里占多大比重", "不低于4％", "7.23"),
        ("网上有人造谣怎么办", "移交公安机关", "3.10"),
        ("办证能网上申请快递到家吗", "快递送达", "5.15"),
        ("我提的意见没被采纳会给个说法吗", "说明理由", "4.13"),
    ],
)
def test_paraphrases_find_the_clause(
    real_kb: KnowledgeBase, question: str, fact: str, clause: str
) -> None:
    answer = real_kb.ask(question)
    assert found(answer, fact), format_reply(answer)
    assert answer.best.clause_id == clause
    assert answer.best.policy == RULES


@pytest.mark.parametrize("question", ["一把手要不要亲自出来讲政策", "政务公开在考核里占多大比重"])
def test_clear_questions_are_confident(real_kb: KnowledgeBase, question: str) -> None:
    assert real_kb.ask(question).confident


def test_result_carries_its_source(real_kb: KnowledgeBase) -> None:
    best = real_kb.ask("政策文件由哪个部门负责解读？").best
    assert best.clause == "（二）政策解读 第5条"
    assert best.doc_no == "" and best.url == ""
    assert not best.expired and not best.sample
    assert len(best.answer) <= 200
    assert "谁起草、谁解读" in best.text


def test_results_are_one_per_clause(real_kb: KnowledgeBase) -> None:
    answer = real_kb.ask("政策解读", top_k=5)
    keys = [
        (r.policy_id, r.clause_id, r.kind if r.kind == "interpretation" else "")
        for r in answer.results
    ]
    assert len(keys) == len(set(keys)) == 5


@pytest.mark.parametrize(
    "question", ["今天天气怎么样", "帮我写一首诗", "推荐一部好看的电影", "哪里的海鲜最好吃"]
)
def test_nonsense_is_not_confident(real_kb: KnowledgeBase, question: str) -> None:
    answer = real_kb.ask(question)
    assert not answer.confident
    reply = format_reply(answer)
    assert "来源" not in reply


def test_a_question_outside_the_library_gets_no_unrelated_clauses(real_kb: KnowledgeBase) -> None:
    answer = real_kb.ask("明年元宵节普陀山放烟花吗")
    assert answer.out_of_library and not answer.confident
    reply = format_reply(answer)
    assert reply.startswith("政策库里没有找到相关内容")
    assert "《" not in reply and "12345" in reply


@pytest.mark.parametrize(
    ("question", "incidental"),
    [
        # 负面清单 (第4条) and 保密审查 (第3条) are never said together: no clause answers both
        # (政府有哪些信息是不能公开的 was this example until coverage_weight ranked first 第4条,
        # which holds 不予公开 and 负面清单 together)
        ("负面清单要不要保密审查", "舟山市全面推进政务公开实施细则"),
    ],
)
def test_specific_words_scattered_over_a_policy_are_not_a_confident_answer(
    real_kb: KnowledgeBase, question: str, incidental: str
) -> None:
    answer = real_kb.ask(question)
    assert answer.best.policy == incidental
    assert not answer.confident
    assert not real_kb.anchored(answer.question, answer.best)


def test_a_passage_holding_the_specific_words_and_the_asked_kind_is_confident(
    real_kb: KnowledgeBase,
) -> None:
    # "能不能" asks for a possibility: the 问答 pair (or the asked question) saying where one
    # can 反映情况 answers it, rather than a clause that only mentions 舟山发布 among others
    answer = real_kb.ask("舟山发布能不能反映问题")
    assert answer.confident and real_kb.anchored(answer.question, answer.best)
    assert answer.best.clause_id == "4.14"
    assert "“舟山发布”“12345”等平台" in answer.best.answer


@pytest.mark.parametrize(
    ("question", "policy"),
    [
        ("公积金怎么提取", "住房公积金管理条例"),
    ],
)
def test_a_policy_named_by_its_subject_anchors_the_answer(
    real_kb: KnowledgeBase, question: str, policy: str
) -> None:
    answer = real_kb.ask(question)
    assert policy in answer.best.policy
    assert real_kb.anchored(answer.question, answer.best)


@pytest.mark.parametrize(
    ("question", "reason"),
    [
        ("", EMPTY),
        ("   \n\t ", EMPTY),
        (None, EMPTY),
        ("😀😀！！？？……", NO_CONTENT),
        ("政策" * 2500, TOO_LONG),
        ("How do I request government information?", NOT_CHINESE),
        ("嗡嗡嗡", NO_MATCH),
    ],
)
def test_bad_input_gives_a_reason_not_an_exception(
    real_kb: KnowledgeBase, question: object, reason: str
) -> None:
    answer = real_kb.ask(question)
    assert answer.reason == reason
    assert answer.results == ()
    assert not answer.confident
    assert format_reply(answer)


def test_traditional_characters_and_html_are_understood(real_kb: KnowledgeBase) -> None:
    traditional = real_kb.ask("政策解讀由誰負責？")
    assert traditional.question == "政策解读由谁负责？"
    assert found(traditional, "谁起草、谁解读")
    html = real_kb.ask("<p>政务公开考核<b>占多少分</b></p><script>x</script>")
    assert found(html, "不低于4％")


def test_confident_reply_cites_the_source(real_kb: KnowledgeBase) -> None:
    answer = real_kb.ask("一把手要不要亲自出来讲政策")
    reply = format_reply(answer)
    assert reply.splitlines()[0] == answer.best.answer
    assert f"来源：《{RULES}》（二）政策解读 第5条" in reply


def test_followup_returns_the_clause_of_the_previous_answer(real_kb: KnowledgeBase) -> None:
    previous = real_kb.ask("一把手要不要亲自出来讲政策")
    follow = real_kb.followup("具体是哪一条？", previous)
    assert follow.followup == "clause"
    assert follow.best.clause_id == "2.5"
    assert follow.best.text.startswith("明确解读责任主体。")
    reply = format_reply(follow)
    assert reply.startswith(f"出自《{RULES}》（二）政策解读 第5条")


def test_followup_without_previous_answer(real_kb: KnowledgeBase) -> None:
    assert real_kb.followup("具体是哪一条？", None).reason == NO_PREVIOUS


def test_followup_rebuilt_from_a_slot(real_kb: KnowledgeBase) -> None:
    previous = real_kb.ask("政务公开在考核里占多大比重")
    stored = Answer(question="", results=(Result(**previous.best.to_dict()),))
    assert real_kb.followup("原文是什么", stored).best.clause_id == "7.23"


def test_other_followups_are_searched_in_context(real_kb: KnowledgeBase) -> None:
    previous = real_kb.ask("一把手要不要亲自出来讲政策")
    follow = real_kb.followup("那出了大事多久要发布消息？", previous)
    assert follow.followup is None
    assert found(follow, "5小时")


def test_expired_policy_is_flagged(sample_kb: KnowledgeBase) -> None:
    answer = sample_kb.ask("路边停车怎么收费", today=date(2024, 1, 1))
    best = answer.best
    assert best.policy_id == "sample-parking"
    assert best.expired and best.sample
    assert best.doc_no == "示例〔2015〕1号"
    confident_reply = format_reply(Answer(question="", results=(replace(best, confident=True),)))
    assert "已失效" in confident_reply and "示例政策" in confident_reply
    assert best.url in confident_reply and "文号：示例〔2015〕1号" in confident_reply
    unsure_reply = format_reply(Answer(question="", results=(replace(best, confident=False),)))
    assert "（已失效）（示例）" in unsure_reply
    assert not sample_kb.ask("路边停车怎么收费", today=date(2016, 1, 1)).best.expired


def test_validity_followup(sample_kb: KnowledgeBase) -> None:
    previous = sample_kb.ask("路边停车怎么收费", today=date(2024, 1, 1))
    follow = sample_kb.followup("这个还有效吗", previous, today=date(2024, 1, 1))
    assert follow.followup == "validity"
    assert "已于2018年12月31日失效" in format_reply(follow)


def test_context_policy_is_preferred(sample_kb: KnowledgeBase) -> None:
    question = "网站上会公告吗"
    plain = sample_kb.ask(question, top_k=2)
    assert {r.policy_id for r in plain.results} == {
        "sample-ferry"
    } or plain.best.policy_id == "sample-ferry"
    boosted = sample_kb.ask("收费标准", context_policy_id="sample-parking")
    assert boosted.best.policy_id == "sample-parking"
    assert sample_kb.ask("收费标准", context_policy_id="no-such-policy").results


def test_answer_round_trips_through_a_dict(real_kb: KnowledgeBase) -> None:
    answer = real_kb.ask("五公开是什么意思")
    data = answer.to_dict()
    assert data["question"] == "五公开是什么意思"
    assert [Result(**r) for r in data["results"]] == list(answer.results)
