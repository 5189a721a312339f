"""Status checks guarded against guessing the phone digits, counted in the database.

Five wrong answers for one ticket or receipt, or across tickets from one conversation, lock the
checks for `lock_minutes` after the last of them; a mistyped answer before that can be retried.
The count lives in the database, so a second process (another worker, another machine) sees it.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from bot.consultation import submit_opinion
from bot.db import Database
from bot.status_checks import check_receipt, check_ticket
from tests.unit.consultation_fixtures import NOW as CONSULTATION_NOW
from tests.unit.consultation_fixtures import PARKING, knowledge, synced  # noqa: F401
from tests.unit.test_tickets_lifecycle import NOW, catalogue, create  # noqa: F401

RIGHT = "5678"
WRONG = "0000"


@pytest.fixture
def limits(settings):
    return dataclasses.replace(settings, status_check_attempts=5, status_check_lock_minutes=30)


def ask(db, limits, catalogue, number, digits, sender="web:guesser", now=NOW):  # noqa: F811
    with db.session() as session:
        return check_ticket(session, limits, catalogue, number, digits, sender, now=now)


def test_a_mistyped_answer_can_be_retried(db, limits, catalogue):  # noqa: F811
    ticket = create(db)
    assert ask(db, limits, catalogue, ticket.number, None).outcome == "ask"
    wrong = ask(db, limits, catalogue, ticket.number, WRONG)
    assert (wrong.outcome, wrong.attempts_left) == ("wrong", 4)
    shown = ask(db, limits, catalogue, ticket.number, RIGHT)
    assert shown.outcome == "shown" and shown.ticket.number == ticket.number


def test_five_wrong_answers_lock_the_ticket_for_everyone_until_the_lock_ends(
    db,
    settings,
    limits,
    catalogue,  # noqa: F811
):
    ticket = create(db)
    left = [
        ask(db, limits, catalogue, ticket.number, WRONG, sender=f"web:{i}").attempts_left
        for i in range(4)
    ]
    assert left == [4, 3, 2, 1]
    fifth = ask(db, limits, catalogue, ticket.number, WRONG, sender="web:4")
    assert fifth.outcome == "locked" and fifth.locked_until == NOW + timedelta(minutes=30)

    other_process = Database(settings.database_url)
    with other_process.session() as session:
        later = check_ticket(
            session,
            limits,
            catalogue,
            ticket.number,
            RIGHT,
            "web:owner",
            now=NOW + timedelta(minutes=29),
        )
    other_process.dispose()
    assert later.outcome == "locked", "even the right digits wait, in another process too"
    after = ask(db, limits, catalogue, ticket.number, RIGHT, now=NOW + timedelta(minutes=31))
    assert after.outcome == "shown"


def test_wrong_answers_across_tickets_lock_the_conversation(db, limits, catalogue):  # noqa: F811
    tickets = [create(db) for _ in range(6)]
    outcomes = [ask(db, limits, catalogue, t.number, WRONG).outcome for t in tickets[:5]]
    assert outcomes == ["wrong"] * 4 + ["locked"]
    assert ask(db, limits, catalogue, tickets[5].number, RIGHT).outcome == "locked"
    assert (
        ask(db, limits, catalogue, tickets[5].number, RIGHT, sender="web:other").outcome == "shown"
    )


def test_the_lock_count_is_configurable(db, settings, catalogue):  # noqa: F811
    strict = dataclasses.replace(settings, status_check_attempts=2, status_check_lock_minutes=5)
    ticket = create(db)
    assert ask(db, strict, catalogue, ticket.number, WRONG).outcome == "wrong"
    locked = ask(db, strict, catalogue, ticket.number, WRONG)
    assert locked.outcome == "locked" and locked.locked_until == NOW + timedelta(minutes=5)


def test_the_filing_conversation_needs_no_digits(db, limits, catalogue):  # noqa: F811
    ticket = create(db, sender_id="web:owner")
    assert ask(db, limits, catalogue, ticket.number, None, sender="web:owner").outcome == "shown"
    assert ask(db, limits, catalogue, "ZS20261127-9999", WRONG).outcome == "missing"


def test_a_signed_opinion_is_guarded_like_a_ticket(db, limits, synced):  # noqa: F811
    with db.session() as session:
        receipt = submit_opinion(
            session,
            synced[PARKING],
            "第三条",
            "夜间路边停车应该免费，晚上车位大量空着。",
            named=True,
            name="张三",
            phone="13812345678",
            contact_ok=True,
            sender_id="web:owner",
            now=CONSULTATION_NOW,
        ).receipt_no

    def check(digits, sender="web:guesser", now=CONSULTATION_NOW):
        with db.session() as session:
            return check_receipt(session, limits, receipt, digits, sender, now=now)

    assert check(None, sender="web:owner").outcome == "shown"
    assert check(None).outcome == "ask"
    assert [check(WRONG).outcome for _ in range(5)] == ["wrong"] * 4 + ["locked"]
    assert check(RIGHT).outcome == "locked"
    assert check(RIGHT, now=CONSULTATION_NOW + timedelta(minutes=31)).opinion
