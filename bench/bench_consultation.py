"""Public consultation at 50,000 opinions on one draft: grouping < 60 s, summary rendered < 10 s.

    python bench/bench_consultation.py [--opinions 50000] [--seed 7] [--out bench/results/consultation.json]

The opinions are synthetic but shaped like real ones: each starts from a hand-written opinion of
tests/data/consultation_grouping.yml (26 topics × stances on the sample parking draft, several
phrasings each), then gets a random opener (我认为, 作为市民), a place (我家住在沈家门), sometimes a
second sentence from the same topic, and a random closing (望采纳). Topics are drawn with skew, so
some clauses get thousands of opinions and some a few hundred; 5% are noise stitched from two
unrelated opinions. The topic an opinion was built from is its true group, so the bench also
reports how well the grouping recovers it (adjusted Rand index, pairwise precision/recall).

Opinions are bulk-inserted with their `terms` computed as `submit_opinion` does (timed on its
own); `submit_opinion` itself is timed on 1,000 calls. Then, on a temporary SQLite database:
`group_opinions` (load, cluster, write groups), a decision for every group, and the summary
(`build_content`, HTML with chart, Markdown, and draft → approve → publish). Wall and CPU times
are both reported: the machine may be shared, and CPU time shows what the code costs alone.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable

import yaml
from sklearn.metrics import adjusted_rand_score
from sklearn.metrics.cluster import pair_confusion_matrix
from sqlalchemy import insert, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.output import write_result  # noqa: E402
from bot.accounts import Principal  # noqa: E402
from bot.consultation import (  # noqa: E402
    approve_summary,
    decide_group,
    draft_summary,
    group_opinions,
    publish_summary,
    submit_opinion,
)
from bot.consultation.drafts import draft_form_from_yaml, save_draft  # noqa: E402
from bot.consultation.grouping import terms  # noqa: E402
from bot.consultation.models import Clause, Draft, Opinion, OpinionGroup  # noqa: E402
from bot.consultation.report import build_content, render_html, render_markdown  # noqa: E402
from bot.db import Database  # noqa: E402
from bot.dbcli import upgrade  # noqa: E402

LABELLED = ROOT / "tests" / "data" / "consultation_grouping.yml"
DRAFT = ROOT / "knowledge" / "drafts" / "zs-parking-2026-sample.yml"
OPENERS = [
    "",
    "",
    "",
    "我认为",
    "个人建议",
    "作为市民，",
    "作为一名老司机，",
    "关于这一条，",
    "您好，",
    "看了征求意见稿，",
    "说几句：",
    "提个建议：",
]
PLACES = [
    "定海",
    "普陀",
    "新城",
    "沈家门",
    "朱家尖",
    "临城",
    "东港",
    "岱山",
    "嵊泗",
    "白泉",
    "干览",
    "六横",
]
SETTINGS = ["我家住在{}，", "我在{}上班，", "{}这边情况特别明显，", "尤其是{}一带，", "", "", ""]
CLOSINGS = [
    "",
    "",
    "",
    "谢谢！",
    "望采纳。",
    "请考虑。",
    "希望能够认真研究。",
    "以上是我的意见。",
    "辛苦了。",
    "盼复。",
]
NOISE_SHARE = 0.05
STAFF = Principal(1, "bench-staff", "staff", None)
REVIEWER = Principal(2, "bench-reviewer", "reviewer", None)
SUBMITTED = datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc)
AFTER_CLOSE = datetime(2027, 1, 5, 2, 0, tzinfo=timezone.utc)


def synthetic_opinions(count: int, seed: int) -> list[tuple[str | None, str, str]]:
    """(clause label, true group, text) for `count` opinions, deterministic for a seed."""
    rng = random.Random(seed)
    groups = yaml.safe_load(LABELLED.read_text(encoding="utf-8"))["groups"]
    weights = [len(g["opinions"]) ** 1.5 for g in groups]
    opinions = []
    for index in range(count):
        if rng.random() < NOISE_SHARE:
            first, second = rng.choice(groups), rng.choice(groups)
            text = rng.choice(first["opinions"])[:14] + rng.choice(second["opinions"])[-16:]
            opinions.append((first["clause"], f"noise-{index}", text))
            continue
        group = rng.choices(groups, weights)[0]
        core = rng.choice(group["opinions"])
        if rng.random() < 0.3:
            core = core.rstrip("。？！") + "，" + rng.choice(group["opinions"])
        setting = rng.choice(SETTINGS).format(rng.choice(PLACES))
        text = rng.choice(OPENERS) + setting + core + rng.choice(CLOSINGS)
        opinions.append((group["clause"], group["id"], text))
    return opinions


def timed(work: Callable[[], Any]) -> tuple[Any, dict[str, float]]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    return result, {
        "wall_s": round(time.perf_counter() - wall, 3),
        "cpu_s": round(time.process_time() - cpu, 3),
    }


def insert_opinions(db: Database, draft_id: int, opinions: list) -> tuple[list[int], dict]:
    """Bulk insert, with terms computed per distinct text; returns the ids in input order."""
    with db.session() as session:
        clauses = {c.label: c.id for c in session.execute(select(Clause)).scalars()}
    distinct = sorted({text for _, _, text in opinions})
    words, tokenise = timed(lambda: {text: terms(text) for text in distinct})
    tokenise["per_opinion_ms"] = round(tokenise["cpu_s"] * 1000 / max(len(distinct), 1), 3)
    tokenise["distinct_texts"] = len(distinct)
    per_day: dict[str, int] = defaultdict(int)
    rows = []
    for index, (label, _, text) in enumerate(opinions):
        moment = SUBMITTED + timedelta(seconds=index * 7)
        day = moment.astimezone(timezone(timedelta(hours=8))).strftime("%Y%m%d")
        per_day[day] += 1
        rows.append(
            {
                "receipt_no": f"YJ{day}-{per_day[day]:04d}",
                "draft_id": draft_id,
                "clause_id": clauses[label] if label else None,
                "text": text,
                "terms": words[text],
                "named": False,
                "contact_ok": index % 3 == 0,
                "channel": "web",
                "sender_id": f"bench-{index % 20000}",
                "submitted_at": moment,
            }
        )
    with db.session() as session:
        for start in range(0, len(rows), 5000):
            session.execute(insert(Opinion), rows[start : start + 5000])
    with db.session() as session:
        ids = list(
            session.execute(
                select(Opinion.id).where(Opinion.sender_id.like("bench-%")).order_by(Opinion.id)
            ).scalars()
        )
    return ids, tokenise


def submit_latency(db: Database, draft_id: int, calls: int, seed: int) -> dict[str, float]:
    """`submit_opinion` end to end (validation, clause, counter, terms, insert, audit, commit)."""
    texts = synthetic_opinions(calls, seed + 1)
    samples = []
    for index, (label, _, text) in enumerate(texts):
        started = time.perf_counter()
        with db.session() as session:
            submit_opinion(
                session,
                draft_id,
                label,
                text,
                channel="web",
                sender_id=f"latency-{index}",
                idempotency_key=f"bench-{index}",
                now=SUBMITTED - timedelta(days=4),
            )
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return {
        "calls": calls,
        "p50_ms": round(statistics.median(samples), 2),
        "p95_ms": round(samples[int(0.95 * (len(samples) - 1))], 2),
    }


def grouping_quality(db: Database, ids: list[int], opinions: list) -> dict[str, float]:
    with db.session() as session:
        assigned = dict(session.execute(select(Opinion.id, Opinion.group_id)).all())
    truth = [group for _, group, _ in opinions]
    predicted = [assigned[i] for i in ids]
    (_, false_pos), (false_neg, true_pos) = pair_confusion_matrix(truth, predicted)
    return {
        "ari": round(float(adjusted_rand_score(truth, predicted)), 3),
        "pairwise_precision": round(float(true_pos / (true_pos + false_pos)), 3),
        "pairwise_recall": round(float(true_pos / (true_pos + false_neg)), 3),
        "true_topics": len({t for t in truth if not t.startswith("noise-")}),
        "noise_opinions": sum(1 for t in truth if t.startswith("noise-")),
    }


def decide_everything(db: Database, draft_id: int, seed: int) -> int:
    rng = random.Random(seed)
    choices = [
        ("adopted", ""),
        ("partially_adopted", "已在修改稿中部分吸收，具体见修改后的条款。"),
        ("not_adopted", "该建议与上位法规定不一致，本次不予采纳。"),
        ("not_applicable", "该事项已有专门规定，不属于本办法调整范围。"),
    ]
    with db.session() as session:
        groups = list(session.execute(select(OpinionGroup.id)).scalars())
        for group_id in groups:
            outcome, reason = rng.choice(choices)
            decide_group(session, group_id, outcome, reason, actor=STAFF, now=AFTER_CLOSE)
    return len(groups)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--opinions", type=int, default=50_000)
    parser.add_argument("--submit-calls", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "consultation.json"))
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.db"
        upgrade(url)
        db = Database(url)
        with db.session() as session:
            form, fmt = draft_form_from_yaml(DRAFT)
            draft_id = save_draft(session, form, fmt, actor="bench", now=SUBMITTED)[0].id

        submitting = submit_latency(db, draft_id, args.submit_calls, args.seed)
        opinions = synthetic_opinions(args.opinions - args.submit_calls, args.seed)
        (ids, tokenise), inserting = timed(lambda: insert_opinions(db, draft_id, opinions))

        def group() -> Any:
            with db.session() as session:
                return group_opinions(session, draft_id, actor=STAFF, now=AFTER_CLOSE)

        report, grouping = timed(group)
        quality = grouping_quality(db, ids, opinions)
        decided, deciding = timed(lambda: decide_everything(db, draft_id, args.seed))

        with db.session() as session:
            draft = session.get(Draft, draft_id)
            content, building = timed(lambda: build_content(session, draft))
        meta = {
            "version": 1,
            "published_at": "2027-01-05 10:00",
            "supersedes": None,
            "preview": False,
        }
        page, rendering = timed(lambda: render_html(content, meta))
        _, markdown = timed(lambda: render_markdown(content, meta))

        def review_and_publish() -> Any:
            with db.session() as session:
                draft_summary(session, draft_id, actor=STAFF, now=AFTER_CLOSE)
            with db.session() as session:
                approve_summary(session, draft_id, actor=REVIEWER, now=AFTER_CLOSE)
            with db.session() as session:
                return publish_summary(session, draft_id, actor=STAFF, now=AFTER_CLOSE)

        publication, publishing = timed(review_and_publish)
        db.dispose()

    summary_seconds = building["wall_s"] + rendering["wall_s"]
    results = {
        "opinions": args.opinions,
        "clauses_with_opinions": len({label for label, _, _ in opinions}),
        "machine": {
            "python": platform.python_version(),
            "processor": platform.machine(),
            "cpus": os.cpu_count(),
            "load_average": [round(x, 2) for x in os.getloadavg()],
        },
        "submit_opinion": submitting,
        "tokenise": tokenise,
        "bulk_insert": inserting,
        "group_opinions": {
            **grouping,
            "groups": report.groups,
            "opinions_grouped": report.opinions,
            "threshold": report.threshold,
        },
        "grouping_quality": quality,
        "decide_groups": {**deciding, "groups": decided},
        "summary": {
            "build_content": building,
            "render_html": {**rendering, "bytes": len(page.encode())},
            "render_markdown": markdown,
            "draft_approve_publish": {**publishing, "version": publication.version},
        },
        "targets": {
            "grouping_under_60s_wall": grouping["wall_s"] < 60,
            "summary_under_10s_wall": summary_seconds < 10,
        },
    }
    write_result(args.out, results)
    return 0 if all(results["targets"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
