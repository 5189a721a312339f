"""`python -m bot db upgrade|current|revision`: Alembic migrations without an alembic.ini."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.pool import NullPool

from bot.config import Settings

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


class DatabaseNotReady(RuntimeError):
    """The database cannot be reached or created; the message is one line saying what to run."""


def _first_line(error: BaseException) -> str:
    detail = str(getattr(error, "orig", None) or error).strip().splitlines()
    return detail[0] if detail else type(error).__name__


def _can_connect(url: URL) -> bool:
    engine = create_engine(url, future=True, poolclass=NullPool)
    try:
        with engine.connect():
            return True
    except OperationalError as error:
        if "does not exist" in _first_line(error):
            return False
        raise DatabaseNotReady(
            f"无法连接数据库 {url.host}:{url.port or 5432}（{_first_line(error)}）；"
            "本机开发可运行 scripts/services.sh 启动 PostgreSQL 与 Redis"
        ) from error
    finally:
        engine.dispose()


def ensure_database(database_url: str) -> None:
    """Create the PostgreSQL database (and its role) named in `database_url` when missing, as the
    server's `postgres` superuser; if that is not allowed, say in one line what to run."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql" or _can_connect(url):
        return
    name, role = url.database, url.username or "postgres"
    admin = url.set(database="postgres", username="postgres", password=None)
    engine = create_engine(admin, future=True, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            exists = connection.execute(
                text("SELECT 1 FROM pg_roles WHERE rolname = :role"), {"role": role}
            ).scalar()
            if not exists:
                connection.exec_driver_sql(f'CREATE ROLE "{role}" LOGIN')
            connection.exec_driver_sql(f'CREATE DATABASE "{name}" OWNER "{role}"')
    except DBAPIError as error:
        raise DatabaseNotReady(
            f"数据库 {name} 不存在，且无法自动创建（{_first_line(error)}）；请运行："
            f"sudo -u postgres createuser {role}; sudo -u postgres createdb -O {role} {name}"
        ) from error
    finally:
        engine.dispose()
    print(f"已创建数据库 {name}（所有者 {role}）", file=sys.stderr)


def upgrade(database_url: str, revision: str = "head") -> None:
    """Bring the schema at `database_url` to `revision`, creating the SQLite file's folder or the
    PostgreSQL database first."""
    if database_url.startswith("sqlite:///"):
        Path(database_url[len("sqlite:///") :]).parent.mkdir(parents=True, exist_ok=True)
    ensure_database(database_url)
    command.upgrade(alembic_config(database_url), revision)


def missing_schema(error: BaseException) -> bool:
    """True for the errors of a database that was never migrated (or lacks a newer table)."""
    detail = _first_line(error)
    return isinstance(error, DBAPIError) and (
        "no such table" in detail
        or ("relation" in detail and "does not exist" in detail)
        or ("database" in detail and "does not exist" in detail)
    )


def _upgrade(args: argparse.Namespace, settings: Settings) -> int:
    upgrade(settings.database_url, args.revision)
    return 0


def _current(args: argparse.Namespace, settings: Settings) -> int:
    command.current(alembic_config(settings.database_url), verbose=True)
    return 0


def _revision(args: argparse.Namespace, settings: Settings) -> int:
    command.revision(
        alembic_config(settings.database_url),
        message=args.message,
        autogenerate=True,
        rev_id=args.rev_id,
    )
    return 0


def register(commands) -> None:
    db = commands.top.add_parser("db", help="database migrations")
    sub = db.add_subparsers(dest="db_command", metavar="ACTION")
    sub.required = True
    up = sub.add_parser("upgrade", help="apply migrations (default: to head)")
    up.add_argument("revision", nargs="?", default="head")
    up.set_defaults(handler=_upgrade)
    sub.add_parser("current", help="show the applied revision").set_defaults(handler=_current)
    rev = sub.add_parser("revision", help="autogenerate a migration from the models")
    rev.add_argument("-m", "--message", required=True)
    rev.add_argument("--rev-id", required=True, help="e.g. 0002_tickets")
    rev.set_defaults(handler=_revision)
