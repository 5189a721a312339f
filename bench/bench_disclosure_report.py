"""The annual disclosure report over 100,000 stored applications: target < 5 s.

    python bench/bench_disclosure_report.py [--applications 100000] [--runs 5] [--database-url URL]
                                            [--out bench/results/disclosure_report.json]

Applications are spread over 2025 and 2026 (about 60% in the reported year 2026), over the six
applicant kinds with a skew towards 自然人, and closed with every report row's reply type; about
8% of each year's last month is still open, so both carried-over rows have figures. They are
bulk-inserted into a fresh SQLite database (or the PostgreSQL one given), then
`build_report(2026)` is timed `--runs` times, wall and CPU, and the table's reconciliation checked.
"""

from __future__ import annotations

import argparse
import hashlib
import platform
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, insert

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.output import write_result  # noqa: E402
from bot.clock import LOCAL_TZ  # noqa: E402
from bot.db import Database  # noqa: E402
from bot.dbcli import upgrade  # noqa: E402
from bot.disclosure.models import DisclosureApplication  # noqa: E402
from bot.disclosure.report import build_report  # noqa: E402
from bot.disclosure.rules import load_rules  # noqa: E402

KIND_WEIGHTS = {
    "natural": 70,
    "business": 15,
    "research": 2,
    "public_interest": 2,
    "legal_service": 8,
    "other": 3,
}
BATCH = 5000


def applications(count: int, rules, seed: int = 2026):
    rng = random.Random(seed)
    kinds, weights = list(KIND_WEIGHTS), list(KIND_WEIGHTS.values())
    reply_types = [t for t in rules.reply_types.values()]
    start = datetime(2025, 1, 1, 9, tzinfo=LOCAL_TZ)
    span = timedelta(days=730)
    for i in range(count):
        created = start + span * (i / count)
        open_late = created.month == 12 and rng.random() < 0.08
        kind = rng.choices(reply_types)[0]
        closed = None if open_late else created + timedelta(days=rng.randint(1, 40))
        yield {
            "number": f"GK{created:%Y%m%d}-{i % 10000:04d}{i // 10000:02d}",
            "created_at": created,
            "channel": "portal",
            "applicant_kind": rng.choices(kinds, weights)[0],
            "applicant_name": "申请人",
            "id_type": "resident_id",
            "id_masked": "33**************1X",
            "id_digest": hashlib.sha256(str(i).encode()).hexdigest(),
            "phone": "13900000000",
            "description": f"第{i}号文件",
            "description_key": hashlib.sha256(f"d{i}".encode()).hexdigest(),
            "medium": "电子",
            "delivery": "电子邮件",
            "department_id": "city.finance",
            "status": "processing" if closed is None else "replied",
            "clock_started_at": created,
            "due_at": created + timedelta(days=28),
            "corrections": 0,
            "reply_type": None if closed is None else kind.code,
            "reply_detail": {},
            "result_row": None if closed is None else kind.row,
            "replied_at": closed,
            "closed_at": closed,
            "supervised": False,
            "version": 1,
        }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--database-url", help="default: a temporary SQLite file")
    parser.add_argument(
        "--out", type=Path, default=ROOT / "bench" / "results" / "disclosure_report.json"
    )
    args = parser.parse_args()
    rules = load_rules(ROOT / "knowledge")
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{folder}/bench.db"
        upgrade(url)
        database = Database(url)
        table = DisclosureApplication.__table__
        with database.session() as session:
            session.execute(delete(table))
        started = time.perf_counter()
        batch = []
        for row in applications(args.applications, rules):
            batch.append(row)
            if len(batch) == BATCH:
                with database.session() as session:
                    session.execute(insert(table), batch)
                batch = []
        if batch:
            with database.session() as session:
                session.execute(insert(table), batch)
        loaded = time.perf_counter() - started
        walls, cpus = [], []
        for _ in range(args.runs):
            wall, cpu = time.perf_counter(), time.process_time()
            with database.session() as session:
                report = build_report(session, rules, 2026)
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
        database.dispose()
    result = {
        "machine": {"python": platform.python_version(), "processor": platform.processor()},
        "database": "postgresql" if url.startswith("postgresql") else "sqlite",
        "applications": args.applications,
        "load_seconds": round(loaded, 2),
        "report_wall_seconds_median": round(statistics.median(walls), 3),
        "report_wall_seconds_max": round(max(walls), 3),
        "report_cpu_seconds_median": round(statistics.median(cpus), 3),
        "new_in_2026": report.row("new").counts["total"],
        "results_total_2026": report.row("results_total").counts["total"],
        "reconciles": report.reconciles,
        "target_seconds": 5,
    }
    write_result(args.out, result)
    return 0 if report.reconciles and max(walls) < 5 else 1


if __name__ == "__main__":
    sys.exit(main())
