"""Answer quality on the shipped library: citizens' words, what a question asks for, lists.

The questions are written for these tests (none is in knowledge/eval): each shows one general
mechanism — the citizens' lexicon (synonyms.yml), question types (policy_retrieval.yml:
question_types, bot/policy/qtypes.py), the title boost, or a lead-in answer with its items.
"""

from __future__ import annotations

import re

import pytest

from bot.policy import KnowledgeBase
from bot.policy.answers import best_sentences, gives_value, with_value
from bot.policy.qtypes import compile_types, detect, matches

pytest_plugins = ("tests.unit.policy_fixtures",)

RULES = "舟山市全面推进政务公开实施细则"

TYPES = compile_types(
    {
        "期限": {"cues": ["多久", "几天"], "answer": r"\d+\s*(个)?(工作日|日|天)", "boost": 1.0},
        "金额": {"cues": ["多少钱", "罚多少"], "answer": r"\d+\s*元|倍", "boost": 0.5},
    }
)


def test_question_types_are_detected_by_their_cues() -> None:
    assert [t.name for t in detect("办证要几天，罚多少", TYPES)] == ["期限", "金额"]
    assert detect("居住证是什么", TYPES) == ()


def test_a_sentence_matches_with_the_boost_of_the_type_it_answers() -> None:
    asked = detect("要多久，罚多少", TYPES)
    assert matches("自受理之日起15个工作日内办结", asked) == 1.0
    assert matches("处200元以下罚款", asked) == 0.5
    assert matches("应当依法办理", asked) == 0.0


def test_a_bad_answer_pattern_is_refused_with_its_type() -> None:
    with pytest.raises(ValueError, match="question_types.期限"):
        compile_types({"期限": {"cues": ["多久"], "answer": "(日内"}})


@pytest.mark.parametrize(
    ("question", "policy", "fact"),
    [
        # 交强险 → 机动车交通事故责任强制保险, 罚多少 asks for an amount (倍, 元)
        ("交强险没买被查到罚多少", "机动车交通事故责任强制保险条例", "2倍罚款"),
        # 多少个工作日 asks for a time: the clause with 30个工作日内, not any clause on 登记
        ("不动产登记要多少个工作日办完", "不动产登记暂行条例", "30个工作日内"),
        # a 问答 pair matched loosely gives way to the clause's sentence naming 政协委员提案
        ("人大代表的建议和政协的提案办完了结果公开吗", RULES, "政协委员提案"),
        # 由谁 asks who is responsible (主体): the sentence naming 第一回应主体, not the principle
        ("我们县出了舆情由谁回应", RULES, "属地涉事责任部门是第一回应主体"),
        # a 解读 part asked for by its phrasing goes first, answered from its beginning;
        # "背景是什么" asks for 背景依据 (是什么 cues 关键词诠释 only when nothing else is cued)
        ("这份细则是在什么背景下出台的，背景是什么", RULES, "互联网环境下"),
        ("这份细则都讲了哪些内容", RULES, "细则共七个部分"),
        ("这个细则给群众带来哪些实惠", RULES, "办事更方便"),
    ],
)
def test_a_colloquial_question_finds_the_sentence_that_answers_it(
    real_kb: KnowledgeBase, question: str, policy: str, fact: str
) -> None:
    best = real_kb.ask(question).best
    assert best is not None and best.policy == policy
    assert fact in best.answer


def test_citizens_words_find_the_policy_named_in_official_words(real_kb: KnowledgeBase) -> None:
    # 养狗 → 养犬, 犬只; 舟山 in the title of 舟山市养犬管理条例
    answer = real_kb.ask("在舟山养狗要办什么手续")
    assert answer.best.policy == "舟山市养犬管理条例"


def test_a_lead_in_answer_comes_with_its_items(real_kb: KnowledgeBase) -> None:
    best = real_kb.ask("开校车的司机要符合哪些条件").best
    assert best.answer.startswith("取得校车驾驶资格应当符合下列条件：（一）")
    assert "25周岁以上" in best.answer and len(best.answer) <= 200
    assert re.search(r"（二）", best.answer)


