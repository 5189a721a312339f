# -*- coding: utf-8 -*-
"""Generate /work/evaldata/stream4/stream.jsonl (and README.md) from the hand-written lists.
Deterministic: fixed seed. Run: python3 gen.py"""
import importlib, json, os, random, string
from datetime import datetime, timedelta, timezone

from bursts import BURSTS
from decoys import DECOYS
from places import AREAS, ROADS, RURAL, RURAL_HINTS

SEED = 20261102
TOTAL = 1800
TZ = timezone(timedelta(hours=8))
WEEK_START = datetime(2026, 11, 2, 0, 0, 0, tzinfo=TZ)
WEEK_END = datetime(2026, 11, 8, 23, 59, 59, tzinfo=TZ)
EXCL_MARGIN = timedelta(hours=6)
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.dirname(HERE)
SOURCES_BG = {"12345": 40, "wechat": 20, "weibo": 18, "portal": 12, "telegram": 10}
# relative message volume per hour of day (citizens write mostly in daytime/evening)
HOUR_W = [2, 1, 1, 1, 1, 2, 4, 7, 10, 12, 12, 11, 9, 10, 11, 11, 10, 9, 9, 10, 10, 8, 6, 4]
PREFIXES = ["你好，", "您好，", "打扰了，"]
ASK_PREFIXES = ["麻烦问一下，", "请问一下，"]
COMPLAIN_PREFIXES = ["你好，我想反映一下，", "反映个事情：", "求助，"]
ASK_HINTS = ["吗", "？", "怎么", "哪", "什么", "几", "多少", "能不能", "有没有"]
PRAISE_HINTS = ["感谢", "表扬", "点赞", "谢谢", "辛苦", "建议", "希望", "暖心", "满意", "漂亮"]
SUFFIXES = ["，谢谢", "，麻烦尽快处理", "，谢谢了", "，盼回复", "。", "！", "，急", "，希望有人管一管"]
SINGLE_PARTS = "abcdefghijklmnopqrstuvw"
ONCE_PARTS = "l"  # long, specific stories: one place only

rng = random.Random(SEED)


def wchoice(d):
    keys = list(d)
    return rng.choices(keys, weights=[d[k] for k in keys])[0]


def rand_bg_time():
    day = rng.randrange(7)
    hour = rng.choices(range(24), weights=HOUR_W)[0]
    return WEEK_START + timedelta(days=day, hours=hour, minutes=rng.randrange(60), seconds=rng.randrange(60))


def burst_times(b):
    n = len(b["texts"])
    t0 = datetime.fromisoformat(b["start"]).replace(tzinfo=TZ) + timedelta(seconds=rng.randrange(60))
    times = [t0]
    for _ in range(4):  # first five messages 2-10 minutes apart
        times.append(times[-1] + timedelta(seconds=rng.uniform(120, 600)))
    end = t0 + timedelta(minutes=b["span_min"]) - timedelta(seconds=rng.uniform(0, 180))
    rest = n - 5
    room = (end - times[-1]).total_seconds()
    offs = sorted(rng.betavariate(1.2, 1.8) * room for _ in range(rest - 1)) + [room]
    for o in offs:
        times.append(times[4] + timedelta(seconds=max(o, 30)))
    times = sorted(times)
    # keep at least 20 s between consecutive citizens
    for i in range(1, n):
        if times[i] <= times[i - 1] + timedelta(seconds=20):
            times[i] = times[i - 1] + timedelta(seconds=20 + rng.randrange(60))
    return times


