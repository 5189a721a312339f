"""Sixteen complaints at once on the production profile: nothing lost, reordered or filed twice.

Each citizen files a complaint (what, where and when in one message, then the phone, then the
confirmation) and asks for its status, all conversations interleaved. Rasa logs no worker per
request and sets no header that names one, so the test reads it from /proc: every message goes over
a fresh connection that is used only once the Rasa worker *other* than the one that served the
conversation's previous message has accepted it. Each conversation thus changes worker on every
turn, and only the Redis lock store and the PostgreSQL tracker store keep it whole. It runs on the
session's production-profile stack only: the SQLite profile has a single worker.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
import uuid
from dataclasses import dataclass
from http.client import HTTPConnection
from itertools import pairwise
from pathlib import Path
from typing import Optional

import pytest
from sqlalchemy import or_, select

from bot.channels.rest import APOLOGY
from bot.tickets.models import Ticket
from tests.concurrency import all_at_once

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

CITIZENS = 16
PLACES = ["普陀区沈家门渔港路", "定海区解放路", "岱山县高亭镇", "嵊泗县菜园镇"]
PROBLEMS = [
    "的工地昨天半夜还在打桩施工，噪音太大吵得睡不着",
    "路边的下水道堵了三天了，污水都漫到路上",
    "小区门口的路灯坏了一个多月，晚上黑漆漆的",
    "菜市场门口天天有人占道摆摊，车都过不去",
]
STATUS_QUESTION = "我的工单处理得怎么样了"
ASKED_AFTER = ["手机号", "请确认", "工单号：ZS", "承办单位"]
"""What each reply must contain: the form asks only for the phone, then the summary, and so on."""


@dataclass(frozen=True)
class Turn:
    text: str
    worker: int
    replies: list[dict]

    @property
    def reply_texts(self) -> list[str]:
        return [reply.get("text", "") for reply in self.replies]


class RasaWorkers:
    """Connections to Rasa whose accepting worker process is known before the request is sent.

    The worker that accepted a connection is the process of Rasa's process group holding the
    server side of it: /proc/net/tcp gives that socket's inode, /proc/<pid>/fd who holds it.
    """

    def __init__(self, port: int, group: int) -> None:
        self.port = port
        self.processes = group_members(group)

    def accepted_inode(self, client_port: int) -> int:
        """The server-side socket's inode, 0 while the connection waits to be accepted."""
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                local, remote = fields[1].rsplit(":", 1)[1], fields[2].rsplit(":", 1)[1]
                if int(local, 16) == self.port and int(remote, 16) == client_port:
                    return int(fields[9])
        return 0

    def owner(self, connection: HTTPConnection, timeout: float = 10) -> int:
        """The pid of the worker that accepted `connection`, once one has."""
        client_port = connection.sock.getsockname()[1]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            inode = self.accepted_inode(client_port)
            holders = [pid for pid in self.processes if holds(pid, inode)] if inode else []
            if holders:
                return holders[0]
            time.sleep(0.005)
        raise AssertionError(f"no Rasa worker accepted connection from port {client_port}")

    def connect(self, avoid: Optional[int], timeout: float = 60) -> tuple[int, HTTPConnection]:
        """A connection accepted by a worker other than `avoid`, and that worker's pid.

        While `avoid` is idle and the other worker busy, `avoid` wins every new connection; the
        others are closed unused until the other worker is free to accept one.
        """
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            connection = HTTPConnection("127.0.0.1", self.port, timeout=60)
            connection.connect()
            worker = self.owner(connection)
            if worker != avoid:
                return worker, connection
            connection.close()
            time.sleep(0.01)
        raise AssertionError(f"only worker {avoid} accepted connections for {timeout:.0f} s")


def group_members(group: int) -> list[int]:
    """The processes of a process group: Rasa's main process and the Sanic workers it forked."""
    pids = []
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[2]) == group:
            pids.append(int(entry))
    return pids


