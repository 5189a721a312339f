"""`python -m bot users ...` and `python -m bot tickets ...` against a migrated SQLite database."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.accounts import authenticate_token
from bot.cli import main
from bot.clock import LOCAL_TZ
from bot.tickets import service
from bot.tickets.routing import RoutingResult

DINGHAI = "dinghai.housing_construction"
NOW = datetime(2026, 11, 27, 10, 0, tzinfo=LOCAL_TZ)


@pytest.fixture
def cli(db, settings, monkeypatch, capsys):
    """Run a command line against the `db` fixture's database; (exit code, printed text)."""
    for name, value in settings.to_env().items():
        monkeypatch.setenv(name, value)

    def run(*argv: str) -> tuple[int, str]:
        code = main(list(argv))
        return code, capsys.readouterr().out

    return run


def test_users_add_prints_a_working_token_once(cli, db):
    code, out = cli(
        "users",
        "add",
        "dh",
        "--role",
        "department",
        "--department",
        DINGHAI,
        "--password",
        "secret-123",
    )

    assert code == 0
    token = out.rsplit("：", 1)[1].strip()
    with db.session() as session:
        principal = authenticate_token(session, token)
    assert (principal.username, principal.department_id) == ("dh", DINGHAI)
    assert "secret-123" not in out
    code, listing = cli("users", "list")
    assert code == 0 and "dh" in listing and DINGHAI in listing


def test_users_add_generates_a_password_without_a_terminal(cli):
    code, out = cli("users", "add", "op", "--role", "operator")
    assert code == 0 and "密码：" in out and "API 令牌" in out


def test_users_add_refuses_unknown_departments_and_duplicates(cli):
    code, out = cli("users", "add", "x", "--role", "department", "--department", "nowhere.bureau")
    assert code == 2 and "未知的部门" in out
    assert cli("users", "add", "op", "--role", "operator", "--password", "secret-123")[0] == 0
    code, out = cli("users", "add", "op", "--role", "operator", "--password", "secret-123")
    assert code == 2 and "已存在" in out


def test_tickets_monitor_and_show(cli, db):
    routing = RoutingResult(text="井盖坏了", type="投诉", department_id=DINGHAI)
    with db.session() as session:
        number = service.create_ticket(
            session, routing, description="井盖坏了", phone="13812345678", now=NOW
        ).number

    code, out = cli("tickets", "monitor", "--now", "2026-11-27T15:00")
    assert code == 0 and number in out and "本次督办 1 件" in out
    assert cli("tickets", "monitor", "--now", "2026-11-27T15:00")[1].strip() == "本次督办 0 件"

    code, out = cli("tickets", "show", number.lower())
    assert code == 0
    assert "138****5678" in out and "13812345678" not in out
    assert [a for a in ("ticket.receive", "ticket.dispatch", "ticket.supervise") if a in out] == [
        "ticket.receive",
        "ticket.dispatch",
        "ticket.supervise",
    ]
    assert cli("tickets", "show", "ZS20990101-0001")[0] == 1