def main():
    msgs = []
    windows = []  # (lo, hi, words, name)
    for b in BURSTS:
        ts = burst_times(b)
        for t, text in zip(ts, b["texts"]):
            msgs.append({"time": t, "text": text, "source": wchoice(b["sources"]), "label": "burst:" + b["name"]})
        windows.append((ts[0] - EXCL_MARGIN, ts[-1] + EXCL_MARGIN, b["exclude"], b["name"]))

    def excluded(t, text):
        return any(lo <= t <= hi and any(w in text for w in words) for lo, hi, words, _ in windows)

    # decoys: each matter has 2-4 messages spread over a few hours to ~1.5 days
    n_matter = 0
    for group, matters in DECOYS.items():
        for i, matter in enumerate(matters, 1):
            n_matter += 1
            for _ in range(1000):
                t = rand_bg_time()
                ts = [t]
                for _ in matter[1:]:
                    ts.append(ts[-1] + timedelta(seconds=rng.uniform(1.5 * 3600, 18 * 3600)))
                if ts[-1] > WEEK_END:
                    continue
                if any(excluded(tt, tx) for tt, tx in zip(ts, matter)):
                    continue
                break
            else:
                raise SystemExit("cannot place decoy %s:%d" % (group, i))
            for tt, tx in zip(ts, matter):
                msgs.append({"time": tt, "text": tx, "source": wchoice(SOURCES_BG), "label": "decoy:%s:%d" % (group, i)})

    # background singletons
    n_single = TOTAL - len(msgs)
    fixed, slotted, once = [], [], []
    for part in SINGLE_PARTS:
        for line in importlib.import_module("singles_" + part).LINES:
            line = line.strip()
            if not line:
                continue
            if "{" not in line:
                fixed.append(line)
            elif part in ONCE_PARTS or len(line) > 40:
                once.append(line)
            else:
                slotted.append(line)
    need = n_single - len(fixed) - len(once)
    base, extra = divmod(need, len(slotted))
    bonus = set(rng.sample(range(len(slotted)), extra))
    texts = list(fixed)
    for tpl in once:
        pool = RURAL if any(h in tpl for h in RURAL_HINTS) else AREAS
        texts.append(tpl.format(p=rng.choice(pool), r=rng.choice(ROADS)))
    for k, tpl in enumerate(slotted):
        uses = base + (1 if k in bonus else 0)
        pool = RURAL if any(h in tpl for h in RURAL_HINTS) else AREAS
        areas = rng.sample(pool, uses)
        roads = rng.sample(ROADS, uses)
        for u in range(uses):
            texts.append(tpl.format(p=areas[u], r=roads[u]))
    assert len(texts) == n_single, (len(texts), n_single)
    print("singles: %d fixed lines, %d long slot lines used once, %d slot lines used %d-%d times" % (
        len(fixed), len(once), len(slotted), base, base + (1 if extra else 0)))
    seen = {m["text"] for m in msgs}
    for text in texts:
        for _ in range(200):
            v = text
            r = rng.random()
            praise = any(h in v for h in PRAISE_HINTS)
            ask = any(h in v for h in ASK_HINTS)
            if r < 0.12 and not v.startswith(("请问", "你好", "求助", "想问", "咨询")):
                opts = PREFIXES + (ASK_PREFIXES if ask and not praise else []) + (COMPLAIN_PREFIXES if not ask and not praise else [])
                v = rng.choice(opts) + v
            elif r < 0.22 and v[-1] not in "？?！!。" and not praise:
                v = v + rng.choice(SUFFIXES if not ask else ["？", "，谢谢", "，盼回复"])
            if v not in seen and len(v) <= 120:
                break
        else:
            raise SystemExit("cannot make unique: " + text)
        seen.add(v)
        for _ in range(1000):
            t = rand_bg_time()
            if not excluded(t, v):
                break
        else:
            raise SystemExit("cannot place single: " + v)
        msgs.append({"time": t, "text": v, "source": wchoice(SOURCES_BG), "label": "single"})

    rng.shuffle(msgs)
    msgs.sort(key=lambda m: m["time"])
    with open(os.path.join(OUT, "stream.jsonl"), "w", encoding="utf-8") as f:
        for i, m in enumerate(msgs, 1):
            rec = {"id": "s4-%04d" % i, "time": m["time"].strftime("%Y-%m-%dT%H:%M:%S+08:00"),
                   "text": m["text"], "source": m["source"], "label": m["label"]}
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    write_readme(msgs, windows, n_matter)
    print("wrote %d messages (%d burst, %d decoy in %d matters, %d single)" % (
        len(msgs), sum(m["label"].startswith("burst:") for m in msgs),
        sum(m["label"].startswith("decoy:") for m in msgs), n_matter, n_single))


