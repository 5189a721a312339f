"""Citizens' words against the rules' words: the general lexicon, separable words, place words
and what a question asks for (bot/policy/analysis.py, bot/policy/qtypes.py).

The questions are written for these tests (none is in knowledge/eval).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.policy.analysis import Analyzer, Synonyms
from bot.policy.params import RetrievalParams
from bot.policy.qtypes import compile_types, detect, matches
from tests.unit.policy_data import KNOWLEDGE, shipped_analyzer

SHIPPED_TYPES = compile_types(RetrievalParams.load(KNOWLEDGE / "policy_retrieval.yml").question_types)


@pytest.fixture(scope="module")
def analyzer(tmp_path_factory: pytest.TempPathFactory) -> Analyzer:
    corpus = ["无偿献血者两次献血间隔时间不少于六个月。", "离婚登记", "船舶污染物", "违者处以罚款。"]
    return shipped_analyzer(corpus, tmp_path_factory.mktemp("jieba"))


def asked(question: str) -> list[str]:
    return [kind.name for kind in detect(question, SHIPPED_TYPES)]


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("单身的人多大能自己申请公租房", "年龄"),
        ("小区里遛狗牵引绳要多长", "距离"),
        ("网吧离中学多远才行", "距离"),
        ("廉租房人均住房多少平以下", "面积"),
        ("这个物业新规什么时候开始实施", "施行"),
    ],
)
def test_an_age_a_length_an_area_and_a_start_date_are_asked_for(question: str, kind: str) -> None:
    assert kind in asked(question)


def test_the_shapes_of_an_age_a_length_an_area_and_a_start_date() -> None:
    by_name = {kind.name: kind for kind in SHIPPED_TYPES}
    assert matches("年满十八周岁的，可以申请", [by_name["年龄"]])
    assert matches("牵引绳长度不超过1.5米", [by_name["距离"]])
    assert not matches("人均住房建筑面积15平方米以下", [by_name["距离"]])
    assert matches("人均住房建筑面积15平方米以下", [by_name["面积"]])
    assert matches("本规定自2024年3月1日起施行。", [by_name["施行"]])
    # amounts written in Chinese numerals, as most regulations write them
    assert matches("处五千元以上三万元以下罚款", [by_name["金额"]])


def test_a_passage_answering_every_asked_type_earns_every_boost() -> None:
    kinds = asked("在小区乱扔垃圾罚多少")
    assert {"处罚", "金额"} <= set(kinds)
    chosen = [kind for kind in SHIPPED_TYPES if kind.name in kinds]
    both = matches("由城市管理部门责令改正，处五十元以上二百元以下罚款。", chosen)
    only_amount = matches("垃圾处理费收费标准为每户每月十元。", chosen)
    only_penalty = matches("对违反规定的，依法给予处罚。", chosen)
    assert both > only_amount > 0 and both > only_penalty > 0


@pytest.mark.parametrize(
    ("question", "word"),
    [("献完血多久可以再献", "献血"), ("被罚了款能申请复议吗", "罚款"), ("离了婚户口怎么办", "离婚")],
)
def test_a_separable_word_split_by_an_aspect_particle_is_put_back_together(
    analyzer: Analyzer, question: str, word: str
) -> None:
    words, _ = analyzer.analyse_question(question)
    assert word in words


def test_characters_that_make_no_dictionary_word_are_left_apart(analyzer: Analyzer) -> None:
    tokens = [token for token, _, _ in analyzer.question_tokens("我吃完饭了")]
    assert "吃饭" not in tokens and "饭" in tokens


def test_a_noun_with_a_place_word_takes_the_nouns_official_term() -> None:
    synonyms = Synonyms({"船": ["船舶"], "网": ["网站"]})
    assert synonyms.expand("船上的垃圾", [(0, 2)]) == {"船舶": 1.0}
    # a phrase inside a longer word that is not noun + place word is still not that phrase
    assert synonyms.expand("网络安全", [(0, 2)]) == {}
    assert synonyms.expand("上网", [(0, 2)]) == {}


@pytest.mark.parametrize(
    ("question", "official"),
    [
        ("我爸走了丧葬费怎么领", "死亡"),
        ("能不能埋在自家山上", "安葬"),
        ("养老院突然关门了怎么办", "养老机构"),
        ("我家的房子被台风吹坏了", "房屋"),
        ("单位跟我闹工资纠纷", "争议"),
        ("学校门口开了家网吧", "上网服务营业场所"),
        ("手续没带齐能不能一次告诉我", "补正"),
        # what befell the asker (人生事件), and paying seen from the rule's side
        ("厂里效益不好我下岗了", "失业"),
        ("我妈在菜场摔了一跤", "事故伤害"),
        ("上班路上被车撞了", "意外伤害"),
        ("孩子生病了住院", "疾病"),
        ("生孩子的时候", "生育"),
        ("电动车被偷了", "被盗"),
        ("去体检要掏钱吗", "收取费用"),
        # an omission as people say it (没) and as a penalty clause writes it (未)
        ("开店没办营业执照", "未办理"),
        ("单位没交失业保险费", "未缴纳"),
        ("他瞒着收入领补贴", "隐瞒"),
        # being taken on, as the asker says it (入职) and as the rule writes it (录用)
        ("刚入职单位多久要给我开公积金", "录用"),
    ],
)
def test_the_general_lexicon_maps_everyday_words_to_the_rules_words(
    analyzer: Analyzer, question: str, official: str
) -> None:
    _, expansions = analyzer.analyse_question(question)
    assert official in expansions


def test_the_general_lexicon_holds_no_question_words() -> None:
    """Question words ask for an answer's shape (question_types), not for a word: no everyday
    phrase of the general section asks anything (多少, 几, 多久, 什么, 哪, 怎么, 吗)."""
    text = (KNOWLEDGE / "synonyms.yml").read_text(encoding="utf-8")
    general = Synonyms.load(_section(text, "通用口语词表", Path("general.yml")))
    asking = ("多少", "几", "多久", "什么", "啥", "哪", "怎么", "吗")
    assert len(general.variants) > 200
    assert not [v for v, _ in general.variants if any(word in v for word in asking)]


def _section(text: str, heading: str, name: Path) -> Path:
    import tempfile

    folder = Path(tempfile.mkdtemp())
    (folder / name).write_text(text[text.index(heading) :].split("\n", 1)[1], encoding="utf-8")
    return folder / name
