"""`python -m bot`: the command line. Each capability registers its own commands.

A command module exposes `register(commands: Commands)`; it adds parsers to `commands.top`
(e.g. `kb`, `route`) or to `commands.eval` (e.g. `eval qa`) and sets `handler=` on each to a
function `(args, settings) -> int`.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from dataclasses import dataclass
from typing import Optional, Sequence

from bot.config import Settings

COMMAND_MODULES = (
    "bot.dbcli",
    "bot.model",
    "bot.runner",
    "bot.deploy",
    "bot.users_cli",
    "bot.tickets.admin_cli",
    "bot.tickets.cli",
    "bot.policy.cli",
    "bot.channels.telegram",
    "bot.channels.wechat",
    "bot.consultation.cli",
    "bot.disclosure.cli",
    "bot.hotspots.cli",
    "bot.retention",
    "bot.publishing.cli",
    "bot.scorecard.cli",
)


@dataclass
class Commands:
    top: argparse._SubParsersAction
    eval: argparse._SubParsersAction


def read_inputs(positional: Sequence[str], file: Optional[str]) -> list[str]:
    """Texts from the command line and/or a file with one text a line (blank lines skipped)."""
    texts = [t for t in positional]
    if file:
        stream = sys.stdin if file == "-" else open(file, encoding="utf-8")
        with stream:
            texts.extend(line.rstrip("\n") for line in stream if line.strip())
    return texts


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="舟山政务公开助手")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    top = parser.add_subparsers(dest="command", metavar="COMMAND")
    top.required = True
    eval_parser = top.add_parser("eval", help="evaluate a capability on a labelled file")
    eval_sub = eval_parser.add_subparsers(dest="eval_command", metavar="WHAT")
    eval_sub.required = True
    commands = Commands(top=top, eval=eval_sub)
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(commands)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from bot.logs import setup_logging

    setup_logging(logging.DEBUG if args.verbose else logging.WARNING)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    from bot.dbcli import DatabaseNotReady

    settings = Settings.from_env()
    try:
        return _run_migrating_once(handler, args, settings)
    except DatabaseNotReady as problem:
        print(problem, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


def _run_migrating_once(handler, args: argparse.Namespace, settings: Settings) -> int:
    """Run a command; when it finds the database never migrated (before the first `make run`),
    migrate it and run the command again, instead of a traceback."""
    from sqlalchemy.exc import DBAPIError

    from bot.dbcli import ensure_database, missing_schema, upgrade

    try:
        return int(handler(args, settings) or 0)
    except DBAPIError as error:
        if args.command == "db" or not missing_schema(error):
            ensure_database(settings.database_url)
            raise
    print("数据库尚未迁移，正在自动迁移到最新版本（python -m bot db upgrade）…", file=sys.stderr)
    upgrade(settings.database_url)
    return int(handler(args, settings) or 0)
