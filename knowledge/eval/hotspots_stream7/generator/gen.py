# -*- coding: utf-8 -*-
"""Generate hotspots_stream7/stream.jsonl (standard library only).
Usage: python3 generator/gen.py   (from hotspots_stream7/)"""
import json
import os
import random
import re
import sys
from datetime import datetime, timedelta, timezone

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from data_bursts import BURSTS  # noqa: E402
from data_decoys import DECOYS  # noqa: E402
import data_background as B  # noqa: E402
import data_background_more as BM  # noqa: E402
from collections import Counter  # noqa: E402

BM.extend(B.CATS)
USE = Counter()
CAP = {"core": 8, "short": 2, "q": 3, "pr": 3, "sg": 3, "ch": 3}


class Exhausted(Exception):
    pass


def choose(items, kind):
    ok = [x for x in items if USE[x] < CAP[kind]]
    if not ok:
        raise Exhausted()
    x = R.choice(ok)
    USE[x] += 1
    return x

SEED = 20261123
TARGET_TOTAL = 1800
TZ = timezone(timedelta(hours=8))
START = datetime(2026, 11, 23, 0, 0, tzinfo=TZ)
END = datetime(2026, 11, 29, 23, 59, tzinfo=TZ)
OUT_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

R = random.Random(SEED)

SRC_W = {"12345": 0.34, "portal": 0.20, "wechat": 0.26, "weibo": 0.14, "telegram": 0.06}
HOUR_W = [0.8, 0.5, 0.3, 0.2, 0.2, 0.4, 1.2, 2.5, 4.5, 6.0, 6.2, 5.5,
          3.8, 4.0, 5.5, 5.8, 5.3, 4.5, 3.5, 3.6, 3.8, 3.2, 2.2, 1.4]
DAY_W = [1.0, 1.0, 1.0, 1.0, 1.0, 0.85, 0.8]  # Mon..Sun
EMOJI = ["😤", "😡", "😩", "🙄", "😓", "😭", "🤦", "😒", "", "", "", "", ""]
EMOJI_POS = ["👍", "❤️", "😄", "🌊", "☀️", "", "", ""]
GRUMBLE = ["烦死了", "有没有人管管", "真的受不了了", "说了好多次了", "太离谱了", "无语",
           "到底归谁管啊", "投诉都没用", "气死", "求解决", "谁能管一下", "唉"]
EXTRA = ["之前打过电话，说会处理，到现在没动静。", "照片和视频都拍了。", "", "", "", "不是第一次了。",
         "已经跟对方沟通过，没有结果。", "希望不要再踢皮球。"]
EXTRA_EST = ["家里有老人小孩，实在受不了。", "物业说不归他们管。", "社区说要上报，然后就没下文了。",
             "周边住户意见都很大。", "业主群里大家都在说这个事。"]
INTRO = [("我是外地来舟山工作的", "来电人系外地来舟山工作人员"), ("我是退休职工", "来电人系退休职工"),
         ("本人是个体户", "来电人系个体经营户"), ("我是学生家长", "来电人系学生家长"),
         ("我在舟山打工三年了", "来电人称其在舟山务工三年"), ("替家里老人问一下", "来电人替家中老人"),
         ("我刚从外地调到舟山", "来电人称其刚从外地调至舟山工作"), ("", "")]
TAGS = ["#舟山#", "#舟山#", "#定海#", "#普陀#", "#舟山新城#", "#岱山#", "#嵊泗#", "#舟山12345#", ""]


def pick(seq):
    return R.choice(seq)


def wpick(d):
    keys = list(d)
    return R.choices(keys, weights=[d[k] for k in keys])[0]


def bus():
    return "%d路" % R.choice([1, 2, 3, 5, 6, 7, 8, 9, 11, 12, 15, 17, 18, 20, 21, 23, 25, 26, 31, 33, 35, 51, 101, 106])


def fill(t):
    t = t.replace("{road}", pick(B.ROADS)) if "{road}" in t else t
    rep = {
        "{estate}": lambda: pick(B.ESTATES), "{town}": lambda: pick(B.TOWNS),
        "{bus}": bus, "{n}": lambda: str(R.randint(2, 12)), "{hour}": lambda: pick(B.HOURS),
        "{shop}": lambda: pick(B.SHOPS), "{school}": lambda: pick(B.SCHOOLS), "{days}": lambda: pick(B.DAYS),
    }
    for k, f in rep.items():
        while k in t:
            t = t.replace(k, f(), 1)
    return t


