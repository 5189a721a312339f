"""Whose rules a document holds and which place a question is about (bot/policy/places.py).

A citizen of Zhoushan naming no place means Zhoushan's rule, then Zhejiang's, then the nation's;
another city's rule answers only when they name that city.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from bot.policy import KnowledgeBase
from bot.policy.places import Regions
from tests.unit.policy_data import KNOWLEDGE, write_policy

pytest_plugins = ("tests.unit.policy_fixtures",)

ROWS = [
    ("浙江省", "浙江", ""),
    ("舟山市", "舟山", "浙江省"),
    ("普陀区", "", "舟山市"),
    ("杭州市", "杭州", "浙江省"),
    ("广东省", "广东", ""),
    ("广州市", "广州", "广东省"),
    ("天河区", "", "广州市"),
    ("上海市", "上海", ""),
    ("普陀区", "", "上海市"),
]


@pytest.fixture
def regions() -> Regions:
    return Regions(ROWS, home="舟山市")


def names(regions: Regions, numbers) -> list[str]:
    return [regions.names[n] for n in numbers]


def test_a_region_is_named_in_full_or_by_its_short_name(regions: Regions) -> None:
    assert names(regions, regions.named("在广州天河区读书")) == ["广州市", "天河区"]
    assert names(regions, regions.named("杭州居住证")) == ["杭州市"]
    assert names(regions, regions.chain(regions.named("天河区")[0])) == ["天河区", "广州市", "广东省"]


def test_a_shared_name_means_the_one_beside_the_other_places_named_or_near_home(
    regions: Regions,
) -> None:
    zhoushan = regions.named("普陀区的菜场")
    shanghai = regions.named("上海普陀区的菜场")
    assert names(regions, regions.chain(zhoushan[0])) == ["普陀区", "舟山市", "浙江省"]
    assert names(regions, regions.chain(shanghai[-1])) == ["普陀区", "上海市"]
    assert Regions(ROWS).named("普陀区") == []  # no home, nothing beside it: cannot say


def test_a_question_naming_no_place_is_about_home(regions: Regions) -> None:
    line, named = regions.asked("居住证多久能办好")
    assert names(regions, line) == ["舟山市", "浙江省"] and not named
    assert regions.asked("舟山居住证多久能办好") == (line, frozenset(regions.named("舟山")))
    line, named = regions.asked("天河区居住证多久能办好")
    assert names(regions, line) == ["天河区", "广州市", "广东省"]


def test_national_and_local_rules_apply_another_places_do_not(regions: Regions) -> None:
    line, named = regions.asked("居住证多久能办好")
    zhejiang, guangzhou = regions.named("浙江")[0], regions.named("广州")[0]
    putuo = regions.named("普陀区")[0]
    assert regions.applies(-1, line, named) == 2  # national
    assert regions.applies(zhejiang, line, named) == 1
    assert regions.applies(putuo, line, named) == 2  # inside home
    assert regions.applies(guangzhou, line, named) is None
    line, named = regions.asked("广州居住证多久能办好")
    assert regions.applies(guangzhou, line, named) == 0
    assert regions.applies(zhejiang, line, named) is None


def test_a_documents_region_comes_from_its_title_or_issuer_then_its_text(
    regions: Regions,
) -> None:
    def never() -> list[int]:
        raise AssertionError("the text is not needed")

    guangzhou = regions.named("广州")[0]
    tianhe = regions.named("天河区")[0]
    assert regions.of_document(("广州市临时救助实施细则", ""), never) == guangzhou
    assert regions.of_document(("电子居住证如何申领", "广州市公安局"), never) == guangzhou
    assert regions.of_document(("居住证暂行条例", "国务院"), never) == -1
    assert regions.of_document(("电子居住证如何申领", ""), lambda: [guangzhou, tianhe]) == tianhe
    shanghai = regions.named("上海")[0]
    assert regions.of_document(("电子居住证如何申领", ""), lambda: [guangzhou, shanghai]) == -1
    assert regions.of_document(("电子居住证如何申领", ""), list) == -1


def test_regions_are_read_from_their_file(tmp_path: Path) -> None:
    path = tmp_path / "regions.tsv"
    path.write_text("# comment\n浙江省\t浙江\t\n舟山市\t舟山\t浙江省\n", encoding="utf-8")
    loaded = Regions.load(path, home="舟山")
    assert names(loaded, loaded.home) == ["舟山市", "浙江省"]
    assert len(Regions.load(tmp_path / "missing.tsv")) == 0


RESIDENCE = """\
id: {id}
title: {title}
issuer: {issuer}
sample: true
structure:
- id: '1'
  label: 第一条
  text: 公安机关应当自受理居住证申领之日起{days}日内制作发放居住证。
