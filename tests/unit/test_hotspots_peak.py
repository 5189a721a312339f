"""A hot topic's peak: the words it owns then, and how long an alert keeps it hot."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from bot.hotspots.detect import Detector, Message, Topic
from tests.unit.test_hotspots_detect import T0, replay

pytest_plugins = ("tests.unit.hotspot_fixtures",)

# everyday matters of the same hours, each its own
BACKGROUND = [
    "请问公积金怎么提取，需要排队吗",
    "社保卡丢了去哪里补办",
    "孩子入学要准备什么材料",
    "我家楼上装修太吵了，晚上十点还在敲",
    "老年卡坐公交是不是全天免费",
    "医院门诊排队时间太长，挂号等了三个小时",
]
COLLAPSE = [
    "临城长峙路工地的脚手架倒塌了，钢管散了一地",
    "长峙路工地脚手架倒塌了，好几根钢管砸在围挡上",
    "长峙路工地脚手架倒塌，有工人被钢管压住了",
]
# no place, no word of the lexicon: only the word the collapse's reports own
PLACELESS = "钢管还横在人行道上，我们怎么走"


def _with(texts, hotspot_settings, router):
    return {text: topic for topic in replay(texts, hotspot_settings, router, minutes=5) for text in topic.texts}


def test_a_report_in_a_word_the_hot_topic_owns_joins_it(hotspot_settings, router):
    found = _with([*BACKGROUND, *COLLAPSE, PLACELESS], hotspot_settings, router)
    assert found[PLACELESS] is found[COLLAPSE[0]]
    assert found[COLLAPSE[0]].size == 4
    # without the peak's words it stays apart
    alone = dataclasses.replace(hotspot_settings, peak_words=99)
    found = _with([*BACKGROUND, *COLLAPSE, PLACELESS], alone, router)
    assert found[PLACELESS].size == 1


def test_a_common_word_of_the_hour_is_not_owned(hotspot_settings, router):
    detector = Detector(hotspot_settings, router.gazetteer)
    texts = [*BACKGROUND, *BACKGROUND, *COLLAPSE]
    for n, text in enumerate(texts):
        detector.add(Message(f"m{n}", T0 + timedelta(minutes=5 * n), text, "12345"))
    [topic] = [t for t in detector.open_topics if COLLAPSE[0] in t.texts]
    assert "钢管" in detector._owned(topic)
    # 排队 and 小时 are said all day by other matters
    vector = detector.features("排队排了三个小时，那些钢管").vector
    steel = {"钢管", "钢", "管"}
    assert detector._peak_words({k: v for k, v in vector.items() if k not in steel}, topic) == 0
    assert detector._peak_words(vector, topic) >= 1


def test_an_alert_long_past_keeps_no_topic_hot(hotspot_settings):
    topic = Topic(1, T0, T0)
    topic.times.append(T0)
    topic.alert_at = T0
    hours = hotspot_settings.alert_hot.total_seconds() / 3600
    assert 3 < hours < 12
    # still drawing a message now and then: recent, but its alert is long past
    topic.last_seen = T0 + timedelta(hours=hours + 1)
    assert not topic.is_hot(topic.last_seen, hotspot_settings)
    topic.last_seen = T0 + timedelta(hours=hours - 1)
    assert topic.is_hot(topic.last_seen, hotspot_settings)


def test_absconding_is_no_road(hotspot_settings, router):
    detector = Detector(hotspot_settings, router.gazetteer)
    assert not detector.features("又有培训班跑路了？是哪一家啊").places
    assert detector.features("解放东路那家培训班门口围了好多人").places


OIL = [
    "朱家尖南沙海滩上全是油污，黑乎乎一片",
    "朱家尖南沙海滩油污越来越多了，鞋子上都是油",
    "朱家尖南沙海滩的油污有人管吗，海鸟身上也沾了油",
]
# no place, no word of the lexicon, no two-character word of the topic's: only 油
ONE_CHARACTER = "刚才又有一片油漂上来了，清不完"


def test_a_report_in_a_single_character_the_hot_topic_owns_joins_it(hotspot_settings, router):
    assert hotspot_settings.peak_char_messages >= 3
    found = _with([*BACKGROUND, *OIL, ONE_CHARACTER], hotspot_settings, router)
    assert found[ONE_CHARACTER] is found[OIL[0]]
    # without single characters it stays apart
    off = dataclasses.replace(hotspot_settings, peak_char_messages=0)
    found = _with([*BACKGROUND, *OIL, ONE_CHARACTER], off, router)
    assert found[ONE_CHARACTER].size == 1


def test_a_single_character_is_owned_only_by_more_messages_and_a_larger_share(hotspot_settings, router):
    detector = Detector(hotspot_settings, router.gazetteer)
    least, share = hotspot_settings.peak_char_messages, hotspot_settings.peak_char_share
    detector._df["油"] = least
    assert detector._owns("油", least)
    # fewer messages than that, though all the stream's
    assert not detector._owns("油", least - 1)
    # half the stream's messages that said it is enough for a word, not for a character
    detector._df["油"] = detector._df["油污"] = 2 * least
    assert share > 0.5
    assert detector._owns("油污", least)
    assert not detector._owns("油", least)
