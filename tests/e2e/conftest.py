"""The real services for end-to-end tests: Rasa, the action server and the web service.

`stack` starts them once per session for each store profile: embedded SQLite, and PostgreSQL with a
Redis lock store and two Rasa workers (the production profile). Every test that uses `stack` runs
against both.
"""

from __future__ import annotations

import dataclasses
import json
import socket
import urllib.request
import uuid
from pathlib import Path
from typing import Any, Optional

import pytest

from bot.config import Settings
from bot.db import Database
from bot.model import ensure_model
from bot.runner import Supervisor, prepare, service_specs

POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
REDIS_TEST_URL = "redis://127.0.0.1:6379/15"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_json(method: str, url: str, body: Any = None, headers: Optional[dict] = None,
              timeout: float = 30) -> tuple[int, Any]:
    data = None if body is None else (
        body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
    )
    request = urllib.request.Request(url, data=data, method=method, headers={
        "Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw = response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        raw, status = error.read(), error.code
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        return status, raw.decode("utf-8", "replace")


@dataclasses.dataclass
class Stack:
    name: str
    settings: Settings
    supervisor: Supervisor
    db: Database

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.settings.rasa_port}"

    @property
    def web_url(self) -> str:
        return f"http://127.0.0.1:{self.settings.web_port}"

    def say(self, sender: str, text: str) -> list[dict]:
        """Send `text` as `sender` through the REST channel; the bot's replies."""
        status, replies = http_json(
            "POST", f"{self.rasa_url}/webhooks/rest/webhook", {"sender": sender, "message": text}
        )
        assert status == 200, (status, replies)
        return replies

    def texts(self, sender: str, text: str) -> str:
        return "\n".join(r.get("text", "") for r in self.say(sender, text))

    def tracker(self, sender: str) -> dict:
        status, tracker = http_json(
            "GET",
            f"{self.rasa_url}/conversations/{sender}/tracker?token={self.settings.rasa_token}",
        )
        assert status == 200, tracker
        return tracker

    def last_intent(self, sender: str) -> str:
        return self.tracker(sender)["latest_message"]["intent"]["name"]


def _create_postgres_database() -> str:
    import psycopg2

    name = f"zs_test_{uuid.uuid4().hex[:10]}"
    connection = psycopg2.connect(POSTGRES_ADMIN_URL)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()
    return name


def _drop_postgres_database(name: str) -> None:
    import psycopg2

    connection = psycopg2.connect(POSTGRES_ADMIN_URL)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,)
        )
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
    connection.close()


def start_stack(name: str, var_dir: Path, **overrides: Any) -> Stack:
    settings = dataclasses.replace(
        Settings.from_env(),
        var_dir=var_dir,
        rasa_port=free_port(),
        actions_port=free_port(),
        web_port=free_port(),
        profile="dev",
        **overrides,
    )
    settings = dataclasses.replace(
        settings,
        rasa_url=f"http://127.0.0.1:{settings.rasa_port}",
        public_base_url=f"http://127.0.0.1:{settings.web_port}",
    )
    model, endpoints = prepare(settings)
    supervisor = Supervisor(service_specs(settings, model, endpoints), var_dir / "logs")
    supervisor.start(timeout=180)
    return Stack(name, settings, supervisor, Database(settings.database_url))


@pytest.fixture(scope="session")
def model_path() -> Path:
    return ensure_model()


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def stack(request, tmp_path_factory, model_path) -> Stack:
    var_dir = tmp_path_factory.mktemp(f"stack-{request.param}")
    database = None
    if request.param == "sqlite":
        running = start_stack(
            "sqlite", var_dir, database_url=f"sqlite:///{var_dir / 'zhoushan.db'}", redis_url=""
        )
    else:
        import redis

        redis.Redis.from_url(REDIS_TEST_URL).flushdb()
        database = _create_postgres_database()
        running = start_stack(
            "postgres",
            var_dir,
            database_url=f"postgresql://postgres@127.0.0.1:5432/{database}",
            redis_url=REDIS_TEST_URL,
            sanic_workers=2,
            action_workers=2,
        )
    yield running
    running.supervisor.stop()
    running.db.dispose()
    if database:
        _drop_postgres_database(database)