"""


def knowledge_with_regions(tmp_path: Path) -> Path:
    """A knowledge folder with the real dictionary and retrieval settings, the test's regions
    and no policies yet."""
    root = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE / "dictionary", root / "dictionary")
    for name in ("synonyms.yml", "policy_stopwords.txt", "policy_retrieval.yml"):
        shutil.copy(KNOWLEDGE / name, root / name)
    (root / "regions.tsv").write_text(
        "".join("\t".join(row) + "\n" for row in ROWS), encoding="utf-8"
    )
    return root


@pytest.fixture
def two_places_kb(tmp_path: Path, cache_dir: Path) -> KnowledgeBase:
    """Two rules on one matter, almost word for word: Guangzhou's (whose title fits the
    questions below a little better) and Zhejiang's."""
    root = knowledge_with_regions(tmp_path)
    for policy_id, title, issuer, days in (
        ("gz-residence", "居住证申领发放规定", "广州市公安局", 10),
        ("zj-residence", "居住证申领办理规定", "浙江省公安厅", 15),
    ):
        text = RESIDENCE.format(id=policy_id, title=title, issuer=issuer, days=days)
        write_policy(root / "policies", policy_id, text)
    return KnowledgeBase.load(root, cache_dir=cache_dir)


def test_a_question_naming_no_place_gets_the_home_provinces_rule_first(
    two_places_kb: KnowledgeBase,
) -> None:
    unweighted = replace(two_places_kb.params, place_weight=0.0, local_weight=0.0)
    assert KnowledgeBase(two_places_kb.policies, two_places_kb.analyzer, unweighted).ask(
        "居住证申领多少日内发放"
    ).best.policy_id == "gz-residence"
    # a deployment whose library holds other cities' rules may set place_weight (default 0)
    home_first = KnowledgeBase(
        two_places_kb.policies,
        two_places_kb.analyzer,
        replace(two_places_kb.params, place_weight=0.3),
    )
    for question in ("居住证申领多少日内发放", "舟山居住证申领多少日内发放"):
        answer = home_first.ask(question)
        assert [r.policy_id for r in answer.results[:2]] == ["zj-residence", "gz-residence"]
    named = two_places_kb.ask("舟山居住证申领多少日内发放")
    assert named.best.policy_id == "zj-residence"


def test_a_question_naming_another_place_gets_that_places_rule_first(
    two_places_kb: KnowledgeBase,
) -> None:
    assert two_places_kb.ask("在广州居住证申领多少日内发放").best.policy_id == "gz-residence"


@pytest.fixture
def two_levels_kb(tmp_path: Path, cache_dir: Path) -> KnowledgeBase:
    """The same rule, word for word, at two levels: the nation's and Zhejiang's."""
    root = knowledge_with_regions(tmp_path)
    for policy_id, issuer in (("cn-residence", "国务院"), ("zj-residence", "浙江省公安厅")):
        text = RESIDENCE.format(id=policy_id, title="居住证申领规定", issuer=issuer, days=15)
        write_policy(root / "policies", policy_id, text)
    return KnowledgeBase.load(root, cache_dir=cache_dir)


