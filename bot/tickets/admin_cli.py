"""`python -m bot users add|list` and `python -m bot tickets monitor|show`: 12345 administration.

`users add` prints the new account's API token once (only its hash is stored); without
`--password` the password is asked for on a terminal, or generated and printed otherwise.
`tickets monitor` is meant for cron (every few minutes); it is idempotent.
"""

from __future__ import annotations

import argparse
import getpass
import secrets
import sys
from contextlib import contextmanager
from datetime import datetime
from typing import Iterator, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.accounts import ROLES, AccountError, User, create_user
from bot.clock import LOCAL_TZ
from bot.config import Settings
from bot.db import Database
from bot.privacy import mask_phone
from bot.tickets import service
from bot.tickets.catalogue import Catalogue
from bot.tickets.models import Ticket, assume_utc
from bot.tickets.monitor import run_monitor


def _catalogue(settings: Settings) -> Catalogue:
    return Catalogue.load(settings.knowledge_dir / "departments.yml")


@contextmanager
def _session(settings: Settings) -> Iterator[Session]:
    database = Database(settings.database_url)
    try:
        with database.session() as session:
            yield session
    finally:
        database.dispose()


def _ask_password() -> str:
    if not sys.stdin.isatty():
        return ""
    first = getpass.getpass("密码（留空则自动生成）：")
    if first and getpass.getpass("再输入一次：") != first:
        raise AccountError("两次输入的密码不一致")
    return first


def _users_add(args: argparse.Namespace, settings: Settings) -> int:
    if args.department and not service.is_department(_catalogue(settings), args.department):
        print(f"未知的部门：{args.department}（见 knowledge/departments.yml 的 bodies）")
        return 2
    try:
        password = args.password or _ask_password()
        generated = not password
        password = password or secrets.token_urlsafe(12)
        with _session(settings) as session:
            user, token = create_user(
                session,
                username=args.username,
                password=password,
                role=args.role,
                department_id=args.department,
                display_name=args.name or "",
            )
    except AccountError as error:
        print(f"未创建：{error}")
        return 2
    department = f"，{args.department}" if args.department else ""
    print(f"已创建账号 {user.username}（{user.role}{department}）")
    if generated:
        print(f"密码：{password}")
    print(f"API 令牌（只显示这一次）：{token}")
    return 0


def _users_list(args: argparse.Namespace, settings: Settings) -> int:
    with _session(settings) as session:
        users = session.execute(select(User).order_by(User.username)).scalars().all()
    for user in users:
        state = "" if user.active else "  (已停用)"
        print(f"{user.username:<24} {user.role:<10} {user.department_id or '-'}{state}")
    return 0


def _parse_now(raw: Optional[str]) -> Optional[datetime]:
    if not raw:
        return None
    moment = datetime.fromisoformat(raw)
    return moment if moment.tzinfo else moment.replace(tzinfo=LOCAL_TZ)


def _tickets_monitor(args: argparse.Namespace, settings: Settings) -> int:
    with _session(settings) as session:
        messages = [n.message for n in run_monitor(session, _parse_now(args.now))]
    for message in messages:
        print(message)
    print(f"本次督办 {len(messages)} 件")
    return 0


def _tickets_show(args: argparse.Namespace, settings: Settings) -> int:
    with _session(settings) as session:
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
        when = assume_utc(event.at).astimezone(LOCAL_TZ)
        note = event.detail.get("note") or ""
        print(f"  {when:%Y-%m-%d %H:%M}  {event.action:<28} {event.actor:<28} {note}")
    return 0


def register(commands) -> None:
    users = commands.top.add_parser("users", help="staff accounts")
    users_sub = users.add_subparsers(dest="users_command", metavar="ACTION")
    users_sub.required = True
    add = users_sub.add_parser("add", help="create an account and print its API token")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--department", help="department body id, e.g. dinghai.housing_construction")
    add.add_argument("--password", help="at least 8 characters (default: ask or generate)")
    add.add_argument("--name", help="display name")
    add.set_defaults(handler=_users_add)
    users_sub.add_parser("list", help="list accounts").set_defaults(handler=_users_list)

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
