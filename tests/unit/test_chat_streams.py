"""The portal's open event streams of one process: one poll a tick serves them all, and each
stream gets its own conversation's operator lines, hand-over status and notices, once."""

from __future__ import annotations

import asyncio

from sqlalchemy import event

from bot import notices
from bot.db import utcnow
from bot.handoff.models import ACTIVE, OPERATOR, WAITING, Handoff, HandoffMessage
from bot.web import identity
from bot.web.chat_streams import StreamHub, updates

SENDERS = [f"portal:citizen-{n}" for n in range(40)]


def hand_over(db, sender: str, status: str = WAITING) -> int:
    with db.session() as session:
        handoff = Handoff(sender_id=sender, channel="portal", status=status)
        session.add(handoff)
        session.flush()
        return handoff.id


def operator_says(db, handoff_id: int, sender: str, text: str) -> int:
    with db.session() as session:
        line = HandoffMessage(
            handoff_id=handoff_id, sender_id=sender, author=OPERATOR, operator="op", text=text, at=utcnow()
        )
        session.add(line)
        session.flush()
        return line.id


def notify(db, sender: str, key: str, text: str) -> None:
    with db.session() as session:
        notices.enqueue(session, key, identity.PORTAL, sender, text)


def drain(stream) -> list:
    found = []
    while not stream.queue.empty():
        found.append(stream.queue.get_nowait())
    return found


def test_one_poll_of_three_queries_serves_every_open_stream(db):
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    async def scenario():
        hub = StreamHub(db, tick=0.05)
        streams = [await hub.open(sender, 0, "") for sender in SENDERS]
        handoff = hand_over(db, SENDERS[7])
        operator_says(db, handoff, SENDERS[7], "您好，我是接线员小王")
        notify(db, SENDERS[3], "n-3", "您的工单已办结")
        event.listen(db.engine, "before_cursor_execute", count)
        polls = hub.polls
        while hub.polls < polls + 1:
            await asyncio.sleep(0.01)
        event.remove(db.engine, "before_cursor_execute", count)
        got = {s.sender: drain(s) for s in streams}
        for stream in streams:
            hub.close(stream)
        return got

    got = asyncio.run(scenario())
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 3, selects  # lines, statuses, notices: not three per stream
    assert got[SENDERS[7]] == [
        ("handoff", {"status": WAITING}, None),
        ("operator", {"id": 1, "text": "您好，我是接线员小王"}, 1),
    ]
    assert got[SENDERS[3]] == [("notice", {"text": "您的工单已办结"}, None)]
    assert all(not events for sender, events in got.items() if sender not in (SENDERS[3], SENDERS[7]))


def test_a_stream_opens_with_the_present_state_and_gets_nothing_twice(db):
    sender = SENDERS[0]
    handoff = hand_over(db, sender, ACTIVE)
    first = operator_says(db, handoff, sender, "第一句")
    second = operator_says(db, handoff, sender, "第二句")

    async def scenario():
        hub = StreamHub(db, tick=0.05)
        stream = await hub.open(sender, first, "waiting")  # the browser had the first line
        opened = drain(stream)
        await asyncio.sleep(0.2)  # a few ticks
        later = drain(stream)
        hub.close(stream)
        return opened, later

    opened, later = asyncio.run(scenario())
    assert opened == [("handoff", {"status": ACTIVE}, None), ("operator", {"id": second, "text": "第二句"}, second)]
    assert later == []


def test_a_notice_reaches_one_tab_of_its_conversation(db):
    sender = SENDERS[1]

    async def scenario():
        hub = StreamHub(db, tick=0.05)
        tabs = [await hub.open(sender, 0, "none") for _ in range(2)]
        notify(db, sender, "n-1", "意见采纳情况已公布")
        await asyncio.sleep(0.3)
        got = [drain(tab) for tab in tabs]
        for tab in tabs:
            hub.close(tab)
        return got

    got = asyncio.run(scenario())
    assert sorted(len(events) for events in got) == [0, 1]
    with db.session() as session:
        assert updates(session, {sender: 0})[sender]["notices"] == []


def test_the_poller_stops_when_the_last_stream_closes(db):
    async def scenario():
        hub = StreamHub(db, tick=0.01)
        stream = await hub.open(SENDERS[2], 0, "")
        task = hub.task
        hub.close(stream)
        await asyncio.sleep(0.05)
        return task.done(), hub.count(SENDERS[2])

    assert asyncio.run(scenario()) == (True, 0)