def road_in(text):
    for r in B.ROADS:
        if r in text:
            return r
    return None


def place_for(cat, core):
    """returns (full place, short place) or ('','')."""
    pl = cat["pl"]
    if pl == "estate":
        town = pick(B.TOWNS)
        est = pick(B.ESTATES)
        short = B.SHORT_TOWN[town]
        full = R.choice([town + est, town + est, short + est, est, town])
        sh = R.choice([est, short + est, short + "这边", "我们小区", "阿拉小区", ""])
        return full, sh
    if pl == "road":
        r = road_in(core)
        d = B.ROAD_DIST.get(r, "") if r else ""
        return (d, "") if d and R.random() < 0.5 else ("", "")
    if pl == "town":
        town = pick(B.TOWNS)
        return town, B.SHORT_TOWN[town]
    return "", ""


def strip_end(s):
    return s.rstrip("。！？!?，, ")


def colloquial(s):
    """light dialect / typo noise for chat sources."""
    if R.random() < 0.12:
        s = s.replace("我们", "阿拉", 1)
    if R.random() < 0.10:
        s = s.replace("很", "交关", 1)
    if R.random() < 0.06:
        s = s.replace("不知道", "弗晓得", 1)
    if R.random() < 0.07:
        s = s.replace("已经", "以经", 1)
    if R.random() < 0.06:
        s = s.replace("在", "再", 1)
    if R.random() < 0.05:
        s = s.replace("反映", "反应", 1)
    if R.random() < 0.2:
        s = s.replace("，", " ")
    if R.random() < 0.25:
        s = strip_end(s)
    if R.random() < 0.08:
        s = s.replace("。", "。。", 1)
    return s


DETAIL = ["最早是{days}前开始的。", "白天还好，晚上特别明显。", "周边好几栋楼的人都有意见。", "我们联名写过信。",
          "打过110，来了以后说不归他们管。", "在业主群里说了，物业装没看见。", "社区的人来看过一次，拍了照就走了。",
          "上个月也反映过，当时说一周内处理。", "老人晚上睡不好，血压都高了。", "问了好几个部门，都说不归自己管。"]
PARTY = ["物业", "社区", "街道", "商家", "施工单位", "对方", "有关部门"]
RESP = ["对方说会处理，然后就没消息了", "一直在推", "说要等上级批", "态度还不好", "答应得好好的，就是不动"]


def render_long(cat, src, core, full, ask):
    i1, i3 = pick(INTRO)
    d1, d2 = R.sample(DETAIL, 2)
    if src == "portal":
        t = "您好，{i}{P}{c}。{d1}{d2}我们也找过{pa}，{r}。到现在已经{dy}了，问题还在，希望{a}。谢谢！"
        return fill(t.format(i=(i1 + "，") if i1 else "", P=("我住在" + full + "，") if full else "", c=core, d1=d1, d2=d2,
                             pa=pick(PARTY), r=pick(RESP), dy=pick(B.DAYS), a=ask))
    t = "来电人反映：{P}{c}。据来电人介绍，{d1}{d2}其曾向{pa}反映，{r}。诉求：请{a}，并将处理结果告知来电人。"
    return fill(t.format(P=full, c=core, d1=d1, d2=d2, pa=pick(PARTY), r=pick(RESP), a=ask))