def test_a_question_naming_its_place_prefers_that_places_rule_over_the_national_one(
    two_levels_kb: KnowledgeBase,
) -> None:
    kb = two_levels_kb
    numbers = np.array([kb._policy_index["cn-residence"], kb._policy_index["zj-residence"]])
    weight = kb.params.named_local_weight
    assert weight and weight > kb.params.local_weight
    # 在浙江… (home's province, so the line is still 舟山, 浙江): Zhejiang's rule gains half of
    # named_local_weight, the national one holds but gains nothing
    named = kb._place_factors("我在浙江申领居住证要几天", numbers)[numbers]
    assert named.tolist() == pytest.approx([1.0, 1 + weight * 0.5])
    # naming no place, the home line (舟山, 浙江) orders them by local_weight only
    home = kb._place_factors("申领居住证要几天", numbers)[numbers]
    assert home.tolist() == pytest.approx([1.0, 1 + kb.params.local_weight * 0.5])
    # naming a district of home (普陀: 普陀区, 舟山, 浙江) rules out other cities only: the
    # rules that hold are ordered by local_weight, as for a question naming none
    district = kb._place_factors("我在普陀申领居住证要几天", numbers)[numbers]
    assert district.tolist() == pytest.approx([1.0, 1 + kb.params.local_weight / 3])
    answer = kb.ask("我在浙江申领居住证要几天")
    assert [r.policy_id for r in answer.results[:2]] == ["zj-residence", "cn-residence"]
    assert answer.results[1].score == pytest.approx(answer.results[0].score / (1 + weight * 0.5), rel=0.01)


def test_home_districts_are_named_without_their_suffix(regions: Regions) -> None:
    """A Zhoushan citizen says 普陀 for 普陀区; another city's 天河 is not read that way."""
    assert names(regions, regions.named("我在普陀有套房子")) == ["普陀区"]
    assert names(regions, regions.chain(regions.named("我在普陀有套房子")[0]))[1] == "舟山市"
    assert names(regions, regions.named("上海普陀的房子")) == ["上海市", "普陀区"]
    assert names(regions, regions.chain(regions.named("上海普陀的房子")[-1])) == ["普陀区", "上海市"]
    assert regions.named("天河的学校") == []
    assert Regions(ROWS).named("普陀") == []  # no home: no short names made


def test_a_home_district_named_is_about_no_other_city_and_home_no_more(regions: Regions) -> None:
    line, named = regions.asked("我在普陀有套房子租出去了")
    assert names(regions, line) == ["普陀区", "舟山市", "浙江省"]
    assert regions.inside_home(named)
    assert not regions.inside_home(regions.asked("舟山居住证")[1])
    assert not regions.inside_home(regions.asked("天河区居住证")[1])
    assert not regions.inside_home(frozenset())


def test_the_place_names_written_in_a_question_are_found(regions: Regions) -> None:
    assert regions.surfaces_named("我在广州天河区读书") == ["广州", "天河区"]
    assert regions.surfaces_named("居住证怎么办") == []


def test_the_places_a_question_names_do_not_set_a_documents_passages_apart(
    two_levels_kb: KnowledgeBase,
) -> None:
    """The place chose the document (`named_place_weight`); among its passages the one naming
    the place (实施机关：杭州市…) is not the answer for it (`placeless_contrast`)."""
    kb = two_levels_kb
    assert kb.params.placeless_contrast
    question = "我在杭州申领居住证要几天"
    words = [term for alternatives, _ in kb._rarities(question) for term in alternatives]
    placeless = [
        term for alternatives, _ in kb._rarities(question, placeless=True) for term in alternatives
    ]
    assert "杭州" in words and "居住证" in words
    assert "杭州" not in placeless and "居住证" in placeless
    # a place inside a quoted title is the title's: 根据《杭州市…》 keeps it
    titled = "根据《杭州市居住证规定》申领居住证要几天"
    kept = [term for alternatives, _ in kb._rarities(titled, placeless=True) for term in alternatives]
    assert "杭州" in kept
    # a question naming no place keeps every word
    assert kb._rarities("申领居住证要几天", placeless=True) == kb._rarities("申领居住证要几天")