def test_a_web_pages_breadcrumbs_and_share_bar_are_not_its_title() -> None:
    from datetime import date

    from bot.policy.metadata import detect as detect_metadata

    page = [
        "关注 · 广州政府网",
        "您当前所在的位置： 首页 > 政务服务 > 相关政策及解读",
        "广州市失业保险常见问题解答",
        "一、领取失业保险金需要符合什么条件？",
    ]
    assert detect_metadata(page, date(2026, 1, 5)).title == "广州市失业保险常见问题解答"
    body_first = ["- - - - - -", "第五条 助餐服务采取以下方式提供：", "（一）长者饭堂堂食；"]
    assert detect_metadata(body_first, date.today(), "助餐配餐服务管理办法").title == (
        "助餐配餐服务管理办法"
    )


def test_the_matched_answer_is_kept_only_when_it_covers_the_question_better() -> None:
    text = "各部门要做好办理结果公开工作。做好人大代表建议和政协委员提案办理结果公开工作。"
    terms = {"政协": 1.0, "提案": 1.0, "公开": 1.0}
    # the 问答 answer lacks 政协 and 提案: the clause's sentence holding them answers
    assert "政协委员提案" in best_sentences(text, terms, [], 200, preferred="办理结果要公开。")
    # a tie goes to the clause's own sentence: a 问答 pair's answer restates the rule
    # (要。…, shortened), the clause's sentence is the rule as written (h/lib14)
    tied = "政协委员提案办理结果要公开。"
    assert best_sentences(text, terms, [], 200, preferred=tied).startswith("做好人大代表建议")
    # an answer covering the question better than every sentence of the clause is kept
    better = "政协委员提案办理结果要公开，人大代表建议也要公开。"
    terms = {**terms, "建议": 1.0, "人大": 0.5}
    text = "各部门要做好办理结果公开工作。政协委员提案办理结果公开。"
    assert best_sentences(text, terms, [], 200, preferred=better) == better


def test_a_weak_question_type_counts_less_than_a_question_word() -> None:
    # "能不能" asks for a condition, whose pattern (应当 …) most sentences match: it counts as
    # much as its boost, half a word, so the sentence naming 列席 still answers
    types = compile_types({"条件": {"cues": ["能不能"], "answer": "应当", "boost": 0.5}})
    text = "有关会议的决策草案应当向社会公布。公众代表可以列席有关会议。"
    terms = {"列席": 1.0, "会议": 1.0}
    asked = detect("能不能列席会议", types)
    assert best_sentences(text, terms, [], 200, asked).startswith("公众代表可以列席")


def test_a_question_in_the_text_is_never_the_answer() -> None:
    text = "失业保险金能领到多少钱？失业保险金按照最低工资标准的百分之九十按月计发。"
    terms = {"失业": 1.0, "保险金": 1.0, "多少": 1.0, "钱": 1.0}
    assert best_sentences(text, terms, [], 200).startswith("失业保险金按照")


def test_single_characters_break_a_tie_between_sentences() -> None:
    text = "舆情回应要同步处置。涉及县（区）的舆情，属地部门是第一回应主体。"
    terms = {"舆情": 1.0, "回应": 1.0}
    assert "属地部门" in best_sentences(text, terms, [], 200, chars=["县", "舆", "情"])
    assert best_sentences(text, terms, [], 200).startswith("舆情回应")


_VALUE_TYPES = compile_types(
    {
        "期限": {
            "cues": ["多久"],
            "answer": r"\d+\s*(个)?(工作日|日|天)|[一二三四五六七八九十]+个?(工作日|日|天)|日内",
            "boost": 1.0,
        },
        "金额": {"cues": ["费用", "多少钱"], "answer": r"\d+元|标准|免费", "boost": 1.0},
    }
)


def test_a_value_is_given_by_a_number_not_by_a_word() -> None:
    time, amount = _VALUE_TYPES
    assert gives_value("在收到申诉之日起十五个工作日内给予答复。", [time])
    assert gives_value("处200元以下罚款。", [amount])
    assert not gives_value("收费标准向社会公示。", [amount])  # 标准 names no amount
    assert not gives_value("在规定期限内办理。", [time])


