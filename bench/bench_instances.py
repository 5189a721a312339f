"""One instance against several behind nginx: the citizens' mix through the front, throughput,
reply times and CPU seconds per message by service.

Starts `python -m bot deploy`'s front with 1 and then with `--instances` instances of every
service (fresh PostgreSQL database each, Redis shared as in production), drives `--conversations`
citizens through nginx for `--seconds` with the scripts of `bench.bench_mixed`, and reads each
service's CPU time from /proc. On a machine with few cores more instances cannot add throughput;
the CPU seconds per message are what a capacity plan multiplies. nginx trusts X-Forwarded-For
from loopback here (`PROXY_TRUSTED=127.0.0.1`, off by default) so each citizen has an address.

Usage: python -m bench.bench_instances [--instances 2] [--conversations 64] [--seconds 60]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from pathlib import Path

import redis

from bench.bench_mixed import mixed_load, mixed_summary
from bench.cpu import per_message, service_groups, services_cpu, wait_until_idle
from bench.output import write_result
from bot import deploy
from bot.db import Database
from bot.localstack import REDIS_TEST_URL, drop_postgres_database, free_port_range, stack_settings


def run_front(instances: int, conversations: int, seconds: float) -> dict:
    redis.Redis.from_url(REDIS_TEST_URL).flushdb()
    var = Path(tempfile.mkdtemp(prefix=f"bench-front-{instances}-"))
    settings, database = stack_settings("postgres", var, proxy_trusted="127.0.0.1")
    base = free_port_range(3 * instances + 1)
    settings = deploy.ports_from(settings, instances, base)
    db = Database(settings.database_url)
    try:
        supervisor = deploy.start_front(settings, instances)
        try:
            groups = service_groups(supervisor)
            wait_until_idle(groups)
            proxy = f"http://127.0.0.1:{settings.proxy_port}"
            asyncio.run(mixed_load(proxy, db, 4, 10))
            before = services_cpu(groups)
            run = asyncio.run(mixed_load(proxy, db, conversations, seconds))
            kinds = {name: name.split("-")[0] for name in groups}
            cpu = per_message(before, services_cpu(groups), run.load.messages, kinds)
        finally:
            supervisor.stop()
    finally:
        db.dispose()
        drop_postgres_database(database)
    return {"instances": instances, **mixed_summary(run), "cpu_ms_per_message": cpu}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--instances", type=int, default=2)
    parser.add_argument("--conversations", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--out", default="bench/results/instances.json")
    args = parser.parse_args()
    one = run_front(1, args.conversations, args.seconds)
    many = run_front(args.instances, args.conversations, args.seconds)
    report = {
        "conversations": args.conversations,
        "one": one,
        "many": many,
        "throughput_many_vs_one": round(many["throughput_msg_s"] / one["throughput_msg_s"], 2),
        "p95_many_vs_one": round(many["p95_ms"] / one["p95_ms"], 2),
    }
    write_result(args.out, report)
    print()
    return 1 if one["errors"] or many["errors"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
