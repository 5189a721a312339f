"""`python -m bot db upgrade|current|revision`: Alembic migrations without an alembic.ini."""

from __future__ import annotations

import argparse
from pathlib import Path

from alembic import command
from alembic.config import Config

from bot.config import Settings

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Bring the schema at `database_url` to `revision` (creates the SQLite file's folder)."""
    if database_url.startswith("sqlite:///"):
        Path(database_url[len("sqlite:///") :]).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(database_url), revision)


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