def render_statement(cat, src):
    core = fill(choose(cat["cores"], "core"))
    full, sh = place_for(cat, core)
    ask = pick(cat.get("asks", []) + B_DEFAULT())
    ex = pick(EXTRA + (EXTRA_EST if cat["pl"] == "estate" else []))
    days = pick(B.DAYS)
    shorts = [x for x in cat.get("short", []) if USE[x] < CAP["short"]]
    if src in ("12345", "portal") and R.random() < 0.16:
        return render_long(cat, src, core, full, ask)
    if src == "12345":
        if full:
            t = pick([
                "来电人反映：{P}{c}。诉求：请{a}。",
                "来电人称其所在的{P}{c}，已持续{d}，要求{a}。",
                "市民来电反映{P}{c}，希望{a}。",
                "来电人反映：{c}（地点：{P}）。来电人要求{a}。",
                "来电人投诉：{P}{c}，此前已反映过一次未解决，要求{a}。",
                "来电人反映{P}{c}，{e}诉求：{a}。",
            ])
        else:
            t = pick([
                "来电人反映：{c}。诉求：请{a}。",
                "来电人反映{c}，要求{a}。",
                "市民来电称{c}，希望{a}。",
                "来电人投诉：{c}，已持续{d}，请{a}。",
            ])
        return t.format(P=full, c=core, a=ask, d=days, e=ex)
    if src == "portal":
        if full:
            t = pick([
                "您好，我是{P}的居民，{c}。{e}希望{a}，谢谢！",
                "{P}{c}，{d}了一直没解决，请{a}。",
                "反映问题：{c}。地点：{P}。请{a}。",
                "尊敬的领导：{P}{c}，给居民生活造成很大影响，恳请{a}。",
                "你好，想反映一下{P}{c}的问题，麻烦{a}。{e}",
            ])
        else:
            t = pick([
                "您好，{c}。{e}希望{a}，谢谢！",
                "反映：{c}，{d}了一直没人管，请{a}。",
                "尊敬的领导：{c}，恳请{a}。",
                "你好，{c}，麻烦{a}。",
            ])
        return t.format(P=full, c=core, a=ask, d=days, e=ex)
    if src in ("wechat", "telegram"):
        opts = ["{S}{c}，{g}", "{c}{m}", "有没有人管管？{S}{c}", "{S}{c}"]
        if shorts:
            opts += ["{s}", "{s}{m}", "{s}，{g}"]
        t = pick(opts)
        s = t.format(S=(sh + "，") if sh and R.random() < 0.5 else sh, c=core, g=pick(GRUMBLE),
                     m=pick(EMOJI), s=fill(choose(shorts, "short")) if shorts and "{s}" in t else "")
        if src == "telegram" and R.random() < 0.5:
            s = s.replace("，", " ").rstrip("。")
        return colloquial(s)
    # weibo
    opts = ["{T} {S}{c}{m}", "{S}{c}，{g}{m} {T}", "{c}。{e}{T} @舟山12345"]
    if shorts:
        opts += ["{s}{m} {T}", "{T} {s}，{g}"]
    t = pick(opts)
    s = t.format(T=pick(B_TAGS(full + sh)), S=sh, c=core, g=pick(GRUMBLE), m=pick(EMOJI),
                 e=ex, s=fill(choose(shorts, "short")) if shorts and "{s}" in t else "")
    return colloquial(s.strip())


def B_DEFAULT():
    return B.DEFAULT_ASKS


def B_TAGS(place):
    tags = list(TAGS)
    for k, tg in (("定海", "#定海#"), ("普陀", "#普陀#"), ("沈家门", "#沈家门#"), ("岱山", "#岱山#"),
                  ("嵊泗", "#嵊泗#"), ("新城", "#舟山新城#")):
        if k in place:
            tags += [tg, tg, tg]
    return tags


def render_question(cat, src):
    q = strip_end(fill(choose(cat["qs"], "q")))
    intro, intro3 = pick(INTRO)
    if src == "12345":
        t = pick(["来电人咨询：{q}。", "来电人询问{q}。", "市民来电咨询{q}，请相关部门答复。",
                  "{i}，咨询{q}。" if intro else "来电人咨询{q}，希望尽快答复。"])
        return t.format(q=q, i=intro3)
    if src == "portal":
        t = pick(["您好，想咨询一下，{q}？谢谢。", "请问{q}？", "{i}，{q}？麻烦解答。" if intro else "请问一下，{q}？",
                  "咨询：{q}？网上查了好久没查到。"])
        return t.format(q=q, i=intro)
    if src in ("wechat", "telegram"):
        t = pick(["{q}？有人知道吗", "问一下，{q}", "有没有懂的，{q}？", "{q}", "请教各位，{q}？", "{q}啊？谁知道"])
        return colloquial(t.format(q=q))
    t = pick(["{q}？求解答 {T}", "@舟山发布 {q}？", "{T} 想问问{q}？", "{q}，打电话一直占线 {T}"])
    return colloquial(t.format(q=q, T=pick(TAGS)))


def render_praise(cat, src):
    c = fill(choose(cat["cores"], "pr"))
    if src == "12345":
        return pick(["来电人表扬：{c}，希望予以表扬。", "来电人致电表示{c}，特此致谢。", "来电人称{c}，要求转达谢意。"]).format(c=c)
    if src == "portal":
        return pick(["{c}，特此表扬！", "您好，我想{c}。谢谢你们！", "{c}，给你们点赞。"]).format(c=c)
    if src == "weibo":
        return colloquial(pick(["#舟山# {c}，暖心❤️", "{c}，这座城市真好 {T}", "{c}👍 {T}"]).format(c=c, T=pick(TAGS)))
    return colloquial(pick(["{c}，点赞👍", "{c}", "{c}，真的很感动", "{c}{m}"]).format(c=c, m=pick(EMOJI_POS)))


