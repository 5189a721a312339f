"""政务舆情: how fast the detector replays a month of messages, how much memory it keeps, and how
fast the staff topics page is with 10,000 open topics.

    python bench/bench_hotspots.py [--messages 200000 | --full] [--days 30] [--topics 10000]
                                   [--out bench/results/hotspots.json]

`--full` replays the issue's month: 1,000,000 messages over 30 days (about 7 minutes of CPU);
`make bench` runs 200,000 over 30 days (a fifth of the month's messages per hour). Memory is read (peak resident set) after every 100,000 messages: bounded memory
shows as the same peak at 100,000 and at the end.

The stream is generated (`bench/hotspot_stream.py`: place × problem × wording, with bursts); it
measures speed and memory, not grouping quality (`python -m bot eval hotspots` on the written
streams does). The baseline, in the same run, is reading and parsing the same lines without
grouping them: the floor any detector pays. The page figure times what the handler does (the
query of open topics and the page's rendering) on a SQLite database holding `--topics` alerts.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.hotspot_stream import write  # noqa: E402
from bench.output import write_result  # noqa: E402
from bot.config import Settings as AppSettings  # noqa: E402
from bot.db import Database  # noqa: E402
from bot.dbcli import upgrade  # noqa: E402
from bot.hotspots.detect import Detector, Settings  # noqa: E402
from bot.hotspots.models import ALERTED, CLOSED, WATCHING, HotspotTopic  # noqa: E402
from bot.hotspots.stream import read_lines  # noqa: E402
from bot.tickets.gazetteer import Gazetteer  # noqa: E402
from bot.web.common import template_environment  # noqa: E402
from bot.web.hotspots import PAGE, _view, district_breakdown  # noqa: E402

TARGET_RATE = 2000
TARGET_PAGE_P95_MS = 100


def replay(path: Path, app: AppSettings) -> dict:
    settings = Settings.load(app.knowledge_dir / "hotspots.yml")
    detector = Detector(settings, Gazetteer.load(app.knowledge_dir / "gazetteer.yml"))
    started, cpu = time.perf_counter(), time.process_time()
    count = refused = peak_open = 0
    rss_mib: dict[str, int] = {}
    with path.open(encoding="utf-8") as stream:
        for line in read_lines(stream):
            if line.message is None:
                refused += 1
                continue
            detector.add(line.message)
            count += 1
            if count % 10_000 == 0:
                peak_open = max(peak_open, len(detector.open_topics))
            if count % 100_000 == 0:
                rss_mib[str(count)] = _peak_rss_mib()
    detector.close_all()
    wall = time.perf_counter() - started
    return {
        "messages": count,
        "refused": refused,
        "wall_s": round(wall, 1),
        "cpu_s": round(time.process_time() - cpu, 1),
        "messages_per_s": round(count / wall),
        "messages_per_cpu_s": round(count / max(time.process_time() - cpu, 1e-9)),
        "peak_open_topics": peak_open,
        "peak_rss_mib_after_messages": rss_mib,
    }


def _peak_rss_mib() -> int:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def parse_only(path: Path) -> dict:
    started = time.perf_counter()
    with path.open(encoding="utf-8") as stream:
        count = sum(1 for line in read_lines(stream) if line.message is not None)
    wall = time.perf_counter() - started
    return {"messages": count, "wall_s": round(wall, 2), "messages_per_s": round(count / wall)}


def topics_page(topics: int) -> dict:
    from sqlalchemy import insert, select

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.db"
        upgrade(url)
        db = Database(url)
        now = datetime.now(timezone.utc)
        rows = [
            {
                "title": f"第{n}号话题：某路段停水",
                "status": ALERTED,
                "kind": "public_interest",
                "kind_name": "涉及公众切身利益",
                "level": "一般",
                "needs_confirmation": 0,
                "district_name": "定海区",
                "responsible": "舟山市自来水有限公司",
                "first_seen": now - timedelta(hours=n % 48),
                "last_seen": now - timedelta(minutes=n % 600),
                "alert_at": now - timedelta(minutes=n % 600),
                "respond_by": now + timedelta(hours=24) - timedelta(minutes=n % 600),
                "messages": 5 + n % 40,
                "citizens": 5 + n % 40,
                "heat": json.dumps([n % 7] * 24),
                "updated_at": now,
            }
            for n in range(topics)
        ]
        with db.session() as session:
            session.execute(insert(HotspotTopic), rows)
        template = template_environment().get_template("staff/hotspots.html")
        timings, cpu_timings = [], []
        for _ in range(30):
            started, cpu = time.perf_counter(), time.process_time()
            with db.session() as session:
                found = session.execute(
                    select(HotspotTopic)
                    .where(HotspotTopic.status != CLOSED, HotspotTopic.status != WATCHING)
                    .order_by(HotspotTopic.alert_at.desc().nulls_last(), HotspotTopic.last_seen.desc())
                    .limit(PAGE)
                ).scalars().all()
                views = [_view(row) for row in found]
                districts = district_breakdown(session)
            template.render(
                topics=views,
                districts=districts,
                show_all=False,
                principal=None,
                csrf_token="",
                consultations_url="/consultations",
            )
            timings.append((time.perf_counter() - started) * 1000)
            cpu_timings.append((time.process_time() - cpu) * 1000)
        db.dispose()
    timings.sort()
    cpu_timings.sort()
    return {
        "open_topics": topics,
        "p50_ms": round(statistics.median(timings), 1),
        "p95_ms": round(timings[int(len(timings) * 0.95) - 1], 1),
        "cpu_p95_ms": round(cpu_timings[int(len(cpu_timings) * 0.95) - 1], 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=200_000)
    parser.add_argument(
        "--full", action="store_true", help="the issue's month: 1,000,000 messages over 30 days"
    )
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--topics", type=int, default=10_000)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "hotspots.json"))
    args = parser.parse_args()
    if args.full:
        args.messages, args.days = 1_000_000, 30
    app = AppSettings.from_env()
    with tempfile.TemporaryDirectory() as folder:
        stream = Path(folder) / "stream.jsonl"
        write(str(stream), args.messages, args.days)
        baseline = parse_only(stream)
        ours = replay(stream, app)
    page = topics_page(args.topics)
    result = {
        "stream_days": args.days,
        "baseline_parse_only": baseline,
        "replay": ours,
        "replay_over_parse_time": round(ours["wall_s"] / max(baseline["wall_s"], 1e-9), 1),
        "peak_rss_mib": _peak_rss_mib(),
        "target_messages_per_s": TARGET_RATE,
        "topics_page": page,
        "target_page_p95_ms": TARGET_PAGE_P95_MS,
    }
    write_result(args.out, result)
    met = page["p95_ms"] <= TARGET_PAGE_P95_MS and ours["messages_per_s"] >= TARGET_RATE
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