def write_readme(msgs, windows, n_matter):
    fmt = lambda t: t.strftime("%m-%d %H:%M")
    rows = []
    for b in BURSTS:
        ms = [m for m in msgs if m["label"] == "burst:" + b["name"]]
        ts = [m["time"] for m in ms]
        srcs = {}
        for m in ms:
            srcs[m["source"]] = srcs.get(m["source"], 0) + 1
        src = ", ".join("%s %d" % (k, v) for k, v in sorted(srcs.items(), key=lambda kv: -kv[1]))
        rows.append("| `burst:%s` | %d | %s | %s | %.1f | %s | %s |" % (
            b["name"], len(ms), fmt(ts[0]), fmt(ts[-1]), (ts[4] - ts[0]).total_seconds() / 60, src, b["what"]))
    dec = []
    for group, matters in DECOYS.items():
        dec.append("- `decoy:%s:<n>` — %d matters (%s messages)" % (
            group, len(matters), "/".join(str(len(m)) for m in matters)))
    excl = ["| %s | %s – %s | %s |" % (name, fmt(lo), fmt(hi), "、".join(words)) for lo, hi, words, name in windows]
    cnt = {}
    for m in msgs:
        cnt[m["source"]] = cnt.get(m["source"], 0) + 1
    text = README_TMPL.format(
        total=len(msgs), bursts="\n".join(rows), decoys="\n".join(dec), n_matter=n_matter,
        n_decoy=sum(m["label"].startswith("decoy:") for m in msgs),
        n_single=sum(m["label"] == "single" for m in msgs), excl="\n".join(excl),
        sources=", ".join("%s %d (%.0f%%)" % (k, v, 100.0 * v / len(msgs)) for k, v in sorted(cnt.items(), key=lambda kv: -kv[1])))
    with open(os.path.join(OUT, "README.md"), "w", encoding="utf-8") as f:
        f.write(text)


README_TMPL = """# Stream 4 — 政务舆情 evaluation stream (Zhoushan)

`stream.jsonl`: {total} messages, 2026-11-02 00:00 → 2026-11-08 23:59 (+08:00), sorted by time, one JSON object a
line with `id`, `time`, `text`, `source` (12345 / wechat / weibo / portal / telegram) and `label`.
Sources: {sources}.

Labels: `burst:<name>` (8 hidden events), `decoy:<group>:<n>` ({n_decoy} messages in {n_matter} separate matters),
`single` ({n_single} background messages, each about its own matter).

## Bursts

Every burst is one real event reported by different citizens in different words (one hand-written sentence
per citizen; registers mixed: angry, worried, factual, rumour, asking; some name the place exactly, some vaguely,
some not at all). "1→5 min" is the time from the first to the fifth message (consecutive gaps are 2–10 min).

| label | count | first | last | 1→5 min | sources | what happened |
|---|---|---|---|---|---|---|
{bursts}

## Decoy groups

Six groups of similar but SEPARATE matters (different sites, streets, shops, estates); the matters of a group
must never be merged with each other, and each matter's 2–4 messages are spread over a few hours to ~1.5 days.

{decoys}

## Exclusion keywords

No `single` or `decoy` message containing one of these words falls inside the burst's window (first message
− 6 h to last message + 6 h), so the burst labels stay true. `generator/check.py` verifies this.

| burst | window (11-dd hh:mm) | words |
|---|---|---|
{excl}

Background singletons also avoid the decoy topics at the decoy places (construction noise, road-surface damage,
prepaid-card refunds, street lights, illegal parking, water supply), so a `single` never belongs to a decoy matter.

## Generator

`generator/`: `bursts.py`, `decoys.py`, `singles_*.py` (hand-written sentence lists; singleton lines with a `{{p}}`
or `{{r}}` slot are used at most twice with different places, long specific ones only once), `places.py`, `gen.py` (fixed seed 20261102;
samples times and sources, writes this README) and `check.py` (validates counts, uniqueness, order, lengths,
sources, burst timing, decoy structure and exclusion words). Rebuild: `cd generator && python3 gen.py && python3 check.py`.

## Provenance

I wrote this stream without ever reading the system's code or any other evaluation stream or data set. The only
project files I opened were `knowledge/gazetteer.yml` and the place names of `knowledge/gazetteer_divisions.yml`
in /work/main, to learn Zhoushan's geography (as the brief allows); of /work/brief I read only `evalhot4.md`.
All sentences are my own, written for this stream.
"""

if __name__ == "__main__":
    main()