def holds(pid: int, inode: int) -> bool:
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return False
    target = f"socket:[{inode}]"
    for fd in fds:
        with contextlib.suppress(OSError):
            if os.readlink(f"/proc/{pid}/fd/{fd}") == target:
                return True
    return False


def post(connection: HTTPConnection, sender: str, text: str) -> list[dict]:
    body = json.dumps({"sender": sender, "message": text}, ensure_ascii=False).encode()
    connection.request("POST", "/webhooks/rest/webhook", body, {"Content-Type": "application/json"})
    response = connection.getresponse()
    raw = response.read()
    assert response.status == 200, (sender, text, response.status, raw[:300])
    return json.loads(raw)


def complaint(index: int) -> str:
    return PLACES[index % len(PLACES)] + PROBLEMS[index // len(PLACES) % len(PROBLEMS)]


def phone(index: int) -> str:
    return f"1370000{index:04d}"


def turns_in_tracker(tracker: dict) -> list[tuple[str, list[str]]]:
    """Each user message in the stored conversation with the texts of the bot messages after it."""
    turns: list[tuple[str, list[str]]] = []
    for event in tracker["events"]:
        if event["event"] == "user":
            turns.append((event["text"], []))
        elif event["event"] == "bot" and turns:
            turns[-1][1].append(event.get("text") or "")
    return turns


@pytest.mark.parametrize("stack", ["postgres"], indirect=True)
def test_interleaved_complaints_on_two_workers_are_kept_whole_and_filed_once(stack):
    workers = RasaWorkers(stack.settings.rasa_port, stack.supervisor.service("rasa").process.pid)
    run = uuid.uuid4().hex[:8]
    senders = [f"scale-{run}-{i:02d}" for i in range(CITIZENS)]
    scripts = [[complaint(i), phone(i), "/affirm", STATUS_QUESTION] for i in range(CITIZENS)]

    def converse(index: int) -> list[Turn]:
        turns: list[Turn] = []
        for text in scripts[index]:
            worker, connection = workers.connect(avoid=turns[-1].worker if turns else None)
            try:
                turns.append(Turn(text, worker, post(connection, senders[index], text)))
            finally:
                connection.close()
        return turns

    results = all_at_once(CITIZENS, converse)
    failures = [r for r in results if isinstance(r, BaseException)]
    if failures:
        raise failures[0]

    served_by = {turn.worker for turns in results for turn in turns}
    assert len(served_by) == stack.settings.sanic_workers == 2, served_by
    for sender, script, turns in zip(senders, scripts, results, strict=True):
        hops = [turn.worker for turn in turns]
        assert all(a != b for a, b in pairwise(hops)), (sender, hops)
        for turn, expected in zip(turns, ASKED_AFTER, strict=True):
            assert APOLOGY not in turn.reply_texts, (sender, turn)
            assert expected in "\n".join(turn.reply_texts), (sender, turn)
        stored = turns_in_tracker(stack.tracker(sender))
        assert [text for text, _ in stored] == script, f"{sender}: lost or reordered messages"
        assert [bot for _, bot in stored] == [t.reply_texts for t in turns], sender

    with stack.db.session() as session:
        tickets = (
            session.execute(
                select(Ticket).where(
                    or_(
                        Ticket.sender_id.in_(senders),
                        Ticket.citizen_phone.in_([phone(i) for i in range(CITIZENS)]),
                    )
                )
            )
            .scalars()
            .all()
        )
    assert sorted(t.sender_id for t in tickets) == senders, "exactly one ticket per conversation"
    by_sender = {ticket.sender_id: ticket for ticket in tickets}
    for index, (sender, turns) in enumerate(zip(senders, results, strict=True)):
        ticket = by_sender[sender]
        assert ticket.citizen_phone == phone(index)
        assert ticket.description.startswith(complaint(index))
        confirmation, status = turns[2].reply_texts[0], turns[3].reply_texts[0]
        assert f"工单号：{ticket.number}" in confirmation
        assert ticket.number in status and "承办单位" in status
