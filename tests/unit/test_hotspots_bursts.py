"""Events of kinds the event lexicon does not list, found by their bursty terms (bot/hotspots/bursts.py)."""

from __future__ import annotations

import dataclasses
import random
from datetime import datetime, timedelta, timezone

import pytest

from bot.hotspots.bursts import BurstyTerms
from bot.hotspots.detect import Detector, Message, Settings
from bot.tickets.routing import Router

pytest_plugins = ("tests.unit.hotspot_fixtures",)

CST = timezone(timedelta(hours=8))
T0 = datetime(2026, 12, 1, 0, 0, tzinfo=CST)
PLACES = ["定海", "普陀", "岱山", "嵊泗", "六横", "金塘", "朱家尖", "桃花岛", "虾峙", "东极", "白泉", "干览"]
ROADS = [
    "解放路", "人民路", "昌国路", "东海路", "海天大道", "新港路",
    "沈家门路", "环城南路", "千岛路", "临港路", "渔港路", "体育路",
]
THINGS = ["垃圾桶", "健身器材", "公厕", "长椅", "宣传栏", "自行车棚", "花坛", "指示牌", "凉亭", "栏杆"]
ISSUES = ["坏了没人修", "脏得很", "被人拿走了", "需要更换", "好久没清理", "位置不合理"]
# a library's lending machines down: no word of it is in knowledge/hotspots_events.yml (not
# 死机, 瘫痪, 系统故障, 黑屏, which now name a systems outage)
LIBRARY = [
    "市图书馆的借书机全都卡住不动了，还书也还不了",
    "图书馆借书机是不是全坏了？人都挤在门口",
    "今天去图书馆借书，工作人员说机器出了毛病只能手写登记",
    "图书馆的自助借书机一直转圈，等了半小时",
    "有没有人知道图书馆借书什么时候能恢复",
    "带孩子来图书馆借绘本，机器屏幕一片空白，孩子哭了",
    "图书馆借还书全停了，通知也没有一个",
    "图书馆说借书系统在抢修，让大家明天再来",
]


