"""The generated gazetteer (every 街道, 乡镇, 社区 and 村), names that are never guessed, the words
that decided a route, and emergencies the router is not certain of."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.tickets.gazetteer import Gazetteer
from bot.tickets.routing import Router

KNOWLEDGE = Path(__file__).resolve().parents[2] / "knowledge"


@pytest.fixture(scope="module")
def router() -> Router:
    return Router.load(KNOWLEDGE)


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer.load(KNOWLEDGE / "gazetteer.yml")


@pytest.mark.parametrize(
    ("text", "jurisdiction"),
    [
        ("三官堂村的路灯坏了", "xincheng"),
        ("东蟹峙村那边有人乱倒垃圾", "xincheng"),
        ("万北村的自来水发黄", "daishan"),
        ("万金湖社区门口的垃圾没人清", "dinghai"),
        ("国际水产城买的带鱼缺斤少两", "putuo"),
        ("鸭蛋山码头边上烧烤摊油烟很大", "dinghai"),
    ],
)
def test_villages_communities_and_landmarks_imply_their_district(
    router: Router, text: str, jurisdiction: str
) -> None:
    assert router.route(text).jurisdiction == jurisdiction


def test_every_division_of_the_source_is_a_place(gazetteer: Gazetteer) -> None:
    names = dict(gazetteer.names())
    assert names["三官堂村"].kind == "village"
    assert names["万金湖社区"].kind == "community"
    assert names["衢山镇"].jurisdiction == "daishan"


def test_the_hand_kept_file_wins_over_the_generated_one(gazetteer: Gazetteer) -> None:
    assert dict(gazetteer.names())["临城街道"].jurisdiction == "xincheng"


def test_an_ambiguous_name_alone_is_left_to_the_operator_with_the_choices(router: Router) -> None:
    result = router.route("青龙村的路灯坏了一个多月了")
    assert result.department is None
    assert result.needs_operator
    assert sorted(result.place_choice_ids) == ["dinghai", "putuo"]
    assert sorted(result.place_choices) == ["定海区", "普陀区"]


def test_a_district_named_with_an_ambiguous_name_settles_it(router: Router) -> None:
    result = router.route("普陀青龙村的路灯坏了一个多月了")
    assert result.jurisdiction == "putuo"
    assert result.place_choices == []
    assert result.department is not None


def test_an_ambiguous_name_does_not_matter_for_a_city_only_function(router: Router) -> None:
    result = router.route("青龙村的人公积金怎么提取")
    assert result.category == "housing_fund"
    assert result.department == "舟山市住房公积金管理中心"
    assert result.place_choices == []


def test_the_deciding_words_are_explained(router: Router) -> None:
    result = router.route("沈家门夜排档那边晚上摆摊的占满了人行道")
    assert "摆摊" in result.explain["category"]
    assert "沈家门夜排档" in result.explain["district"]
    assert result.explain["emergency"] == []
    assert result.to_dict()["explain"] == result.explain


def test_an_emergency_explains_its_words(router: Router) -> None:
    result = router.route("救命，码头边有人落水了")
    assert result.emergency == "110"
    assert "落水" in result.explain["emergency"]


def test_a_short_call_is_a_certain_emergency_without_a_ticket(router: Router) -> None:
    result = router.route("楼下仓库着火了，好大的烟")
    assert result.emergency == "119"
    assert result.emergency_certain
    assert not result.files_ticket
    assert result.department is None


def test_an_emergency_read_in_a_long_letter_shows_the_number_and_keeps_the_ticket(
    router: Router,
) -> None:
    letter = (
        "尊敬的领导您好，我是定海城东街道某小区的业主，想反映我们小区的消防问题。"
        + "小区的楼道里长期堆满了杂物，物业多次通知也没有人清理，消防通道被私家车占用，"
        * 4
        + "今天晚上楼道里着火了，浓烟很大，希望有关部门重视。"
    )
    result = router.route(letter)
    assert len(letter) > 200
    assert result.emergency == "119"
    assert not result.emergency_certain
    assert result.files_ticket
    assert result.urgent
    assert result.department is not None