def test_a_question_asking_for_a_value_is_answered_by_the_sentence_giving_it() -> None:
    text = (
        "受处分学生或者其父母对学校处分决定不服的，可以向教育行政部门提出申诉。"
        "教育行政部门应当在收到申诉之日起十五个工作日内给予答复。"
    )
    terms = {"学校": 1.0, "处分": 1.0, "不服": 1.0, "教育行政部门": 1.0, "申诉": 1.0, "答复": 1.0}
    asked = detect("孩子被学校处分 不服去申诉 多久答复", _VALUE_TYPES)
    # by the question's words the first sentence wins (5 words against 3 and the time)
    assert best_sentences(text, terms, [], 200, asked).startswith("受处分学生")
    valued = best_sentences(text, terms, [], 200, asked, values=asked, value_ratio=0.3)
    assert valued.startswith("教育行政部门应当在收到申诉之日起十五个工作日内")
    # the sentence giving the value must still cover enough of the question
    assert best_sentences(text, terms, [], 200, asked, values=asked, value_ratio=0.9).startswith(
        "受处分学生"
    )
    # a matched 问答 answer lacking the value gives way to it too
    preferred = "学生不服学校处分的，可以向教育行政部门提出申诉，教育行政部门应当作出答复。"
    assert best_sentences(
        text, terms, [], 200, asked, preferred, values=asked, value_ratio=0.3
    ).startswith("教育行政部门应当在收到申诉之日起")


def test_the_value_rule_changes_answers_not_the_order_of_results(real_kb: KnowledgeBase) -> None:
    from dataclasses import replace

    question = "工伤认定申请受理后多久作出决定"
    before = real_kb.ask(question)
    saved = real_kb.params
    try:
        real_kb.params = replace(saved, answer_value_ratio=0.0)
        plain = real_kb.ask(question)
    finally:
        real_kb.params = saved
    assert [(r.policy_id, r.clause_id, r.score) for r in before.results] == [
        (r.policy_id, r.clause_id, r.score) for r in plain.results
    ]


def test_a_stated_case_is_answered_by_the_sentence_whose_condition_it_meets() -> None:
    from bot.policy.situations import meets, stated

    text = (
        "年满60周岁不满65周岁的老年人乘坐公共汽车和城市轨道交通，享受半价优惠。"
        "65周岁以上老年人免费享受前款优待。"
    )
    terms = {"公共汽车": 1.0, "城市轨道交通": 1.0, "老年人": 1.0}
    cases = stated("我爸六十六了 坐地铁公交还要钱吗")

    def case(sentence: str) -> bool:
        return meets(sentence, cases)

    assert best_sentences(text, terms, [], 200).startswith("年满60周岁不满65周岁")
    assert best_sentences(text, terms, [], 200, case=case, value_ratio=0.3).startswith("65周岁以上")
    cases = stated("我62岁坐地铁打折吗")
    assert best_sentences(text, terms, [], 200, case=case, value_ratio=0.3).startswith(
        "年满60周岁不满65周岁"
    )


def test_on_a_tie_the_answer_with_the_asked_shape_is_kept() -> None:
    kinds = compile_types({"条件": {"cues": ["能不能"], "answer": "可以|应当", "boost": 0.5}})
    asked = detect("能不能反映问题", kinds)
    text = "围绕群众反映的热点问题扩大参与。"
    terms = {"反映": 1.0, "问题": 1.0, "平台": 0.5}
    preferred = "可以通过平台反映。"  # 反映, 平台 and the asked shape: as much as 反映, 问题
    assert best_sentences(text, terms, [], 200, asked, preferred) == preferred


def test_a_matched_sentence_giving_no_value_gives_way_to_its_clauses_sentence_giving_one() -> None:
    clause = "受处分学生不服的，可以向教育行政部门提出申诉。教育行政部门应当在收到申诉之日起十五个工作日内给予答复。"
    terms = {"处分": 1.0, "不服": 1.0, "申诉": 1.0, "答复": 1.0}
    asked = detect("处分不服申诉多久答复", _VALUE_TYPES)
    matched = "受处分学生不服的，可以向教育行政部门提出申诉。"
    assert with_value(matched, clause, terms, [], 200, asked) == matched  # the rule off
    valued = with_value(matched, clause, terms, [], 200, asked, values=asked, value_ratio=0.3)
    assert "十五个工作日内" in valued
    # a matched sentence already giving a value stays
    given = "教育行政部门应当在十日内答复。"
    assert with_value(given, clause, terms, [], 200, asked, values=asked, value_ratio=0.3) == given
