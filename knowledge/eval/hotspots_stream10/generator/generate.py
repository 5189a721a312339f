# -*- coding: utf-8 -*-
"""Write ../stream.jsonl for hotspots stream 10 (Python 3, standard library only, fixed seed)."""
import difflib
import json
import os
import random
import re
import sys
from datetime import datetime, timedelta

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from bursts import BURSTS          # noqa: E402
from decoys import DECOYS          # noqa: E402
import background as B             # noqa: E402

SEED = 20270111
TZ = "+08:00"
DAY0 = datetime(2027, 1, 11)
N_BACKGROUND = 1550
DAY_COUNTS = [236, 247, 233, 238, 240, 190, 166]            # Mon..Sun, background only
HOUR_W = [3, 1.5, 1, 0.7, 0.7, 1.2, 4, 9, 13, 16, 16, 14, 10, 11, 14, 15, 14, 12, 10, 10, 9, 8, 6, 4]
SRC_W = [("12345", 34), ("web", 22), ("wechat", 21), ("weibo", 13), ("telegram", 10)]


def parse(t):
    return datetime.strptime(t, "%Y-%m-%dT%H:%M")


def fmt(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:00") + TZ


# ---------------------------------------------------------------- bursts, decoys
# topic words kept out of background singles within 3 h of a burst, so that no single is ambiguous
SEMANTIC_BAN = {
    "landslide_cengang_coastal_road": ["塌方", "滑坡", "落石", "山体"],
    "scam_sms_shebao_card": ["社保卡", "短信", "链接"],
    "wedding_banquet_poisoning_gaoting": ["婚宴", "喜酒", "腹泻", "呕吐", "吃坏"],
    "school_bus_breakdown_zhanmao": ["校车", "抛锚"],
    "flu_rumour_haiyun_school": ["流感", "甲流", "发烧", "发热", "停课"],
    "toll_system_failure_jintang": ["收费站", "ETC", "大桥"],
    "hot_water_failure_haiyuewan": ["热水", "地暖", "暖气", "冷死", "供暖"],
    "fake_water_cut_rumour": ["停水", "没水", "囤水", "桶装水", "储水"],
}


def burst_messages():
    out, windows = [], []
    for b in BURSTS:
        st = parse(b["start"])
        times = []
        for off, src, text in b["msgs"]:
            dt = st + timedelta(minutes=off)
            times.append(dt)
            out.append(dict(dt=dt, text=text, source=src, label="burst:" + b["name"]))
        windows.append((min(times) - timedelta(hours=6), max(times) + timedelta(hours=6), b["places"]))
        windows.append((min(times) - timedelta(hours=3), max(times) + timedelta(hours=3), SEMANTIC_BAN[b["name"]]))
    return out, windows


def decoy_messages():
    return [dict(dt=parse(t), text=text, source=src, label="decoy:%s:%d" % (g, n))
            for g, n, place, t, src, text in DECOYS]


# ---------------------------------------------------------------- background
PLACE_POLICY = {  # topic -> allowed granularities
    "praise": ["district", "town"], "hospital": ["district", "town"], "suggest": ["district", "town", "road"],
    "winter": ["town", "road", "estate"], "ferry": ["island"], "scenic": ["scenic"], "sea_shore": ["shore"],
    "illegal_fishing": ["shore"], "school_gate": ["district", "town", "road", "none"],
    "elevator_old": ["estate"], "charging": ["estate", "none"], "traffic_signal": ["road", "road", "estate", "none"],
    "village": ["village", "village", "none"], "chunyun": ["island"], "food_market": ["district", "town", "road"], "fireworks": ["district", "town", "estate"], "newhouse": ["estate", "estate", "town", "none"], "property": ["estate", "estate", "none"], "renovation": ["estate", "none"],
    "noise_neighbor": ["estate", "estate", "town", "none"], "aircon": ["estate", "road", "none"], "pet": ["estate", "town", "none"], "wage": ["district", "town", "none"], "consumer": ["district", "town", "road", "none"],
}
ISLANDS = ["六横", "桃花岛", "虾峙", "东极", "登步", "长涂", "衢山", "秀山", "岱山", "嵊泗", "洋山", "嵊山", "枸杞", "花鸟", "黄龙", "金塘"]
SCENIC = ["朱家尖", "桃花岛", "东极岛", "普陀山", "花鸟岛", "秀山岛", "鹿栏晴沙", "南沙", "基湖沙滩", "定海古城", "长峙岛"]
SHORE = ["朱家尖", "沈家门渔港", "鲁家峙", "岱西", "干览", "长峙岛", "小干岛", "东沙", "五龙", "白泉", "勾山", "桃花"]


ESTATE_TOPICS = {"newhouse", "property", "renovation", "noise_neighbor", "charging", "aircon", "pet", "elevator_old"}
TIME_TOPICS = {"streetlight", "pothole", "parking", "stall", "noise_neighbor", "renovation", "garbage", "broadband",
               "drain", "noise_traffic", "dust_truck", "aircon", "village", "public_toilet", "fitness", "bus", "property"}
GEN_ASK = {"c": ["请相关部门处理", "希望尽快解决", "麻烦派人来看看", "请有关部门重视一下", "盼早日解决", "麻烦管一管"],
           "q": ["请告知", "谢谢", "麻烦回复一下", "麻烦告诉一下"], "g": ["谢谢", "谢谢"]}
NOPREFIX = ("请", "希望", "要求", "麻烦", "谢谢", "建议", "能", "特此", "点", "供", "望", "盼", "至少")


def place_phrase(rng, topic):
    pol = PLACE_POLICY.get(topic, ["none", "none", "none", "district", "town", "town", "town", "road", "estate", "estate"])
    g = rng.choice(pol)
    if g == "none":
        if topic == "village":
            return "", rng.choice(["我们", "我们这个", "我老家"])
        if topic in ESTATE_TOPICS:
            return "", rng.choice(B.NOPLACE_ESTATE)
        return "", rng.choice(B.NOPLACE)
    if g == "village":
        d = rng.choice(list(B.DISTRICTS))
        t = rng.choice([x for x in B.DISTRICTS[d]["towns"] if x not in ("解放", "昌国", "环南", "城东", "临城", "千岛")] or ["白泉"])
        return t, t + rng.choice(["那边", "这边", "乡下", "的一个"])
    if g == "island":
        p = rng.choice(ISLANDS)
        return p, p
    if g == "scenic":
        p = rng.choice(SCENIC)
        return p, p
    if g == "shore":
        p = rng.choice(SHORE)
        return p, p
    d = rng.choice(list(B.DISTRICTS))
    info = B.DISTRICTS[d]
    if g == "district":
        p = rng.choice([d, d + ("" if d == "新城" else ("县" if d in ("岱山", "嵊泗") else "区"))])
        return d, p
    if g == "town":
        t = rng.choice(info["towns"])
        suf = B.TOWN_SUFFIX.get(t, "")
        p = rng.choice([t, t + suf, d + t, t])
        return t, p
    if g == "road":
        r = rng.choice(info["roads"])
        return r, rng.choice([r, r, d + r])
    e = rng.choice(info["estates"])
    return e, rng.choice([e + "小区", e, e])


TYPO = [("已经", "以经"), ("怎么", "咋"), ("什么", "啥"), ("现在", "现再"), ("这个", "这各"), ("一直", "一只"), ("再", "在")]
VOICE = [("路灯", "路等"), ("物业", "无业"), ("垃圾", "拉极"), ("红绿灯", "红路灯"), ("宽带", "宽代"), ("社保", "设保"),
         ("电梯", "电题"), ("装修", "庄修"), ("公交", "工交"), ("押金", "压金"), ("快递", "快地")]
EMO_WX = ["😓", "😤", "🙏", "😂", "😭", "👍", "🙄", "😡", "…", "!!", "～"]
EMO_WB = ["😤", "😭", "🙄", "💢", "😩", "👍", "🥶", "😮‍💨"]
WB_TAGS = ["#舟山#", "#舟山生活#", "#民生#", "#城市管理#", "#吐槽#", "#舟山身边事#"]
WB_TAIL = ["真的服了", "有人管管吗", "说多了都是泪", "无语", "心累", "求扩散", "太难了", "给点个赞"]
WX_OPEN = ["", "", "", "", "吐槽一下，", "问一下，", "有没有人知道，", "说个事，", "各位，", "真的气人，"]
WEB_OPEN = ["", "", "您好，", "领导您好，", "尊敬的领导：", "你好！", "您好！本人反映一个问题：", "本人是附近居民，"]
WEB_CLOSE = ["", "", "谢谢！", "盼复。", "望回复。", "辛苦了。", "谢谢领导。"]
TIMEW = ["最近", "这几天", "这段时间", "入冬以来", "这一个多礼拜", "最近一段时间，", "这几天，"]
H_OPEN_C = ["来电人反映：", "市民来电反映，", "来电人称，", "市民反映：", "来电反映：", "来电人表示，"]
H_OPEN_Q = ["来电人咨询：", "市民咨询：", "来电人询问，", "市民来电询问：", "来电咨询："]
H_OPEN_G = ["来电人表示：", "市民来电：", "来电人称：", "市民致电："]
H_CLOSE = ["", "", "请相关部门处理。", "望尽快答复。", "请核实。", "要求给予回复。"]
QSTRIP = ["想咨询一下", "想问一下", "请问"]


def to_third(s):
    for a, b in (("我们小区", "其所在小区"), ("我们村", "其所在村"), ("我们那条路上", "其住处附近路上"), ("我们这边", "其住处附近"),
                 ("我家附近", "其家附近"), ("我家楼下", "其家楼下"), ("我家", "其家"), ("我们", "他们"), ("我", "其")):
        s = s.replace(a, b)
    return s


def strip_end(s):
    return s.rstrip("。！？，!?,. ")


def compose(rng, topic, kind, core, detail, ask, src, pword):
    core = core.replace("{p}", pword)
    if topic in TIME_TOPICS and rng.random() < 0.3:
        core = rng.choice(TIMEW) + core
    q = "？" if kind == "q" else "。"
    if src == "12345":
        c = core
        if kind == "q":
            for w in QSTRIP:
                if c.startswith(w):
                    c = c[len(w):]
            opener = rng.choice(H_OPEN_Q)
        else:
            opener = rng.choice(H_OPEN_G if kind == "g" else H_OPEN_C)
        parts = [to_third(c)]
        if detail:
            parts.append(to_third(detail))
        text = opener + "，".join(parts)
        if ask:
            text += "，" + ("" if ask.startswith(NOPREFIX) else rng.choice(["希望", "要求", "请求"])) + to_third(ask)
        text = text.replace("，，", "，") + "。"
        if not ask:
            text += rng.choice(H_CLOSE)
        return text
    if kind == "q" and src in ("web", "wechat"):
        text = rng.choice(WEB_OPEN if src == "web" else WX_OPEN[:4] + ["问一下，", "想问问，", "请教一下，"]) + (strip_end(core)[2:] if core.startswith("请问") and rng.random() < 0.5 else strip_end(core)) + rng.choice(["？", "？", "？？"])
        if detail:
            text += detail + rng.choice(["。", "，", "。"] if src == "web" else ["", "，", "。"])
        if ask and src == "web":
            text = text.rstrip("，") + ("。" if text[-1] not in "。？" else "") + ask + "。"
        return text.rstrip("，")
    if src == "web":
        text = rng.choice(WEB_OPEN) + core + ("，" if detail else "") + (detail or "") + q
        if ask:
            text += ask + "。"
        return text + rng.choice(WEB_CLOSE)
    if src == "wechat":
        text = rng.choice(WX_OPEN) + core
        if detail:
            text += rng.choice(["，", "，", "。", " "]) + detail
        if ask and rng.random() < 0.5:
            text += "，" + ask
        if kind == "q":
            text += rng.choice(["？", "啊？", "呢", "？？", "有人知道吗"])
        if rng.random() < 0.3:
            text += rng.choice(EMO_WX)
        return text
    if src == "weibo":
        text = core + ("，" + detail if detail else "") + rng.choice(["！", "。", "…", "！！"])
        if rng.random() < 0.6:
            text += rng.choice(WB_TAIL)
        if rng.random() < 0.5:
            text += rng.choice(EMO_WB)
        if rng.random() < 0.5:
            text += " " + rng.choice(WB_TAGS)
        return text
    # telegram: short
    text = strip_end(core).replace("，", " ")
    if detail and rng.random() < 0.35:
        text += " " + strip_end(detail).replace("，", " ")
    if kind == "q" and rng.random() < 0.5:
        text += "？"
    return text


def roughen(rng, text, src):
    if src not in ("wechat", "telegram", "weibo"):
        return text
    r = rng.random()
    if r < 0.07:
        a, b = rng.choice(TYPO)
        text = text.replace(a, b, 1)
    elif r < 0.12:
        a, b = rng.choice(VOICE)
        text = text.replace(a, b, 1)
    elif r < 0.18 and src == "wechat":
        text = text.replace("我们", "阿拉", 1).replace("很", "交关", 1)
        if text.endswith("吗"):
            text = text[:-1] + "伐"
    return text


def mask(text):
    return re.sub(r"[\u4e00-\u9fff]{0,4}(小区|街道|镇|乡|路|区|县)", "P", text)


def background(rng, windows, n_total):
    # times
    slots = []
    scale = n_total / float(sum(DAY_COUNTS))
    counts = [int(round(c * scale)) for c in DAY_COUNTS]
    counts[-1] += n_total - sum(counts)
    for d, c in enumerate(counts):
        for _ in range(c):
            h = rng.choices(range(24), weights=HOUR_W)[0]
            slots.append(DAY0 + timedelta(days=d, hours=h, minutes=rng.randrange(60)))
    rng.shuffle(slots)

    def banned(dt):
        out = []
        for a, b, words in windows:
            if a <= dt <= b:
                out.extend(words)
        return out

    def ok_place(text, dt):
        return not any(w in text for w in banned(dt))

    out, seen = [], set()
    oneoffs = list(B.ONEOFFS)
    rng.shuffle(oneoffs)
    # one-offs first, at slots where their place words are allowed
    si = 0
    pending = []
    for src, text in oneoffs:
        for tries in range(50):
            dt = slots[(si + tries) % len(slots)]
            if ok_place(text, dt):
                break
        slots.remove(dt)
        out.append(dict(dt=dt, text=text, source=src, label="single"))
        seen.add(text)
    core_use, place_use, topic_texts, combo = {}, set(), {}, set()
    topics = B.TOPICS
    tw = [{"q": 1.0, "c": 1.3, "g": 0.8}[k] for _, k, *_ in topics]
    for dt in slots:
        placed = False
        for attempt in range(400):
            ti = rng.choices(range(len(topics)), weights=tw)[0]
            name, kind, cores, details, asks = topics[ti]
            ci = rng.randrange(len(cores))
            core = cores[ci]
            has_p = "{p}" in core
            cap = 9 if has_p else 6
            if core_use.get((ti, ci), 0) >= cap:
                continue
            src = rng.choices([s for s, _ in SRC_W], weights=[w for _, w in SRC_W])[0]
            if kind == "q" and src == "weibo" and rng.random() < 0.7:
                src = "12345"
            di = ci if rng.random() < 0.6 else -1
            r = rng.random()
            if r < 0.45 and ci < len(asks):
                ask = asks[ci]; ai = ci
            elif r < 0.7:
                ai = 100 + rng.randrange(len(GEN_ASK[kind])); ask = GEN_ASK[kind][ai - 100]
            else:
                ai = -1; ask = ""
            if (ti, ci, di, ai) in combo and rng.random() < 0.9:
                continue
            pkey, pword = ("", "")
            if has_p:
                pkey, pword = place_phrase(rng, name)
                if pkey and (name, pkey) in place_use:
                    continue
            text = compose(rng, name, kind, core, details[di] if di >= 0 else "", ask, src, pword)
            text = roughen(rng, text, src)
            if text in seen or not ok_place(text, dt):
                continue
            if len(text) < 6:
                continue
            m = mask(text)
            if any(difflib.SequenceMatcher(None, m, o).ratio() > (0.78 if kind == "q" else 0.84) for o in topic_texts.get(name, [])):
                continue
            seen.add(text)
            core_use[(ti, ci)] = core_use.get((ti, ci), 0) + 1
            combo.add((ti, ci, di, ai))
            if pkey:
                place_use.add((name, pkey))
            topic_texts.setdefault(name, []).append(m)
            out.append(dict(dt=dt, text=text, source=src, label="single"))
            placed = True
            break
        if not placed:
            print("unfilled", dt, len(out)); break
    return out


def main():
    rng = random.Random(SEED)
    bursts, windows = burst_messages()
    decoys = decoy_messages()
    bg = background(rng, windows, N_BACKGROUND)
    allm = bursts + decoys + bg
    texts = [m["text"] for m in allm]
    assert len(texts) == len(set(texts)), "duplicate text"
    order = sorted(range(len(allm)), key=lambda i: (allm[i]["dt"], i))
    path = os.path.join(HERE, "..", "stream.jsonl")
    with open(path, "w", encoding="utf-8") as f:
        for k, i in enumerate(order, 1):
            m = allm[i]
            f.write(json.dumps({"id": "s10-%05d" % k, "time": fmt(m["dt"]), "text": m["text"],
                                "source": m["source"], "label": m["label"]}, ensure_ascii=False) + "\n")
    print("wrote", len(order), "messages:", len(bursts), "burst,", len(decoys), "decoy,", len(bg), "single")


if __name__ == "__main__":
    main()