def render_suggestion(cat, src):
    c = fill(choose(cat["cores"], "sg"))
    if src == "12345":
        return pick(["来电人{c}。", "来电人{c}，希望相关部门研究采纳。", "市民来电{c}。"]).format(c=c)
    if src == "portal":
        return pick(["{c}，望采纳。", "{i}，{c}，谢谢。", "建议事项：{c2}。"]).format(c=c, i=pick(INTRO)[0] or "您好", c2=c[2:])
    if src == "weibo":
        return colloquial("{c} {T}".format(c=c, T=pick(TAGS)))
    return colloquial(pick(["{c}吧，真的需要", "{c}", "{c}，+1", "强烈{c}"]).format(c=c))


def render_chatter(cat, src):
    c = fill(choose(cat["cores"], "ch"))
    if src == "weibo":
        return colloquial(pick(["{c} {T}", "{T} {c}{m}", "{c}{m}"]).format(c=c, T=pick(TAGS), m=pick(EMOJI_POS)))
    return colloquial(pick(["{c}", "{c}{m}", "{c}～"]).format(c=c, m=pick(EMOJI_POS)))


LOOKALIKE = [
    ("ferry_sanjiang_fog", "wechat", "今天起雾了，明天去嵊泗的船会不会停？在哪里看停航通知"),
    ("ferry_sanjiang_fog", "portal", "上次坐船去岱山晚点了一个小时，码头也没广播，希望以后晚点能及时通知。"),
    ("tapwater_yellow_qiandao", "portal", "家里热水器放出来的水有点黄，冷水是清的，是热水器的问题还是自来水的问题？"),
    ("tapwater_yellow_qiandao", "12345", "来电人咨询：家用净水器滤芯多久更换一次，本市自来水水质检测报告在哪里可以查询。"),
    ("hospital_system_outage_donggang", "12345", "来电人反映：医院门诊一楼自助缴费机有一台故障多日未修，高峰时段排队较长，要求医院及时维修。"),
    ("hospital_system_outage_donggang", "wechat", "海康医院停车场收费太贵了，看个病停两小时二十块"),
    ("shipyard_wage_protest_liuheng", "12345", "来电人反映：六横镇一船厂夜间加班电焊作业，弧光和敲击声影响附近居民休息，要求督促企业合理安排作业时间。"),
    ("shipyard_wage_protest_liuheng", "portal", "请问六横的船厂招工信息在哪里能看到？电焊工一个月工资大概多少？"),
    ("fish_dieoff_gaoting", "wechat", "小区景观池里的锦鲤死了好多，物业也不捞，都臭了"),
    ("fish_dieoff_gaoting", "12345", "来电人反映：岱山县城区一段河道水葫芦长满河面，影响排水和观感，要求安排清理。"),
    ("sinkhole_binggang_road", "telegram", "滨港路人行道有块地砖陷下去了 晚上走路小心别崴脚"),
    ("sinkhole_binggang_road", "12345", "来电人反映：定海区环城北路一处路面轻微下沉，车辆经过颠簸明显，要求市政部门查看修补。"),
    ("telecom_outage_shengsi", "portal", "嵊泗枸杞岛上手机信号一直不太好，尤其是山后面几乎没信号，能不能增设基站？"),
    ("telecom_outage_shengsi", "12345", "来电人反映：其手机欠费停机后已充值，但两小时后仍未恢复通话，要求运营商处理。"),
    ("art_school_closure_dinghai", "portal", "请问校外培训机构怎么查询是否有办学许可证？想给孩子报个舞蹈班，怕遇到不靠谱的。"),
    ("art_school_closure_dinghai", "wechat", "孩子报的美术班老师突然换人了，新老师水平差太多，交了一年的钱"),
]

RENDER = {"st": render_statement, "q": render_question, "pr": render_praise, "sg": render_suggestion, "ch": render_chatter}
KIND_SRC = {
    "st": SRC_W,
    "q": {"12345": 0.40, "portal": 0.30, "wechat": 0.16, "weibo": 0.08, "telegram": 0.06},
    "pr": {"12345": 0.40, "portal": 0.25, "wechat": 0.15, "weibo": 0.20, "telegram": 0.0},
    "sg": {"12345": 0.35, "portal": 0.40, "wechat": 0.10, "weibo": 0.15, "telegram": 0.0},
    "ch": {"12345": 0.0, "portal": 0.0, "wechat": 0.45, "weibo": 0.45, "telegram": 0.10},
}