def background(hours: int, every_minutes: int = 8) -> list[tuple[datetime, str]]:
    """Everyday matters, each its own: a place's thing and what is wrong with it."""
    rng = random.Random(7)
    return [
        (
            T0 + timedelta(minutes=every_minutes * n),
            f"{rng.choice(PLACES)}那边的{rng.choice(THINGS)}{rng.choice(ISSUES)}",
        )
        for n in range(hours * 60 // every_minutes)
    ]


def replay(hotspot_settings: Settings, router: Router, lines: list[tuple[datetime, str]]):
    closed = []
    detector = Detector(hotspot_settings, router.gazetteer, on_close=closed.append)
    for n, (moment, text) in enumerate(sorted(lines)):
        detector.add(Message(f"m{n}", moment, text, "12345", citizen=f"c{n}"))
    detector.close_all()
    return closed


def library_topics(topics) -> list:
    return [t for t in topics if any("图书馆" in text for text in t.texts)]


def test_a_burst_of_a_kind_nobody_listed_is_one_alerted_topic(hotspot_settings, router):
    start = T0 + timedelta(hours=30)
    burst = [(start + timedelta(minutes=7 * n), text) for n, text in enumerate(LIBRARY)]
    topics = replay(hotspot_settings, router, background(36) + burst)
    alerted = [t for t in library_topics(topics) if t.alert_at]
    assert len(alerted) == 1
    topic = alerted[0]
    assert sum("图书馆" in text for text in topic.texts) >= 6
    assert all("图书馆" in text for text in topic.texts)
    # alerted while the burst was going on, never before its fifth message
    assert burst[4][0] <= topic.alert_at <= burst[-1][0]
    # without the bursty terms the lexicon and the word similarity alone do not alert it
    plain = dataclasses.replace(hotspot_settings, bursts=None)
    assert not any(t.alert_at for t in library_topics(replay(plain, router, background(36) + burst)))


def test_a_steady_stream_of_separate_similar_complaints_is_not_an_event(hotspot_settings, router):
    # the same complaint at twelve different sites, one every five hours: never bursty
    steady = [
        (T0 + timedelta(hours=6 + 5 * n), f"{road}图书馆分馆的借书机坏了，借不了书")
        for n, road in enumerate(ROADS)
    ]
    topics = replay(hotspot_settings, router, background(72) + steady)
    library = library_topics(topics)
    assert not any(t.alert_at for t in library)
    assert all(sum("图书馆" in text for text in t.texts) == 1 for t in library)


def test_a_term_is_bursty_in_a_short_window_not_when_steady(hotspot_settings):
    bursts = BurstyTerms(hotspot_settings.bursts)
    moment = T0
    for n, (moment, text) in enumerate(background(24)):
        bursts.observe(f"b{n}", moment, None, {text[i : i + 2]: 1.0 for i in range(len(text) - 1)})
    assert "借书" not in bursts.bursty_terms(moment)
    events = [
        bursts.observe(f"l{n}", moment + timedelta(minutes=5 * n), None, {"借书": 1.0, "机器": 1.0})
        for n in range(hotspot_settings.bursts.min_messages)
    ]
    assert "借书" in bursts.bursty_terms(moment + timedelta(minutes=20))
    assert events[-1] is not None and events[-1].terms["借书"] >= 1
    # two hours later the window has moved on
    assert "借书" not in bursts.bursty_terms(moment + timedelta(hours=3))


def test_many_matters_at_one_much_talked_of_place_are_not_one_event(hotspot_settings, router):
    # one place named by many citizens within two hours, each about a matter of their own
    start = T0 + timedelta(hours=30)
    matters = [
        "鹿栏晴沙的环卫工人很辛苦，点个赞",
        "鹿栏晴沙的理发店办卡后换老板了，卡不认了",
        "鹿栏晴沙人行道上盲道被车占了",
        "鹿栏晴沙的导游强行带人去购物",
        "鹿栏晴沙饭店不给开发票",
        "鹿栏晴沙的公交站牌字看不清",
        "鹿栏晴沙附近的快递驿站态度很差",
        "鹿栏晴沙海边的救生圈被人拿走了",
    ]
    lines = [(start + timedelta(minutes=12 * n), text) for n, text in enumerate(matters)]
    topics = replay(hotspot_settings, router, background(36) + lines)
    place = [t for t in topics if any("鹿栏晴沙" in text for text in t.texts)]
    assert not any(t.alert_at for t in place)


# different matters downstairs at one place within an hour: a wall crack, a restaurant's smoke,
# a bus shelter, broken fitness equipment … sharing only the place and the word 楼下
DOWNSTAIRS = [
    "{}我家楼下那面墙裂了一条缝，等了好久没人来看",
    "{}楼下饭店的油烟直接往楼上冒，呛得不行",
    "{}楼下那个公交站的候车棚顶被风掀掉了，等车只能淋雨",
    "{}小区楼下的健身器材坏了，一直没人修",
    "{}楼下的路灯坏了，晚上黑漆漆的",
    "{}小区楼下的垃圾好久没人清了",
    "{}楼下有人半夜放鞭炮",
]


@pytest.mark.parametrize("place", ["白泉镇", "海中洲小区"])
def test_different_complaints_at_one_town_or_site_within_an_hour_raise_no_alert(hotspot_settings, router, place):
    start = T0 + timedelta(hours=30)
    lines = [(start + timedelta(minutes=8 * n), text.format(place)) for n, text in enumerate(DOWNSTAIRS)]
    topics = replay(hotspot_settings, router, background(36) + lines)
    there = [t for t in topics if any(place in text for text in t.texts)]
    assert sum(t.size for t in there) >= len(DOWNSTAIRS)
    assert not any(t.alert_at for t in there)
    # 楼下 is said in most of them within the hour, yet starts no event of its own
    assert max(t.size for t in there) < hotspot_settings.min_messages


# a landslide on an island road, each citizen in a word of their own for it (my wording): the
# event types' words (knowledge/hotspots_events.yml `collapse`) make them one happening
LANDSLIDE = [
    "桃花岛环岛公路那边塌方了，车子过不去",
    "山体滑坡，路上全是土和石头，谁来管管",
    "听说岛上的路被泥石冲断了，有人知道情况吗",
    "山上一大片塌下来了，把路埋了一半",
    "去码头的路上一直有落石，车都堵着",
    "滑坡那段什么时候能清理好，我们等着出岛",
    "塌方的地方已经拉了警戒带，后面堵了一长串",
    "山坡垮塌把电线杆也压歪了，太危险",
]
# at the same hours, elsewhere in the district or the city: other matters, each its own
ELSEWHERE = [
    (10, "沈家门渔港路口车子乱停，堵得走不动"),
    (50, "东港海莲路上车子排成长龙，堵了半小时"),
    (25, "东海路路面塌陷了一个坑，晚上看不见"),
    (40, "朱家尖那家超市的鸡蛋过期了还在卖"),
    (55, "普陀东港的夜排档油烟太大，熏得开不了窗"),
]


def landslide_lines(start: datetime) -> list[tuple[datetime, str]]:
    report = [(start + timedelta(minutes=6 * n), text) for n, text in enumerate(LANDSLIDE)]
    return report + [(start + timedelta(minutes=m), text) for m, text in ELSEWHERE]


def test_a_landslide_reported_in_different_words_is_one_alerted_topic(hotspot_settings, router):
    start = T0 + timedelta(hours=30)
    topics = replay(hotspot_settings, router, background(36) + landslide_lines(start))
    [topic] = [t for t in topics if set(t.texts) & set(LANDSLIDE)]
    assert sorted(topic.texts) == sorted(LANDSLIDE)
    # alerted at its fourth report: four within half an hour
    assert topic.alert_at == start + timedelta(minutes=18)
    # the other matters of those hours stay apart, each alone
    for _, text in ELSEWHERE:
        [own] = [t for t in topics if text in t.texts]
        assert own.size == 1


def test_without_the_event_words_a_landslide_in_different_words_is_scattered(hotspot_settings, router):
    problems = {name: words for name, words in hotspot_settings.problems.items() if name != "collapse"}
    plain = dataclasses.replace(hotspot_settings, problems=problems)
    topics = replay(plain, router, background(36) + landslide_lines(T0 + timedelta(hours=30)))
    # no topic holds the whole landslide
    assert not any(set(LANDSLIDE) <= set(t.texts) for t in topics)


def test_an_event_type_said_in_different_words_is_one_bursty_term(hotspot_settings, router):
    detector = Detector(hotspot_settings, router.gazetteer)
    kinds = [detector.features(text).problems for text in LANDSLIDE]
    assert all("collapse" in found for found in kinds)
    # a pothole is road damage, not a collapse of the hillside
    assert "collapse" not in detector.features("东海路路面塌陷了一个坑").problems
    assert "#collapse" in detector._burst_terms(detector.features("山体滑坡了"))
    # a subject (学校) is no happening: it gets no token
    assert not any(t.startswith("#") for t in detector._burst_terms(detector.features("学校门口")))


# a restaurant cheating tourists, reported at the beach and then from the county's town in words
# of no event type: the bursty 海鲜, also the topic's own word, says it is the same matter
SCAM = [
    "嵊泗基湖沙滩边一家海鲜排档宰客，一盘虾要八百",
    "在基湖吃海鲜被宰了，结账比菜单贵三倍",
    "基湖那家海鲜店天价收费，报价和结账不一样",
    "基湖沙滩的海鲜黑店，游客都上当了",
    "菜园镇吃海鲜一顿两千，这合理吗",
]
# meanwhile: another matter in that town, and the word in another district
APART = [(17, "菜园镇的路灯坏了好几盏，晚上走路害怕"), (31, "沈家门的海鲜市场地面太滑，老人摔了")]


def test_an_event_reported_at_two_places_of_one_county_is_one_topic(hotspot_settings, router):
    start = T0 + timedelta(hours=30)
    lines = [(start + timedelta(minutes=7 * n), text) for n, text in enumerate(SCAM)]
    lines += [(start + timedelta(minutes=m), text) for m, text in APART]
    topics = replay(hotspot_settings, router, background(36) + lines)
    [topic] = [t for t in topics if set(t.texts) & set(SCAM)]
    assert sorted(topic.texts) == sorted(SCAM) and topic.alert_at == lines[3][0]
    for _, text in APART:
        [own] = [t for t in topics if text in t.texts]
        assert own.size == 1


def test_a_common_word_said_by_unrelated_questions_within_the_hour_starts_no_event(hotspot_settings):
    # 可以 is in one message of seventy (not a word of every other message), then in four
    # unrelated questions within twenty minutes: bursty by its rate, but no news alone
    bursts = BurstyTerms(hotspot_settings.bursts)
    moment = T0
    for n, (moment, text) in enumerate(background(24)):
        terms = {text[i : i + 2]: 1.0 for i in range(len(text) - 1)}
        if n % 70 == 0:
            terms["可以"] = 1.0
        bursts.observe(f"b{n}", moment, None, terms)
    questions = ["公积金", "驾驶证", "托育费", "社保卡"]
    events = [
        bursts.observe(
            f"q{n}", moment + timedelta(minutes=5 * n), None, {"可以": 1.0, topic[:2]: 1.0, topic[1:]: 1.0}
        )
        for n, topic in enumerate(questions)
    ]
    assert "可以" in bursts.bursty_terms(moment + timedelta(minutes=20))
    assert events == [None] * len(questions)
    # a word rare before starts one alone, as a lexicon's event type does
    rare = [
        bursts.observe(f"l{n}", moment + timedelta(minutes=30 + 5 * n), None, {"借书": 1.0})
        for n in range(hotspot_settings.bursts.min_messages)
    ]
    assert rare[-1] is not None
    kind = [
        bursts.observe(f"k{n}", moment + timedelta(minutes=30 + 5 * n), None, {"#collapse": 1.0})
        for n in range(hotspot_settings.bursts.min_messages)
    ]
    assert kind[-1] is not None


def test_a_common_word_bursting_with_an_event_is_no_word_of_it(hotspot_settings):
    # 知道 is said by many of the event's reports (有人知道…吗) while it lasts: bursty, but it
    # does not name the event, and a question about a pension that says it is not the event
    bursts = BurstyTerms(hotspot_settings.bursts)
    moment = T0
    for n, (moment, text) in enumerate(background(24)):
        terms = {text[i : i + 2]: 1.0 for i in range(len(text) - 1)}
        if n % 70 == 0:
            terms["知道"] = 1.0
        bursts.observe(f"b{n}", moment, None, terms)
    events = [
        bursts.observe(f"l{n}", moment + timedelta(minutes=5 * n), None, {"借书": 1.0, "知道": 1.0})
        for n in range(hotspot_settings.bursts.min_messages + 1)
    ]
    event = events[-1]
    assert event is not None and "借书" in event.terms
    assert "知道" in bursts.bursty_terms(moment + timedelta(minutes=25))
    assert "知道" not in event.terms
    assert bursts.observe("q", moment + timedelta(minutes=30), None, {"知道": 1.0, "养老": 1.0}) is None
