"""The intake's formulas and boilerplate: learnt from the traffic, no evidence that messages are one
matter (bot/hotspots/formulas.py, and the event words of detect.py)."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone

from bot.hotspots.ageing import Ticker
from bot.hotspots.detect import Detector, Message
from bot.hotspots.formulas import Formulas, FormulaSettings

pytest_plugins = ("tests.unit.hotspot_fixtures",)

CST = timezone(timedelta(hours=8))
T0 = datetime(2026, 11, 16, 0, 0, tzinfo=CST)

# everyday matters, none like another: what the frames are said around
MATTERS = [
    "医保卡余额可以给家人用吗", "居住证丢了补办要多久", "退休后养老金怎么领", "电工证培训在哪里报名",
    "幼儿园保育费有没有调整", "渔船检验在哪里预约", "个税汇算什么时候开始", "献血证能抵用家属用血吗",
    "二手房交易资金怎么监管", "高龄补贴怎么申请", "结婚登记需要预约吗", "网约车绕路多收了钱",
    "楼上空调外机滴水", "驾校交了学费一直排不上", "网上买的蛏子坏了商家不退", "改名字需要什么手续",
    "失业金怎么申请", "生育津贴什么时候发", "港澳通行证能自助续签吗", "公司年报错过了怎么补",
]
FRAMES = [
    ("市民来电反映：", "。请相关部门核实处理。"),
    ("来电人称，", "，希望给个准确答复。"),
    ("尊敬的领导：", "？望尽快答复，谢谢。"),
    ("市民来电咨询：", "。要求回电告知处理结果。"),
]


def framed(n: int) -> str:
    opening, closing = FRAMES[n % len(FRAMES)]
    return f"{opening}{MATTERS[n % len(MATTERS)]}{closing}"


def learnt(count: int, every: timedelta = timedelta(minutes=10)) -> Formulas:
    formulas = Formulas(FormulaSettings(warmup=50, buckets_bits=16))
    for n in range(count):
        formulas.age(T0 + n * every)
        formulas.blank(framed(n))
    return formulas


def test_the_frames_many_unrelated_messages_share_are_blanked_and_the_matter_stays():
    formulas = learnt(400)
    text = formulas.blank("市民来电反映：东河路的窨井盖松了，车一压就响。请相关部门核实处理。")
    assert "来电反映" not in text and "核实处理" not in text
    assert "东河路的窨井盖松了" in text and "车一压就响" in text
    # nothing is blanked before the warm-up: there is nothing yet to tell a frame by
    assert Formulas(FormulaSettings(warmup=50)).blank("市民来电反映：路灯坏了") == "市民来电反映：路灯坏了"


def test_a_phrase_common_only_now_is_an_events_and_stays():
    formulas = learnt(400)
    moment = T0 + 400 * timedelta(minutes=10)
    for n in range(25):
        formulas.age(moment + timedelta(minutes=2 * n))
        formulas.blank(f"海润万家关门了，第{n}个人说卡里的钱取不出来")
    text = formulas.blank("海润万家东港店也关门了")
    assert "海润万家" in text


def test_the_power_lexicon_is_not_the_intakes_来电(hotspot_settings, router):
    detector = Detector(hotspot_settings, router.gazetteer)
    assert "power" not in detector.features("市民来电反映：孩子入学要什么材料").problems
    assert "power" not in detector.features("来电人称小区门口的垃圾没人清").problems
    assert "power" in detector.features("停了一上午，终于来电了").problems
    assert "power" in detector.features("什么时候来电啊，冰箱里的菜都坏了").problems


def test_an_event_word_in_a_good_share_of_all_traffic_names_no_event(hotspot_settings, router):
    # a lexicon that, as ours did, holds a word every transcribed call says
    problems = dict(hotspot_settings.problems)
    problems["power"] = (*problems["power"], "来电")
    detector = Detector(dataclasses.replace(hotspot_settings, problems=problems), router.gazetteer)
    assert "power" in detector.features("来电人称楼道灯坏了").problems
    for n in range(120):
        detector.add(Message(f"b{n}", T0 + timedelta(minutes=10 * n), framed(n), "12345"))
    assert "power" not in detector.features("来电人称楼道灯坏了").problems
    # the lexicon's other words are still events
    assert "power" in detector.features("来电人称小区停电了").problems


def test_unrelated_tickets_in_one_frame_within_the_hour_are_not_one_matter(hotspot_settings, router):
    closed = []
    detector = Detector(hotspot_settings, router.gazetteer, on_close=closed.append)
    for n in range(400):
        detector.add(Message(f"b{n}", T0 + timedelta(minutes=10 * n), framed(n), "12345"))
    start = T0 + timedelta(minutes=4010)
    questions = [
        "女职工五十岁退休还是五十五岁",
        "外地户籍孩子读小学需要哪些材料",
        "公积金贷款审批一般要多久",
        "违章记录没处理车能卖吗",
        "社保断交了现在补缴还来得及吗",
        "宠物猫要不要办证",
    ]
    for n, question in enumerate(questions):
        detector.add(
            Message(f"m{n}", start + timedelta(minutes=4 * n), f"来电人称，{question}，希望给个准确答复。", "12345")
        )
    detector.close_all()
    mine = [topic for topic in closed if any(i.startswith("m") for i in topic.message_ids)]
    assert all(topic.alert_at is None for topic in mine)
    assert max(sum(i.startswith("m") for i in topic.message_ids) for topic in mine) <= 2


def test_the_ageing_clock_ticks_hourly_by_stream_time_and_never_backwards():
    clock = Ticker(timedelta(hours=1))
    start = datetime(2026, 12, 7, 9, 0, tzinfo=timezone(timedelta(hours=8)))
    assert clock.elapsed(start) is None  # the first time seen starts the clock
    assert clock.elapsed(start + timedelta(minutes=59)) is None
    assert clock.elapsed(start - timedelta(hours=5)) is None  # a late message moves nothing back
    assert clock.elapsed(start + timedelta(minutes=90)) == timedelta(minutes=90)
    assert clock.elapsed(start + timedelta(minutes=100)) is None
    assert clock.elapsed(start + timedelta(hours=4)) == timedelta(minutes=150)


STAND_IN_MATTERS = [
    "家门口那条路人行道砖翘起来好多块",
    "家门口那条路大货车乱按喇叭，凌晨也按",
    "家门口那条街有人在路边杀鱼",
    "家门口那条路渣土车车厢不盖篷布，泥土掉了一路",
    "家门口那条路的路灯一闪一闪的",
    "家门口那条路共享单车堆成一团",
]


def _stand_in_topics(settings, router) -> list[int]:
    closed = []
    detector = Detector(settings, router.gazetteer, on_close=closed.append)
    for n in range(60):  # a few hours of everyday traffic: what the words' weights are learnt from
        detector.add(Message(f"b{n}", T0 + timedelta(minutes=5 * n), framed(n), "12345"))
    start = T0 + timedelta(hours=6)
    for n, text in enumerate(STAND_IN_MATTERS):
        detector.add(Message(f"m{n}", start + timedelta(minutes=7 * n), text, "weibo"))
    detector.close_all()
    mine = [topic for topic in closed if any(i.startswith("m") for i in topic.message_ids)]
    return [-1 if topic.alert_at else sum(i.startswith("m") for i in topic.message_ids) for topic in mine]


def test_matters_sharing_only_a_stand_in_for_the_place_are_not_one_topic(hotspot_settings, router):
    # 家门口那条路 says where without naming it: at a stream's start, before any formula is learnt,
    # six matters said around it within the hour are six topics, none alerted
    assert "家门口" in hotspot_settings.stand_ins
    detector = Detector(hotspot_settings, router.gazetteer)
    vector = detector.features("家门口那条路大货车乱按喇叭").vector
    assert not any(gram in vector for gram in ("门口", "那条", "条路"))
    assert "货车" in vector
    assert _stand_in_topics(hotspot_settings, router) == [1] * len(STAND_IN_MATTERS)
    # without the stand-ins they glue (what stream 11's false alert was)
    glued = _stand_in_topics(dataclasses.replace(hotspot_settings, stand_ins=()), router)
    assert max(glued) > 1 or -1 in glued
