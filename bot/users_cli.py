"""`python -m bot users add|list`: staff accounts (operators, departments, reviewers, admins).

`users add` prints the new account's API token once (only its hash is stored); without
`--password` the password is asked for on a terminal, or generated and printed otherwise.
"""

from __future__ import annotations

import argparse
import getpass
import secrets
import sys

from sqlalchemy import select

from bot.accounts import ROLES, AccountError, User, create_user
from bot.config import Settings
from bot.db import session_scope
from bot.tickets import service
from bot.tickets.catalogue import Catalogue


def _ask_password() -> str:
    if not sys.stdin.isatty():
        return ""
    first = getpass.getpass("密码（留空则自动生成）：")
    if first and getpass.getpass("再输入一次：") != first:
        raise AccountError("两次输入的密码不一致")
    return first


def _users_add(args: argparse.Namespace, settings: Settings) -> int:
    catalogue = Catalogue.load(settings.knowledge_dir / "departments.yml")
    if args.department and not service.is_department(catalogue, args.department):
        print(f"未知的部门：{args.department}（见 knowledge/departments.yml 的 bodies）")
        return 2
    try:
        password = args.password or _ask_password()
        generated = not password
        password = password or secrets.token_urlsafe(12)
        with session_scope(settings.database_url) as session:
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
    with session_scope(settings.database_url) as session:
        users = session.execute(select(User).order_by(User.username)).scalars().all()
    for user in users:
        state = "" if user.active else "  (已停用)"
        print(f"{user.username:<24} {user.role:<10} {user.department_id or '-'}{state}")
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
