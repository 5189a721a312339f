"""A month of a large city's messages, generated: background matters from templates (place ×
problem × wording), with a burst (one event, many citizens) every few hours. For throughput and
memory benchmarks of `bot.hotspots`; its grouping quality is measured on written streams
(`python -m bot eval hotspots`), not on this."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta, timezone
from typing import Iterator

PLACES = [
    "解放路", "环城南路", "人民北路", "昌国路", "海天大道", "千岛路", "临港路", "渔港路", "兴建路", "东港",
    "沈家门", "六横镇", "白泉镇", "金塘镇", "岱山高亭镇", "衢山镇", "嵊泗菜园镇", "朱家尖", "桃花镇", "马岙街道",
    "海中洲小区", "凯虹广场", "半升洞码头", "三江码头", "鸭蛋山码头", "舟山医院", "定海人民医院", "新城实验小学",
    "长峙岛", "小沙街道", "岑港街道", "展茅街道", "东极镇", "虾峙镇", "普陀山", "秀山乡", "洋山镇", "枸杞乡",
]
PROBLEMS = [
    "停水了", "停电了", "路灯坏了", "工地半夜施工太吵", "垃圾没人清运", "下水道堵了臭气熏天", "路面塌陷一个大坑",
    "有人乱停车堵路", "公交车好久不来", "菜场卖过期食品", "小广告贴满墙", "烧烤油烟太大", "井盖丢了很危险",
    "广场舞噪音扰民", "流浪狗咬人", "电梯困人", "积水很深走不了", "渡轮停航没通知", "空气里一股怪味", "网络断了",
]
WORDING = [
    "{p}{q}", "{p}这边{q}，有没有人管", "请问{p}{q}怎么办", "我在{p}，{q}好几天了", "{q}，地址{p}",
    "{p}附近{q}，希望尽快处理", "投诉一下{p}{q}", "{p}{q}，老人小孩都受不了", "{p}又{q}了，太不像话",
]
SOURCES = ["12345", "portal", "wechat", "weibo", "news", "forum"]


def generate(count: int, days: int = 30, seed: int = 11) -> Iterator[dict]:
    rng = random.Random(seed)
    start = datetime(2026, 11, 1, tzinfo=timezone(timedelta(hours=8)))
    step = timedelta(days=days) / count
    burst = None
    for n in range(count):
        moment = start + step * n
        if burst is None or rng.random() < 0.0005:
            burst = (rng.choice(PLACES), rng.choice(PROBLEMS), moment)
        if moment - burst[2] < timedelta(hours=3) and rng.random() < 0.02:
            place, problem = burst[0], burst[1]
        else:
            place, problem = rng.choice(PLACES), rng.choice(PROBLEMS)
        text = rng.choice(WORDING).format(p=place, q=problem) + rng.choice(["", "！", "。", "？"])
        yield {
            "id": f"m{n}",
            "time": moment.isoformat(),
            "text": text,
            "source": rng.choice(SOURCES),
        }


def write(path: str, count: int, days: int = 30) -> None:
    with open(path, "w", encoding="utf-8") as out:
        for item in generate(count, days):
            out.write(json.dumps(item, ensure_ascii=False) + "\n")
