"""`python -m bot disclosure report|monitor|show`: the annual-report table, the deadline run
(meant for cron, idempotent) and one application's history (ID number masked)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.clock import LOCAL_TZ
from bot.config import Settings
from bot.db import session_scope
from bot.disclosure import errors, report, service
from bot.disclosure.monitor import run_monitor
from bot.disclosure.rules import load_rules
from bot.tickets.admin_cli import _catalogue, _parse_now
from bot.tickets.models import assume_utc


def register(commands) -> None:
    disclosure = commands.top.add_parser("disclosure", help="依申请公开: report, monitor, show")
    sub = disclosure.add_subparsers(dest="disclosure_command", metavar="ACTION")
    sub.required = True
    yearly = sub.add_parser("report", help="收到和处理政府信息公开申请情况 for one year")
    yearly.add_argument("--year", type=int, required=True)
    yearly.add_argument("--format", choices=("json", "html", "csv"), default="json")
    yearly.add_argument("--out", help="write to this file instead of stdout")
    yearly.set_defaults(handler=_report)
    monitor = sub.add_parser("monitor", help="督办 overdue applications, close lapsed 补正")
    monitor.add_argument("--now", help="ISO time (default: now; without offset: Asia/Shanghai)")
    monitor.set_defaults(handler=_monitor)
    show = sub.add_parser("show", help="one application and its history")
    show.add_argument("number")
    show.set_defaults(handler=_show)


def _report(args: argparse.Namespace, settings: Settings) -> int:
    rules = load_rules(settings.knowledge_dir)
    with session_scope(settings.database_url) as session:
        table = report.build_report(session, rules, args.year)
    text = report.render(table, args.format)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    if not table.reconciles:
        print("警告：各列“新收+结转”不等于“总计+结转下年度”", file=sys.stderr)
        return 1
    return 0


def _monitor(args: argparse.Namespace, settings: Settings) -> int:
    rules = load_rules(settings.knowledge_dir)
    with session_scope(settings.database_url) as session:
        result = run_monitor(session, rules, _catalogue(settings), _parse_now(args.now))
    for number in result.lapsed:
        print(f"{number} 逾期未补正，视为放弃申请")
    for number in result.supervised:
        print(f"{number} 超过答复期限未答复，督办")
    print(f"本次视为放弃 {len(result.lapsed)} 件，督办 {len(result.supervised)} 件")
    return 0


def _show(args: argparse.Namespace, settings: Settings) -> int:
    catalogue = _catalogue(settings)
    with session_scope(settings.database_url) as session:
        try:
            found = service.get_application(session, args.number, service.SYSTEM_READER)
        except errors.DisclosureNotFound as missing:
            print(missing)
            return 1
        events = service.history(session, found.number)
    organ = service.department_name(catalogue, found.department_id)
    print(f"{found.number}  {found.state.label}  {organ}  证件 {found.id_masked}")
    print(f"  {found.description[:120]}")
    print(f"  答复期限 {assume_utc(found.due_at).astimezone(LOCAL_TZ):%Y-%m-%d %H:%M}")
    for event in events:
        when = assume_utc(event.at).astimezone(LOCAL_TZ)
        label = service.EVENT_LABELS.get(event.action.removeprefix("disclosure."), event.action)
        note = event.detail.get("note") or ""
        print(f"  {when:%Y-%m-%d %H:%M}  {label}  {event.actor}  {note}")
    return 0
