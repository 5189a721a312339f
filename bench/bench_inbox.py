"""How fast is a department's inbox with a million tickets in PostgreSQL?

Fills a dedicated database (default `zs_bench`) with `--rows` tickets spread over the last year
across every body of the catalogue (a few bodies get most of them, as in real hotlines; most
tickets are finished), then times the inbox as the API runs it, `bot.tickets.service.list_tickets`
(the page and its total), for the busiest department: its open tickets, soonest due first, first
page of 50; and the same with the overdue filter. Writes p50/p95 in milliseconds to `--out`:
"client" is the whole call as the API makes it, "server" PostgreSQL's own execution time.

    .venv/bin/python bench/bench_inbox.py [--rows 1000000] [--runs 200] [--out FILE.json]

The data is generated again only when the row count differs (or with `--regenerate`).
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import statistics
import sys
import time
from datetime import datetime, timedelta, timezone
from itertools import accumulate
from pathlib import Path
from typing import Callable, Iterator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg2  # noqa: E402
from sqlalchemy import event, func, select, text  # noqa: E402

from bench.output import write_result  # noqa: E402
from bot.accounts import Principal  # noqa: E402
from bot.clock import LOCAL_TZ  # noqa: E402
from bot.db import Database  # noqa: E402
from bot.dbcli import upgrade  # noqa: E402
from bot.tickets import service  # noqa: E402
from bot.tickets.catalogue import Catalogue  # noqa: E402
from bot.tickets.models import Ticket  # noqa: E402

SERVER = "postgresql://postgres@127.0.0.1:5432"
TARGET_P95_MS = 20.0
PAGE = 50
CHUNK = 100_000
TYPES = (
    ("咨询", 1, 0.30),
    ("求助", 3, 0.25),
    ("投诉", 5, 0.30),
    ("举报", 5, 0.05),
    ("建议", 10, 0.10),
)
FINISHED = (("archived", 0.88), ("visited", 0.06), ("replied", 0.03))
DESCRIPTIONS = (
    "小区门口井盖松动，晚上走路很危险",
    "楼下饭店油烟太大，窗户都不敢开",
    "公交车到站不停，等了四十分钟",
    "工地夜间施工噪音扰民",
    "单位拖欠工资三个月",
    "路灯坏了一个星期没人修",
)
COLUMNS = (
    "number",
    "created_at",
    "channel",
    "type",
    "category",
    "urgent",
    "description",
    "jurisdiction",
    "citizen_phone",
    "anonymous",
    "status",
    "department_id",
    "co_department_ids",
    "sign_by",
    "due_at",
    "dispatched_at",
    "signed_at",
    "replied_at",
    "closed_at",
    "reopen_count",
    "supervised",
    "version",
)


def ensure_database(name: str) -> str:
    connection = psycopg2.connect(f"{SERVER}/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()
    url = f"{SERVER}/{name}"
    upgrade(url)
    return url


def rows(count: int, bodies: list, now: datetime, seed: int = 12345) -> Iterator[tuple]:
    """`count` tickets, oldest first, over the year before `now`; recent ones are still open."""
    rng = random.Random(seed)
    body_weights = list(accumulate(1 / (rank + 1) for rank in range(len(bodies))))
    types = [t for t, _, _ in TYPES]
    type_weights = list(accumulate(w for _, _, w in TYPES))
    allowed = {t: timedelta(days=d * 7 / 5, hours=8) for t, d, _ in TYPES}
    now = now.astimezone(LOCAL_TZ)
    start = now - timedelta(days=365)
    step = timedelta(days=365) / count
    sequence: dict[str, int] = {}
    for i in range(count):
        created = start + step * i
        day = created.strftime("%Y%m%d")
        sequence[day] = sequence.get(day, 0) + 1
        body = rng.choices(bodies, cum_weights=body_weights)[0]
        kind = rng.choices(types, cum_weights=type_weights)[0]
        due = created + allowed[kind]
        status = _status(rng, now - created)
        finished = status in ("replied", "visited", "archived")
        yield (
            f"ZS{day}-{sequence[day]:04d}",
            created,
            rng.choice(("rest", "telegram", "phone")),
            kind,
            body.function,
            False,
            rng.choice(DESCRIPTIONS),
            body.jurisdiction,
            f"13{rng.randrange(10**9):09d}",
            False,
            status,
            body.id,
            "[]",
            created + timedelta(hours=2),
            due,
            created,
            created + timedelta(hours=1) if status != "dispatched" else None,
            created + timedelta(days=2) if finished else None,
            created + timedelta(days=5) if status == "archived" else None,
            0,
            status in ("dispatched", "signed") and due < now,
            1,
        )


FINISHED_WEIGHTS = list(accumulate(w for _, w in FINISHED))
RECENT = (
    ("dispatched", 0.15),
    ("signed", 0.45),
    ("returned", 0.02),
    ("replied", 0.18),
    ("archived", 0.2),
)
RECENT_WEIGHTS = list(accumulate(w for _, w in RECENT))
MONTH = timedelta(days=30)


def _status(rng: random.Random, age: timedelta) -> str:
    """Old tickets are finished; the last weeks hold the open ones (and a few late ones)."""
    if age > MONTH and rng.random() < 0.995:
        return rng.choices(FINISHED, cum_weights=FINISHED_WEIGHTS)[0][0]
    return rng.choices(RECENT, cum_weights=RECENT_WEIGHTS)[0][0]


def load(url: str, count: int, bodies: list, now: datetime) -> float:
    started = time.perf_counter()
    connection = psycopg2.connect(url)
    with connection, connection.cursor() as cursor:
        cursor.execute("TRUNCATE tickets, ticket_counters, notifications")
        generated = rows(count, bodies, now)
        while True:
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            written = 0
            for row in generated:
                writer.writerow(["" if v is None else v for v in row])
                written += 1
                if written == CHUNK:
                    break
            if not written:
                break
            buffer.seek(0)
            cursor.copy_expert(
                f"COPY tickets ({', '.join(COLUMNS)}) FROM STDIN WITH (FORMAT csv, NULL '')",
                buffer,
            )
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE tickets")
    connection.close()
    return time.perf_counter() - started


def summary(samples: list[float]) -> dict:
    samples = sorted(samples)
    return {
        "p50_ms": round(statistics.median(samples), 2),
        "p95_ms": round(samples[max(0, int(len(samples) * 0.95) - 1)], 2),
        "max_ms": round(samples[-1], 2),
        "runs": len(samples),
    }


def client_times(work: Callable[[], object], runs: int) -> dict:
    """Wall time of the whole call: session, both queries, ORM objects, commit."""
    work()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        samples.append((time.perf_counter() - started) * 1000)
    return summary(samples)


def server_times(db: Database, work: Callable[[], object], runs: int) -> dict:
    """PostgreSQL's own execution time for the statements `work` sends, and their plans."""
    statements: list[tuple[str, object]] = []

    def capture(conn, cursor, statement, parameters, context, executemany) -> None:
        if "FROM tickets" in statement:
            statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", capture)
    work()
    event.remove(db.engine, "before_cursor_execute", capture)
    connection = db.engine.raw_connection()
    cursor = connection.cursor()
    samples, plans = [], []
    for _ in range(runs):
        total = 0.0
        plans = []
        for statement, parameters in statements:
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + statement, parameters)
            explained = cursor.fetchone()[0][0]
            total += explained["Execution Time"]
            plans.append(_plan_outline(explained["Plan"]))
        samples.append(total)
    connection.rollback()
    connection.close()
    return {**summary(samples), "plans": plans}


