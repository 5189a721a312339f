"""Faults a city hotline must survive: a crashed action server, a restarted Rasa, a lost database.

Each test breaks one real process of the running stack and puts it back before it ends. While the
database is unreachable, Rasa's FailSafeTrackerStore answers from a fresh in-memory conversation,
so the citizen gets a neutral reply (never a confirmation); once the database is back the stored
conversation resumes and a retried confirmation files exactly one ticket.
"""

from __future__ import annotations

import uuid

import psycopg2
import pytest
from sqlalchemy import select

from bot.channels.rest import APOLOGY
from bot.localstack import POSTGRES_ADMIN_URL
from bot.tickets.models import Ticket


def sender() -> str:
    return f"fault-{uuid.uuid4().hex[:12]}"


def ticket_count(stack, citizen: str) -> int:
    with stack.db.session() as session:
        return len(session.execute(select(Ticket.id).where(Ticket.sender_id == citizen)).all())


def test_action_server_killed_mid_form_then_the_form_resumes(stack):
    citizen = sender()
    assert "发生了什么" in stack.texts(citizen, "我要投诉")
    stack.supervisor.kill("actions")
    try:
        assert stack.texts(citizen, "小区门口的路灯坏了一个多月，晚上很黑") == APOLOGY
    finally:
        stack.supervisor.restart("actions")
    resumed = stack.texts(citizen, "小区门口的路灯坏了一个多月，晚上很黑")
    assert "哪里" in resumed, "the form goes on from where it was"


def test_rasa_restarted_mid_conversation_continues_from_the_tracker_store(stack):
    citizen = sender()
    stack.say(citizen, "我要投诉")
    assert "哪里" in stack.texts(citizen, "菜市场门口天天有人占道摆摊，车都过不去")
    stack.supervisor.restart("rasa", timeout=180)
    assert "什么时候" in stack.texts(citizen, "定海区昌国街道")


def _allow_connections(database: str, allowed: bool) -> None:
    connection = psycopg2.connect(POSTGRES_ADMIN_URL)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS {str(allowed).lower()}')
        if not allowed:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                (database,),
            )
    connection.close()


def test_database_lost_at_confirmation_then_a_retry_stores_once(stack):
    if not stack.postgres_database:
        pytest.skip("the database outage is simulated on PostgreSQL")
    citizen = sender()
    stack.say(citizen, "普陀区东港街道海华路的窨井盖丢了，很危险，今天早上发现的")
    assert "请确认" in stack.texts(citizen, "13611112222")
    _allow_connections(stack.postgres_database, False)
    try:
        reply = stack.texts(citizen, "/affirm")
        assert reply and "工单号" not in reply, "nothing may be confirmed while nothing is stored"
    finally:
        _allow_connections(stack.postgres_database, True)
    assert ticket_count(stack, citizen) == 0, "nothing was confirmed, nothing was stored"
    retried = stack.texts(citizen, "/affirm")
    if "工单号" not in retried:
        retried = stack.texts(citizen, "/affirm")
    assert "工单号" in retried
    stack.say(citizen, "/affirm")
    assert ticket_count(stack, citizen) == 1
