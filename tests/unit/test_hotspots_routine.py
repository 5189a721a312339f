"""What an alert asks of a topic beyond its size: that it is news (bot/hotspots/detect.py,
`Detector._is_news`). Routine matters many people raise over days (a question how to apply, praise
for a service, a chronic complaint) are no 舆情 event; an event of a kind nobody listed still is,
through its bursty terms."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from tests.unit.test_hotspots_bursts import LIBRARY, T0, background, library_topics, replay

pytest_plugins = ("tests.unit.hotspot_fixtures",)

# the hotline's consultations and praise: asking how or whether, thanking a service
QUESTION = [
    "请问失业金可以领几个月，怎么申请？",
    "咨询一下失业金可以领几个月，需要什么条件",
    "问一下失业金能领几个月，怎么申请",
    "请问失业金领几个月，在哪里申请？",
    "想咨询失业金可以领多久，怎么申请",
]
PRAISE = [
    "表扬一下社保窗口的工作人员，很耐心，一次就办好了",
    "社保窗口的工作人员很耐心，一次就办好了，点赞",
    "表扬社保窗口的工作人员，服务很好一次就办好了",
    "来电人表扬：社保窗口工作人员很耐心，一次办好",
]
# a chronic complaint naming an event type (noise): the same building site all week
CHRONIC = [
    "新港路那个工地晚上十点以后还在打桩，吵得睡不着",
    "新港路工地夜里打桩太吵了，孩子睡不着",
    "新港路的工地半夜还在施工，噪音太大",
    "新港路工地晚上打桩，吵得一晚上没睡",
]

GATES_OFF = {"standing_ratio": 0.0, "unnamed_news": 0, "routine_words": ()}


def _topics_with(topics, word: str) -> list:
    return [t for t in topics if any(word in text for text in t.texts)]


def _spread(texts: list[str], start, every: timedelta, count: int) -> list:
    return [(start + every * n, texts[n % len(texts)]) for n in range(count)]


def test_a_question_asked_all_week_is_a_consultation_not_an_event(hotspot_settings, router):
    # asked a few times a day for two days, then five times within three hours
    asked = _spread(QUESTION, T0 + timedelta(hours=10), timedelta(hours=2, minutes=50), 8)
    asked += _spread(QUESTION, T0 + timedelta(hours=40), timedelta(minutes=35), 5)
    lines = background(48) + asked
    assert not any(t.alert_at for t in _topics_with(replay(hotspot_settings, router, lines), "失业金"))
    # it is the check that stops it: without it the wave is alerted
    plain = dataclasses.replace(hotspot_settings, **GATES_OFF)
    assert any(t.alert_at for t in _topics_with(replay(plain, router, lines), "失业金"))


def test_praise_for_a_service_window_is_no_event(hotspot_settings, router):
    # one every 35 minutes: never four within the bursty terms' window, five within the alert's
    praised = _spread(PRAISE, T0 + timedelta(hours=30), timedelta(minutes=35), 7)
    lines = background(36) + praised
    assert not any(t.alert_at for t in _topics_with(replay(hotspot_settings, router, lines), "窗口"))
    # 窗口 is no crowd any more, so the praise no longer gathers under it; with it one (as it was
    # before), only the gates keep the praise from an alert
    problems = dict(hotspot_settings.problems)
    problems["crowd"] = (*problems["crowd"], "窗口")
    windowed = dataclasses.replace(hotspot_settings, problems=problems)
    assert not any(t.alert_at for t in _topics_with(replay(windowed, router, lines), "窗口"))
    plain = dataclasses.replace(windowed, **GATES_OFF)
    assert any(t.alert_at for t in _topics_with(replay(plain, router, lines), "窗口"))


def test_a_standing_complaint_is_not_news_when_it_gets_busier(hotspot_settings, router):
    # the same site's noise complained of all day and night, then five times within three hours:
    # it names an event type (noise), but it is the matter of the day before, not news
    nights = _spread(CHRONIC, T0 + timedelta(hours=12), timedelta(hours=2, minutes=50), 9)
    nights += _spread(CHRONIC, T0 + timedelta(hours=40), timedelta(minutes=35), 5)
    lines = background(48) + nights
    topics = _topics_with(replay(hotspot_settings, router, lines), "新港路")
    assert len(topics) == 1 and topics[0].size == 14
    assert topics[0].alert_at is None
    plain = dataclasses.replace(hotspot_settings, **GATES_OFF)
    assert any(t.alert_at for t in _topics_with(replay(plain, router, lines), "新港路"))


def test_a_standing_matter_does_not_alert_once_it_is_busy(hotspot_settings, router):
    before = dataclasses.replace(hotspot_settings, routine_words=(), unnamed_news=0)
    asked = _spread(QUESTION, T0 + timedelta(hours=10), timedelta(hours=2, minutes=50), 8)
    asked += _spread(QUESTION, T0 + timedelta(hours=40), timedelta(minutes=35), 5)
    lines = background(48) + asked
    # the standing check alone: eight messages before the window, five in it
    assert not any(t.alert_at for t in _topics_with(replay(before, router, lines), "失业金"))
    alone = dataclasses.replace(before, standing_ratio=0.0)
    assert any(t.alert_at for t in _topics_with(replay(alone, router, lines), "失业金"))


def test_an_unlisted_event_still_alerts_through_its_bursty_terms(hotspot_settings, router):
    # questions among its reports (有没有人知道…什么时候能恢复) do not make it a consultation
    start = T0 + timedelta(hours=30)
    burst = [(start + timedelta(minutes=7 * n), text) for n, text in enumerate(LIBRARY)]
    topics = replay(hotspot_settings, router, background(36) + burst)
    alerted = [t for t in library_topics(topics) if t.alert_at]
    assert len(alerted) == 1 and alerted[0].news >= 1
    assert burst[4][0] <= alerted[0].alert_at <= burst[-1][0]


def test_a_sudden_wave_of_one_new_question_grows_as_a_burst_does(hotspot_settings, router):
    # six askers within half an hour about what nobody asked before: news (a rule changed today)
    start = T0 + timedelta(hours=30)
    wave = [
        (start + timedelta(minutes=5 * n), text)
        for n, text in enumerate(
            [
                "请问电动车上牌今天开始要交押金了吗？",
                "咨询一下电动车上牌押金是怎么回事",
                "电动车上牌突然要押金，请问是真的吗",
                "问一下电动车上牌押金交多少",
                "请问电动车上牌押金在哪里交",
                "电动车上牌押金的事谁能解释一下，请问",
            ]
        )
    ]
    topics = _topics_with(replay(hotspot_settings, router, background(36) + wave), "上牌")
    assert any(t.alert_at and t.news for t in topics)