def _plan_outline(node: dict) -> str:
    """Limit > Sort > Index Scan (ix_tickets_inbox): the plan's shape in one line."""
    name = node["Node Type"] + (f" ({node['Index Name']})" if "Index Name" in node else "")
    children = node.get("Plans") or []
    return name + "".join(" > " + _plan_outline(child) for child in children)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--database", default="zs_bench")
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "inbox.json")
    args = parser.parse_args()

    catalogue = Catalogue.load(ROOT / "knowledge" / "departments.yml")
    bodies = sorted(catalogue.bodies(), key=lambda b: (b.level != "city", b.id))
    url = ensure_database(args.database)
    db = Database(url)
    now = datetime.now(timezone.utc)
    with db.session() as session:
        present = session.execute(select(func.count()).select_from(Ticket)).scalar_one()
    load_seconds = None
    if args.regenerate or present != args.rows:
        load_seconds = round(load(url, args.rows, bodies, now), 1)

    with db.session() as session:
        busiest, in_department = session.execute(
            select(Ticket.department_id, func.count())
            .group_by(Ticket.department_id)
            .order_by(func.count().desc())
            .limit(1)
        ).one()
    clerk = Principal(0, "bench", "department", busiest)

    def inbox(**filters) -> service.Page:
        with db.session() as session:
            return service.list_tickets(session, clerk, limit=PAGE, now=now, **filters)

    first_page = inbox()
    overdue_page = inbox(overdue=True)
    with db.session() as session:
        table_size = session.execute(
            text("SELECT pg_size_pretty(pg_total_relation_size('tickets'))")
        ).scalar_one()
        version = session.execute(text("SHOW server_version")).scalar_one()
    result = {
        "rows": args.rows,
        "departments": len(bodies),
        "department": busiest,
        "department_tickets": in_department,
        "department_open": first_page.total,
        "department_overdue": overdue_page.total,
        "page_size": PAGE,
        "load_seconds": load_seconds,
        "table_size": table_size,
        "postgres": version,
        "cpus": os.cpu_count(),
        "load_average_1m": round(os.getloadavg()[0], 2),
        "queries": {
            name: {
                "client": client_times(work, args.runs),
                "server": server_times(db, work, args.runs),
            }
            for name, work in (
                ("inbox_first_page", inbox),
                ("inbox_overdue", lambda: inbox(overdue=True)),
            )
        },
        "target_p95_ms": TARGET_P95_MS,
    }
    db.dispose()
    result["meets_target"] = all(
        q["client"]["p95_ms"] < TARGET_P95_MS for q in result["queries"].values()
    )
    write_result(args.out, result)
    return 0 if result["meets_target"] else 1


if __name__ == "__main__":
    sys.exit(main())
