"""`python -m bot tickets monitor|show`: 12345 administration.

`tickets monitor` is meant for cron (every few minutes); it is idempotent.
"""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import Optional

from sqlalchemy import select

from bot.clock import as_local, local
from bot.config import Settings
from bot.db import session_scope
from bot.privacy import mask_phone
from bot.tickets import service
from bot.tickets.catalogue import Catalogue
from bot.tickets.models import Ticket
from bot.tickets.monitor import run_monitor


def _catalogue(settings: Settings) -> Catalogue:
    return Catalogue.load(settings.knowledge_dir / "departments.yml")


def _parse_now(raw: Optional[str]) -> Optional[datetime]:
    return as_local(datetime.fromisoformat(raw)) if raw else None


def _tickets_monitor(args: argparse.Namespace, settings: Settings) -> int:
    with session_scope(settings.database_url) as session:
        messages = [n.message for n in run_monitor(session, _parse_now(args.now))]
    for message in messages:
        print(message)
    print(f"本次督办 {len(messages)} 件")
    return 0


def _tickets_show(args: argparse.Namespace, settings: Settings) -> int:
    with session_scope(settings.database_url) as session:
        ticket = session.execute(
            select(Ticket).where(Ticket.number == args.number.strip().upper())
        ).scalar_one_or_none()
        events = service.history(session, ticket.number) if ticket else []
    if ticket is None:
        print(f"没有找到工单 {args.number}")
        return 1
    name = service.department_name(_catalogue(settings), ticket.department_id) or "未派单"
    phone = mask_phone(ticket.citizen_phone) if ticket.citizen_phone else "无"
    print(f"{ticket.number}  {ticket.type}  {ticket.state.label}  {name}  电话 {phone}")
    print(f"  {ticket.description[:120]}")
    for event in events:
        when = local(event.at)
        note = event.detail.get("note") or ""
        print(f"  {when:%Y-%m-%d %H:%M}  {event.action:<28} {event.actor:<28} {note}")
    return 0


def register(commands) -> None:
    tickets = commands.top.add_parser("tickets", help="12345 tickets")
    tickets_sub = tickets.add_subparsers(dest="tickets_command", metavar="ACTION")
    tickets_sub.required = True
    monitor = tickets_sub.add_parser("monitor", help="supervise overdue tickets (督办)")
    monitor.add_argument(
        "--now", help="ISO time to check against (default: now; without offset: Asia/Shanghai)"
    )
    monitor.set_defaults(handler=_tickets_monitor)
    show = tickets_sub.add_parser("show", help="a ticket and its audited history")
    show.add_argument("number")
    show.set_defaults(handler=_tickets_show)
