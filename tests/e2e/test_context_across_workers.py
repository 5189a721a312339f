"""Conversation context survives a change of Rasa worker on every message (production profile).

A follow-up ("具体是哪一条？") is answered from the `policy_context` slot the previous answer set;
each message here goes to the Rasa worker that did not serve the one before, so the slot can only
come from the shared tracker store, never from a worker's memory.
"""

from __future__ import annotations

import uuid
from contextlib import closing

import psycopg2
import pytest

from bot.localstack import POSTGRES_ADMIN_URL
from tests.e2e.test_scale import RasaWorkers, post

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

ROUNDS = 4


@pytest.mark.parametrize("stack", ["postgres"], indirect=True)
def test_follow_up_keeps_the_policy_when_the_worker_changes(stack):
    workers = RasaWorkers(stack.settings.rasa_port, stack.supervisor.service("rasa").process.pid)
    for _ in range(ROUNDS):
        citizen = f"ctx-{uuid.uuid4().hex[:10]}"
        first_worker, connection = workers.connect(avoid=None)
        with closing(connection):
            answer = post(connection, citizen, "一把手要不要亲自解读政策")
        assert "一把手" in answer[0]["text"] or "解读" in answer[0]["text"], answer
        context = stack.tracker(citizen)["slots"]["policy_context"]
        assert context and context.get("policy_id"), context
        second_worker, connection = workers.connect(avoid=first_worker)
        with closing(connection):
            follow = post(connection, citizen, "具体是哪一条？")
        assert second_worker != first_worker
        assert "出自《舟山市全面推进政务公开实施细则》" in follow[0]["text"], follow


@pytest.mark.parametrize("stack", ["postgres"], indirect=True)
def test_follow_up_keeps_the_policy_after_postgresql_dropped_every_connection(stack):
    """What broke the follow-up on a clean clone: an earlier test (the database outage in
    test_faults) left each Rasa worker's pool holding dead connections; each failed once, and
    Rasa then answered from an empty conversation. Every worker must recover without loss."""
    workers = RasaWorkers(stack.settings.rasa_port, stack.supervisor.service("rasa").process.pid)
    citizens = [f"ctx-{uuid.uuid4().hex[:10]}" for _ in range(ROUNDS)]
    served = {}
    for citizen in citizens:
        served[citizen], connection = workers.connect(avoid=None)
        with closing(connection):
            post(connection, citizen, "一把手要不要亲自解读政策")
    admin = psycopg2.connect(POSTGRES_ADMIN_URL)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            (stack.postgres_database,),
        )
    admin.close()
    for citizen in citizens:
        _, connection = workers.connect(avoid=served[citizen])
        with closing(connection):
            follow = post(connection, citizen, "具体是哪一条？")
        assert "出自《舟山市全面推进政务公开实施细则》" in follow[0]["text"], follow