def parse_local(s):
    return datetime.strptime(s, "%Y-%m-%dT%H:%M").replace(tzinfo=TZ)


def rand_time(exclude_day=None):
    while True:
        d = R.choices(range(7), weights=DAY_W)[0]
        if exclude_day is not None and d == exclude_day:
            continue
        h = R.choices(range(24), weights=HOUR_W)[0]
        return START + timedelta(days=d, hours=h, minutes=R.randint(0, 59))


def burst_offsets(n, span):
    t5 = R.uniform(15, 38)
    early = sorted(R.uniform(1.5, t5 - 1.5) for _ in range(3))
    rest = sorted(t5 + 2 + (span - t5 - 2) * (R.random() ** 1.7) for _ in range(n - 5))
    offs = [0.0] + early + [t5] + rest
    return [int(round(o)) for o in offs]


def main():
    rows = []
    seen = set()

    for b in BURSTS:
        st = parse_local(b["start"])
        free = [m for m in b["msgs"] if len(m) == 2]
        offs = burst_offsets(len(free), b["span"])
        for i in range(1, len(offs)):
            offs[i] = max(offs[i], offs[i - 1])
        placed = []
        for (src, text), o in zip(free, offs):
            placed.append((st + timedelta(minutes=o), src, text))
        for m in b["msgs"]:
            if len(m) == 3:
                src, text, hm = m
                h, mi = map(int, hm.split(":"))
                t = st.replace(hour=h, minute=mi) + timedelta(minutes=R.randint(-4, 4))
                if t < st:
                    t += timedelta(days=1)
                placed.append((t, src, text))
        placed.sort(key=lambda x: x[0])
        for t, src, text in placed:
            assert text not in seen, text
            seen.add(text)
            rows.append({"time": t, "text": text, "source": src, "label": "burst:" + b["name"]})

    for g in DECOYS:
        for i, m in enumerate(g["matters"], 1):
            for ts, src, text in m["msgs"]:
                assert text not in seen, text
                seen.add(text)
                rows.append({"time": parse_local(ts), "text": text, "source": src,
                             "label": "decoy:%s:%d" % (g["group"], i)})

    burst_day = {b["name"]: (parse_local(b["start"]) - START).days for b in BURSTS}
    for name, src, text in LOOKALIKE:
        seen.add(text)
        rows.append({"time": rand_time(exclude_day=burst_day[name]), "text": text, "source": src, "label": "single"})

    for src, text in BM.LONG_SINGLES:
        seen.add(text)
        rows.append({"time": rand_time(), "text": text, "source": src, "label": "single"})

    n_bg = TARGET_TOTAL - len(rows)
    cats = B.CATS
    cw = [c["w"] for c in cats]
    made = 0
    tries = 0
    while made < n_bg:
        tries += 1
        cat = R.choices(cats, weights=cw)[0]
        src = wpick({k: v for k, v in KIND_SRC[cat["kind"]].items() if v > 0})
        try:
            text = RENDER[cat["kind"]](cat, src).strip()
        except Exhausted:
            cw[cats.index(cat)] = 0
            if not any(cw):
                raise SystemExit("content exhausted")
            continue
        text = re.sub(r"\s{2,}", " ", text)
        if len(text) < 10 or len(text) > 200 or text in seen:
            continue
        seen.add(text)
        rows.append({"time": rand_time(), "text": text, "source": src, "label": "single"})
        made += 1

    for r in rows:
        assert START <= r["time"] <= END, r

    rows.sort(key=lambda r: (r["time"], r["label"] != "single"))
    # stable order: within equal times keep burst order by original sequence
    out = os.path.join(OUT_DIR, "stream.jsonl")
    with open(out, "w", encoding="utf-8") as f:
        for i, r in enumerate(rows, 1):
            f.write(json.dumps({"id": "s7-%05d" % i, "time": r["time"].isoformat(), "text": r["text"],
                                "source": r["source"], "label": r["label"]}, ensure_ascii=False) + "\n")
    print("wrote", len(rows), "rows to", out, "(background tries: %d)" % tries)


if __name__ == "__main__":
    main()
