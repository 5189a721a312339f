"""0006_seams carries the old counters and outboxes into `daily_sequences` and `notices`."""

from __future__ import annotations

from typing import Iterator

import pytest
from alembic import command
from sqlalchemy import create_engine, text

from bot.dbcli import alembic_config, upgrade
from bot.localstack import create_postgres_database, drop_postgres_database

BEFORE = [
    "INSERT INTO ticket_counters (day, last) VALUES ('20261205', 7)",
    "INSERT INTO consultation_receipt_counters (day, last) VALUES ('20261205', 3)",
    "INSERT INTO notices (key, channel, sender_id, message, status, attempts, created_at)"
    " VALUES ('ticket:ZS20261205-0001:replied:20261205T020000', 'telegram', 'telegram:42',"
    " '已办结', 'pending', 0, '2026-12-05 02:00:00+00:00')",
    "INSERT INTO tickets (id, number, created_at, channel, type, urgent, description, anonymous,"
    " status, co_department_ids, reopen_count, supervised, version)"
    " VALUES (1, 'ZS20261205-0002', '2026-12-05 02:00:00+00:00', 'web', '投诉', false, '井盖坏了',"
    " false, 'dispatched', '[]', 0, true, 1)",
    "INSERT INTO notifications (created_at, department_id, ticket_id, kind, message)"
    " VALUES ('2026-12-05 08:00:00+00:00', 'dinghai.housing_construction', 1, 'supervision', '督办')",
    "INSERT INTO consultation_drafts (id, slug, title, department, summary, preamble, contact,"
    " opens_on, closes_on, status, sample, source, source_hash, created_at, updated_at)"
    " VALUES (1, 'd', '办法', '市局', '', '', '', '2026-11-01', '2026-11-30', 'summarised', false,"
    " 'd.md', 'h', '2026-11-01', '2026-11-01')",
    "INSERT INTO consultation_summaries (id, draft_id, version, state, content, content_hash,"
    " drafted_by, drafted_at) VALUES (5, 1, 1, 'published', '{}', 'h', 'li', '2026-12-01')",
    "INSERT INTO consultation_notifications (summary_id, draft_id, channel, sender_id, message,"
    " status, attempts, created_at) VALUES (5, 1, 'telegram', 'telegram:43', '采纳情况已公布',"
    " 'sent', 1, '2026-12-01')",
]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request, settings) -> Iterator[str]:
    if request.param == "sqlite":
        yield settings.database_url
        return
    name = create_postgres_database()
    yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    drop_postgres_database(name)


def test_counters_and_outboxes_move_into_the_shared_tables(database_url):
    upgrade(database_url, "0005_web")
    engine = create_engine(database_url)
    with engine.begin() as connection:
        for statement in BEFORE:
            connection.execute(text(statement))
    upgrade(database_url)
    with engine.connect() as connection:
        sequences = connection.execute(
            text("SELECT series, day, last FROM daily_sequences ORDER BY series")
        ).all()
        notices = connection.execute(
            text("SELECT dedupe_key, channel, recipient, status FROM notices ORDER BY id")
        ).all()
    assert sequences == [("YJ", "20261205", 3), ("ZS", "20261205", 7)]
    assert notices == [
        ("ticket:ZS20261205-0001:replied:20261205T020000", "telegram", "telegram:42", "pending"),
        ("consultation:summary:5:telegram:telegram:43", "telegram", "telegram:43", "sent"),
        ("ticket:ZS20261205-0002:supervised:1", "department", "dinghai.housing_construction",
         "pending"),
    ]

    command.downgrade(alembic_config(database_url), "0005_web")
    with engine.connect() as connection:
        assert connection.execute(text("SELECT day, last FROM ticket_counters")).all() == [
            ("20261205", 7)
        ]
    engine.dispose()
