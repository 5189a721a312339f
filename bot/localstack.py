"""The whole stack on free loopback ports, for end-to-end tests and benchmarks.

`start_stack("sqlite")` runs what `make run` runs on a private SQLite file; `start_stack("postgres")`
runs the production profile (PostgreSQL tracker store and data in a fresh throw-away database,
Redis lock store, two Rasa workers, two action-server processes). `stop()` removes what it made.
"""

from __future__ import annotations

import dataclasses
import socket
import time
import uuid
from pathlib import Path
from typing import Any, Optional

from bot.config import Settings
from bot.db import Database
from bot.runner import Supervisor, prepare, service_specs

POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
REDIS_TEST_URL = "redis://127.0.0.1:6379/15"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def free_port_range(count: int, start: int = 20_000) -> int:
    """The first of `count` consecutive free loopback ports (instances take base + index)."""
    for base in range(start, 60_000 - count, 97):
        sockets: list[socket.socket] = []
        try:
            for port in range(base, base + count):
                sockets.append(socket.socket())
                sockets[-1].bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
        finally:
            for sock in sockets:
                sock.close()
    raise RuntimeError(f"no {count} consecutive free ports")


def create_postgres_database(prefix: str = "zs_test") -> str:
    import psycopg2

    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    connection = psycopg2.connect(POSTGRES_ADMIN_URL)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()
    return name


def end_postgres_connections(name: str, pid: Optional[int] = None, timeout: float = 10) -> None:
    """End the connections to database `name` (or only backend `pid`) as a restart or an outage
    would, and return once the server has closed them."""
    import psycopg2

    which = "datname = %s" + (" AND pid = %s" if pid else "")
    arguments = (name, pid) if pid else (name,)
    connection = psycopg2.connect(POSTGRES_ADMIN_URL)
    connection.autocommit = True
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE {which}", arguments
        )
        while time.monotonic() < deadline:
            cursor.execute(
                f"SELECT count(*) FROM pg_stat_activity WHERE {which} AND pid <> pg_backend_pid()",
                arguments,
            )
            if cursor.fetchone()[0] == 0:
                break
            time.sleep(0.02)
    connection.close()


def drop_postgres_database(name: str) -> None:
    import psycopg2

    end_postgres_connections(name)
    connection = psycopg2.connect(POSTGRES_ADMIN_URL)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
    connection.close()


@dataclasses.dataclass
class LocalStack:
    name: str
    settings: Settings
    supervisor: Supervisor
    db: Database
    postgres_database: Optional[str] = None

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.settings.rasa_port}"

    @property
    def web_url(self) -> str:
        return f"http://127.0.0.1:{self.settings.web_port}"

    def stop(self) -> None:
        self.supervisor.stop()
        self.db.dispose()
        if self.postgres_database:
            drop_postgres_database(self.postgres_database)


def stack_settings(profile: str, var_dir: Path, **overrides: Any) -> tuple[Settings, Optional[str]]:
    """Settings for a private stack: free ports, and its own SQLite file or PostgreSQL database."""
    database = None
    if profile == "postgres":
        database = create_postgres_database()
        stores = {
            "database_url": f"postgresql://postgres@127.0.0.1:5432/{database}",
            "redis_url": REDIS_TEST_URL,
            "sanic_workers": 2,
            "action_workers": 2,
        }
    else:
        stores = {"database_url": f"sqlite:///{var_dir / 'zhoushan.db'}", "redis_url": ""}
    rasa_port, web_port = free_port(), free_port()
    settings = dataclasses.replace(
        Settings.from_env(),
        var_dir=var_dir,
        rasa_port=rasa_port,
        actions_port=free_port(),
        web_port=web_port,
        rasa_url=f"http://127.0.0.1:{rasa_port}",
        public_base_url=f"http://127.0.0.1:{web_port}",
        profile="dev",
        **{**stores, **overrides},
    )
    return settings, database


def start_stack(
    profile: str,
    var_dir: Path,
    timeout: float = 180,
    stack_class: type[LocalStack] = LocalStack,
    **overrides: Any,
) -> LocalStack:
    if profile == "postgres":
        import redis

        redis.Redis.from_url(REDIS_TEST_URL).flushdb()
    settings, database = stack_settings(profile, var_dir, **overrides)
    model, endpoints = prepare(settings)
    supervisor = Supervisor(service_specs(settings, model, endpoints), var_dir / "logs")
    try:
        supervisor.start(timeout=timeout)
    except Exception:
        if database:
            drop_postgres_database(database)
        raise
    return stack_class(profile, settings, supervisor, Database(settings.database_url), database)
