"""The asker's case stated as a quantity, and the conditions it meets (bot/policy/situations.py)."""

from dataclasses import replace

import pytest

from bot.policy import KnowledgeBase
from bot.policy.situations import meets, stated

pytest_plugins = ["tests.unit.policy_fixtures"]


def test_a_stated_case_is_read_with_its_unit_and_range():
    assert stated("上班十五年了一年有几天年假") == [("年", 15.0, 15.0)]
    assert stated("交了十几年失业险 失业金能领多久") == [("年", 11.0, 19.0)]
    assert stated("干了二十多年 年休假多少天") == [("年", 21.0, 29.0)]
    assert stated("我妈66了坐公交要钱吗") == [("岁", 66.0, 66.0)]
    assert stated("开了两千公里还能退吗") == [("公里", 2000.0, 2000.0)]
    assert stated("外地户口45岁女的第一次交养老保险有限制吗") == [("岁", 45.0, 45.0)]
    assert stated("山东这边 男的五十多了找不到工作 算就业困难吗") == [("岁", 51.0, 59.0)]
    assert stated("女的四十了还能考吗") == [("岁", 40.0, 40.0)]


def test_a_question_or_a_rate_is_no_stated_case():
    assert stated("一年有几天年假") == []
    assert stated("工伤认定要几年") == []
    assert stated("2019年国庆放几天") == []
    assert stated("交了多少年才能领养老金") == []


def test_a_phrase_whose_every_bound_is_met_fits_the_case():
    years = stated("上班十五年了")
    assert meets("职工累计工作已满10年不满20年的，年休假10天", years)
    assert not meets("职工累计工作已满1年不满10年的，年休假5天", years)
    assert not meets("已满20年的，年休假15天", years)
    assert meets("65周岁以上老年人免费乘坐", stated("我妈66了坐公交要钱吗"))
    assert not meets("70周岁以上老年人免费乘坐", stated("我妈66了坐公交要钱吗"))
    assert meets("自三包有效期起算之日起60日内或者行驶里程3000公里之内", stated("开了两千公里"))


def test_bounds_of_another_unit_say_nothing():
    assert not meets("年满十八周岁的公民", stated("上班十五年了"))
    assert not meets("自受理之日起15日内作出决定", stated("交了十几年"))


@pytest.mark.parametrize("question", ["我在单位干了十二年了 年假能休几天", "参加工作二十五年了年休假有多少天"])
def test_the_rule_for_the_askers_case_comes_first(real_kb: KnowledgeBase, question: str) -> None:
    """Without the situation, a clause of the 实施办法 naming 年休假天数 for another case wins."""
    first = real_kb.ask(question).results[0]
    assert first.policy == "职工带薪年休假条例" and "已满10年不满20年" in first.text
    plain = replace(real_kb.params, situation_weight=0.0)
    shell = KnowledgeBase.__new__(KnowledgeBase)
    shell.__dict__.update(real_kb.__dict__, params=plain)
    assert shell.ask(question).results[0].policy != "职工带薪年休假条例"


@pytest.mark.parametrize(
    ("question", "span"),
    [
        ("干了5多年 年假几天", ("年", 5.01, 5.99)),
        ("干了3年多 年假几天", ("年", 3.01, 3.99)),
        ("工作3年多了能休年假吗", ("年", 3.01, 3.99)),
        ("孩子3岁多了", ("岁", 3.01, 3.99)),
        ("三十多岁能考公务员吗", ("岁", 31.0, 39.0)),
        ("我爸六十多了坐公交要钱吗", ("岁", 61.0, 69.0)),
        ("开了两千多公里还能退吗", ("公里", 2001.0, 2999.0)),
        ("开了一百多公里", ("公里", 101.0, 199.0)),
    ],
)
def test_an_approximate_number_is_a_range_from_low_to_high(question, span):
    """A single unit said with 多 (5多年, 3年多) is more than it and under the next one; the
    range is never inverted."""
    assert stated(question) == [span]
    unit, low, high = span
    assert low <= high


def test_more_than_a_single_unit_meets_the_bounds_it_lies_within():
    years = stated("干了5多年")
    assert meets("已满1年不满10年的，年休假5天", years)
    assert meets("满5年的", years)
    assert not meets("不满5年的", years)
    assert not meets("满6年的", years)


def test_half_a_unit_and_a_length_after_a_verb_of_staying_are_a_stated_case():
    assert stated("老家表弟来我家住半个月 要去派出所登记吗") == [("月", 0.5, 0.5)]
    assert stated("跟着包工头干了半年") == [("年", 0.5, 0.5)]
    assert stated("在朋友家待三天要登记吗") == [("日", 3.0, 3.0)]
    assert stated("住多久要登记") == []


def test_a_length_meets_bounds_in_smaller_units_of_time():
    """半个月 is 15 days; a year is 12 months."""
    assert meets("居住时间在三十日以下的，可以不申报居住登记", stated("住半个月"))
    assert not meets("居住时间在十日以下的，可以不申报居住登记", stated("住半个月"))
    assert meets("连续工作满12个月以上的职工", stated("上班两年了"))
    assert not meets("连续工作满12个月以上的职工", stated("干了半年"))


def test_a_deadline_is_no_condition_on_the_askers_case():
    """每满1年之日前1个月内 says when to act, not whom the rule is for."""
    month = stated("住半个月")
    assert not meets("应当在居住每满1年之日前1个月内办理签注手续", month)
    assert not meets("应当自到达之日起三十日内申报", month)
    assert meets("居住时间在三十日以内的", month)
