"""The routing data: department catalogue, gazetteer, rules, dictionaries and the text model."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.tickets.catalogue import Catalogue
from bot.tickets.dictionaries import render
from bot.tickets.evaluation import load_cases
from bot.tickets.gazetteer import Gazetteer
from bot.tickets.routing import Router
from bot.tickets.text_classifier import TextModel, fit

KNOWLEDGE = Path(__file__).resolve().parents[2] / "knowledge"
JURISDICTIONS = ("dinghai", "putuo", "daishan", "shengsi")


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return Catalogue.load(KNOWLEDGE / "departments.yml")


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer.load(KNOWLEDGE / "gazetteer.yml")


def test_every_function_has_a_city_body_and_the_districts_have_their_own(catalogue) -> None:
    for function in catalogue.functions:
        assert catalogue.body_for(function.id, "city"), function.id
    for jurisdiction in JURISDICTIONS:
        assert len(catalogue.bodies(jurisdiction=jurisdiction)) >= 30


@pytest.mark.parametrize(
    ("function", "jurisdiction", "name"),
    [
        ("ecology_environment", "dinghai", "舟山市生态环境局定海分局"),
        ("ecology_environment", "shengsi", "舟山市生态环境局嵊泗分局"),
        ("public_security", "putuo", "舟山市公安局普陀区分局"),
        ("public_security", "daishan", "岱山县公安局"),
        ("health", "city", "舟山市卫生健康委员会"),
        ("health", "putuo", "普陀区卫生健康局"),
        ("market_regulation", "xincheng", "舟山市市场监督管理局新城分局"),
        ("city_management", "dinghai", "定海区综合行政执法局"),
    ],
)
def test_bodies_carry_their_official_names(catalogue, function, jurisdiction, name) -> None:
    assert catalogue.body_for(function, jurisdiction).name == name


def test_city_only_functions_have_no_district_bodies(catalogue) -> None:
    for function in ("port_navigation", "housing_fund"):
        assert [b.jurisdiction for b in catalogue.bodies(function=function)] == ["city"]


@pytest.mark.parametrize(
    ("name", "body_id"),
    [
        ("定海区市场监督管理局", "dinghai.market_regulation"),
        ("舟山市定海区市场监督管理局", "dinghai.market_regulation"),
        ("定海区公安分局", "dinghai.public_security"),
        ("舟山市大数据发展管理局", "city.data"),
        ("自来水公司", "utility.water_supply"),
    ],
)
def test_names_resolve_to_bodies_however_they_are_spelt(catalogue, name, body_id) -> None:
    assert catalogue.resolve(name).id == body_id


def test_bodies_carry_their_level_and_function(catalogue) -> None:
    body = catalogue.body("putuo.market_regulation")
    assert body.level == "district" and body.function == "market_regulation"


def test_a_broken_catalogue_fails_at_load_naming_the_problem(tmp_path: Path) -> None:
    path = tmp_path / "departments.yml"
    path.write_text(
        "functions: [{id: a, name: A}, {id: b, name: B}]\n"
        "bodies:\n"
        "  - {id: city.a, name: X, level: city, jurisdiction: city, function: a}\n"
        "  - {id: city.a, name: Y, level: town, jurisdiction: city, function: c}\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError) as error:
        Catalogue.load(path)
    message = str(error.value)
    for problem in ("duplicate body id city.a", "unknown function c", "level", "b has no city"):
        assert problem in message


@pytest.mark.parametrize(
    ("text", "place", "jurisdiction"),
    [
        ("定海区临城街道千岛路上", "千岛路", "xincheng"),
        ("岱山县的长涂镇", "长涂镇", "daishan"),
        ("嵊泗南长涂沙滩", "南长涂沙滩", "shengsi"),
        ("普陀山上的寺庙", "普陀山镇", "putuo"),
        ("舟山跨海大桥金塘段", "舟山跨海大桥", "city"),
        ("我在千岛湖旅游，舟山的", "舟山市", "city"),
        ("阿拉在定海", "定海区", "dinghai"),
    ],
)
def test_the_most_specific_place_wins(gazetteer, text, place, jurisdiction) -> None:
    found = gazetteer.locate(text)
    assert (found.name, found.jurisdiction) == (place, jurisdiction)


def test_words_that_only_contain_a_place_name_are_not_places(gazetteer) -> None:
    assert gazetteer.locate("花鸟市场里卖的乌龟") is None
    assert gazetteer.locate("去千岛湖玩") is None


def test_jurisdictions_fall_back_to_their_parents(gazetteer) -> None:
    assert gazetteer.chain("xincheng") == ["xincheng", "dinghai", "city"]
    assert gazetteer.chain("shengsi") == ["shengsi", "city"]


def test_place_names_are_blanked_for_finding_the_topic(gazetteer) -> None:
    assert "码头" not in gazetteer.without_places("定海西码头附近的海鲜摊乱要价")


def test_the_jieba_dictionaries_match_the_yaml() -> None:
    for path, content in render(KNOWLEDGE).items():
        assert (
            path.read_text(encoding="utf-8") == content
        ), f"{path.name} is out of date: run python -m bot departments dictionaries"
        for line in content.splitlines():
            word, frequency, tag = line.split(" ")
            assert word and int(frequency) > 0 and tag in {"ns", "nt"}


@pytest.mark.parametrize("name", ["routing.yml", "routing_emergencies.yml", "routing_unseen.yml"])
def test_training_and_evaluation_sets_do_not_share_texts(name: str) -> None:
    training = {e["text"] for e in load_cases(KNOWLEDGE / "routing_training.yml")}
    evaluation = {c["text"] for c in load_cases(KNOWLEDGE / "eval" / name)}
    assert not training & evaluation


def test_the_text_model_scores_exactly_like_scikit_learn() -> None:
    examples = load_cases(KNOWLEDGE / "routing_training.yml")
    texts, labels = [e["text"] for e in examples], [e["type"] for e in examples]
    model = TextModel.train(texts, labels)
    vectorizer, classifier = fit(texts, labels)
    for text in ("楼下饭店油烟太大", "请问公积金怎么提取？", "xyz", ""):
        expected = classifier.predict_proba(vectorizer.transform([text]))[0]
        got = model.probabilities(text)
        assert [got[label] for label in classifier.classes_] == pytest.approx(list(expected))


def test_rules_naming_an_unknown_function_fail_at_load(tmp_path: Path) -> None:
    knowledge = tmp_path / "knowledge"
    knowledge.mkdir()
    for name in ("departments.yml", "gazetteer.yml", "routing.yml", "deadlines.yml"):
        shutil.copy(KNOWLEDGE / name, knowledge / name)
    rules = knowledge / "routing.yml"
    rules.write_text(
        rules.read_text(encoding="utf-8").replace("  postal: {", "  postage: {"), encoding="utf-8"
    )
    with pytest.raises(ValueError, match="postage"):
        Router.build(knowledge, use_model=False)
