"""舆情 grouping in other words: rain and flooding named many ways, a word of several event types,
and a topic's learnt vocabulary; at a fixed moment and at the real current date."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bench.hotspot_stream import generate
from bot.config import PROJECT_ROOT
from bot.hotspots.detect import Detector, Message, Settings
from bot.tickets.routing import Router

CST = timezone(timedelta(hours=8))
MOMENTS = [
    datetime(2026, 6, 20, 18, 0, tzinfo=CST),
    datetime.now(CST).replace(second=0, microsecond=0),
]


@pytest.fixture(scope="module")
def router() -> Router:
    return Router.load(PROJECT_ROOT / "knowledge")


@pytest.fixture(scope="module")
def settings() -> Settings:
    return Settings.load(PROJECT_ROOT / "knowledge" / "hotspots.yml")


def replay(items: list[tuple[int, str]], settings: Settings, router: Router, start: datetime):
    """`items` are (minutes after `start`, text) after three days' background of other matters
    (what a topic's vocabulary is told apart from); the topics of `items`."""
    closed = []
    detector = Detector(settings, router.gazetteer, on_close=closed.append)
    for n, item in enumerate(generate(600, days=1)):
        moment = start - timedelta(days=4) + timedelta(minutes=2 * n)
        detector.add(Message(f"b{n}", moment, item["text"], item["source"]))
    for n, (minutes, text) in enumerate(items):
        detector.add(Message(f"m{n}", start + timedelta(minutes=minutes), text, "12345"))
    detector.close_all()
    return [topic for topic in closed if topic.message_ids[0].startswith("m")]


FLOOD = [
    "新城这边雨太大了，海天大道上积水到膝盖",
    "临城街道好几个小区地下车库进水了",
    "千岛路下水道冒水，路边全是水",
    "暴雨后新城体育场门口水漫上来了",
    "我车子在临城熄火了，水太深开不过去",
    "临城那边路被淹了，公交都停了",
    "新城很多路口成了河，有没有人来抽水",
    "下这么大雨，临城小区门口的水排不出去",
]


@pytest.mark.parametrize("start", MOMENTS, ids=["fixed", "now"])
def test_a_flood_named_in_many_words_across_新城_and_临城_is_one_alerted_topic(settings, router, start):
    items = [(7 * n, text) for n, text in enumerate(FLOOD)]
    # a water main at a road of another district the next morning is another matter
    items += [(900 + 5 * n, f"沈家门渔港路水管爆了，路上冒水，第{n}户停水") for n in range(3)]
    topics = replay(items, settings, router, start)
    flood = max(topics, key=lambda topic: topic.size)
    assert flood.alert_at is not None
    # all but at most one (a road named once before the event was hot may stay apart), and
    # nothing of the water main
    reports = {f"m{n}" for n in range(len(FLOOD))}
    assert len(reports & set(flood.message_ids)) >= len(FLOOD) - 1
    assert set(flood.message_ids) <= reports


@pytest.mark.parametrize("start", MOMENTS, ids=["fixed", "now"])
def test_a_hot_topic_takes_a_report_in_its_own_words_but_not_another_matter(settings, router, start):
    oil = [
        "朱家尖的沙滩上全是黑乎乎的油污",
        "朱家尖海滩有油污，谁来清理一下",
        "朱家尖海边漂着一层油污，脚都踩黑了",
        "南沙海滩油污冲上岸了，朱家尖这片都是",
        "朱家尖沙滩的油污越来越多了",
    ]
    items = [(6 * n, text) for n, text in enumerate(oil)]
    # neither an event word nor a place, only the event's own vocabulary (沙滩, 油)
    items.append((40, "游客都在拍沙滩上的油，太可惜了"))
    items.append((45, "我家楼下的快递柜坏了，取不出件"))
    topics = replay(items, settings, router, start)
    beach = max(topics, key=lambda topic: topic.size)
    assert beach.alert_at is not None
    assert "m5" in beach.message_ids and "m6" not in beach.message_ids


def test_a_word_of_several_event_types_names_them_all(settings, router):
    detector = Detector(settings, router.gazetteer)
    assert {"gas", "smell"} <= detector.features("楼道里一股煤气味").problems
    assert {"flooding", "road_traffic"} <= detector.features("好几辆车都熄火了").problems
    assert detector.features("下水道冒水了").problems == {"flooding"}


@pytest.mark.parametrize("start", MOMENTS, ids=["fixed", "now"])
def test_a_matter_drawing_messages_for_days_is_archived_and_goes_on_as_a_new_topic(settings, router, start):
    closed = []
    detector = Detector(settings, router.gazetteer, on_close=closed.append)
    hours = int(settings.max_open / timedelta(hours=1)) + 24
    for n in range(hours):
        detector.add(Message(f"m{n}", start + timedelta(hours=n), f"临港路工地又在施工，第{n}次反映", "12345"))
    # closed at the first hourly look after `max_open`
    assert len(closed) == 1
    assert closed[0].last_seen - closed[0].first_seen <= settings.max_open + timedelta(hours=2)
    [going_on] = detector.open_topics
    assert closed[0].size + going_on.size == hours
