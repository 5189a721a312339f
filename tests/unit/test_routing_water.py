"""Water, sea, typhoon and flood emergencies on an island city, and their near misses."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.tickets.routing import Router

KNOWLEDGE = Path(__file__).resolve().parents[2] / "knowledge"


@pytest.fixture(scope="module")
def router() -> Router:
    return Router.load(KNOWLEDGE)


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("快来人，码头边上有人掉海里了，在水里扑腾", "110"),
        ("我老公赶海被潮水围住了，困在礁石上回不来，在朱家尖", "110"),
        ("我们渔船进水了，快沉了，船上四个人，在衢山东面", "110"),
        ("小舢板翻了，两个人还在海里，东极附近", "110"),
        ("游泳的小孩被离岸流冲出去了，沙滩上没有救生员", "110"),
        ("货船走锚了，往礁石上漂，船上有船员", "110"),
        ("洪水冲进村里，奶奶困在二楼下不来，马岙", "119"),
        ("台风把厂房吹塌了，有工人被埋在里面，六横", "119"),
        ("大树倒下来砸到一个路人，他在流血", "120"),
    ],
)
def test_water_and_storm_emergencies_are_referred(router: Router, text: str, number: str) -> None:
    result = router.route(text)
    assert result.emergency == number
    assert result.type == "求助"


@pytest.mark.parametrize(
    "text",
    [
        "前两天有条渔船翻了，船员家属生活困难，能不能救助",
        "上个星期沙滩上有人被浪卷走了，建议立个警示牌",
        "台风过后停电两天了，啥时候来电",
        "台风天轮渡停航，岛上的人看病出不去，能不能想想办法",
        "礁石边上没有护栏，钓鱼的人那么多，出事了怎么办",
        "家里老人走丢了两天了，派出所说在找，能不能多派点人",
        "路边的树被砍掉好几棵，谁批的",
    ],
)
def test_past_feared_and_lasting_water_matters_are_tickets(router: Router, text: str) -> None:
    result = router.route(text)
    assert result.emergency is None
    assert result.type in {"咨询", "求助", "投诉", "举报", "建议"}


@pytest.mark.parametrize(
    "text",
    [
        "东极岛停航第三天了，我们一家子困在庙子湖走不了，有没有什么办法先出去",
        "秀山岛边上海面漂着一大片油污，不知道是哪条船漏的",
    ],
)
def test_stranded_by_ferries_or_oil_at_sea_is_no_rescue(router: Router, text: str) -> None:
    assert router.route(text).emergency is None
