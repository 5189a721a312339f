"""Retention: a conversation keeps raw phone and ID numbers for `days`, then they are masked in
Rasa's tracker store (SQLite or PostgreSQL) and in hand-over lines; the conversation goes on."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from bot.config import PROJECT_ROOT
from bot.handoff import HandoffMessage, request_handoff
from bot.handoff.conversations import citizen_says
from bot.retention import retain

PHONE, ID_CARD, NAME = "13955554444", "330902198001011236", "李建华"


def talk(stack) -> str:
    citizen = f"retain{uuid.uuid4().hex[:16]}"
    stack.say(citizen, f"我叫{NAME}，身份证{ID_CARD}，解放路的路灯坏了一个多月，晚上黑漆漆的")
    stack.say(citizen, PHONE)
    with stack.db.session() as session:
        request_handoff(session, sender_id=citizen, channel="rest")
        citizen_says(session, citizen, f"我的电话是{PHONE}")
    return citizen


def kept(stack, citizen: str) -> str:
    """Everything stored about the conversation: its tracker and its hand-over lines."""
    with stack.db.session() as session:
        lines = session.execute(
            select(HandoffMessage.text).where(HandoffMessage.sender_id == citizen)
        ).scalars()
        return json.dumps(stack.tracker(citizen), ensure_ascii=False) + "".join(lines)


def test_numbers_are_kept_for_the_retention_period_then_masked(stack):
    citizen = talk(stack)
    now = datetime.now(timezone.utc)
    report = retain(stack.settings, days=30, now=now, senders=[citizen])
    assert report.events_masked == 0 and report.handoff_lines_masked == 0
    assert PHONE in kept(stack, citizen) and ID_CARD in kept(stack, citizen)

    report = retain(stack.settings, days=30, now=now + timedelta(days=31), senders=[citizen])
    assert report.events_masked > 0 and report.handoff_lines_masked == 1
    stored = kept(stack, citizen)
    for secret in (PHONE, ID_CARD, NAME):
        assert secret not in stored
    assert "139****4444" in stored and "路灯" in stored
    assert stack.say(citizen, "你好")
    again = retain(stack.settings, days=30, now=now + timedelta(days=31), senders=[citizen])
    assert again.events_masked == 0


def test_the_command_masks_one_conversation_on_request(stack):
    citizen = talk(stack)
    env = {**os.environ, **stack.settings.to_env(), "PYTHONPATH": str(PROJECT_ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "privacy", "retain", "--days", "0", "--sender", citizen],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=PROJECT_ROOT,
    )
    assert result.returncode == 0, result.stderr
    assert "遮盖" in result.stdout
    assert PHONE not in kept(stack, citizen) and ID_CARD not in kept(stack, citizen)
