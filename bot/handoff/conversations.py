"""Hand-over conversations once a 12345 operator takes them: claim, talk, hand back.

`bot.handoff.queue` queues a citizen who asked for a person. Here an operator claims the request, the
two exchange messages (stored in `handoff_messages`, which the portal widget polls), and closing
the conversation hands the citizen back to the assistant. Every step is audited. Channels that
can push a message themselves (Telegram) register a delivery function on
`app.ctx.handoff_delivery` under their sender-id prefix; see `delivery_channel`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import audit
from bot.accounts import Principal
from bot.db import utcnow
from bot.handoff.models import (
    ACTIVE,
    CITIZEN,
    CLOSED,
    OPERATOR,
    WAITING,
    Handoff,
    HandoffMessage,
)
from bot.handoff.queue import open_handoff
from bot.text import has_content
from bot.tickets.models import assume_utc
from bot.web.topics import intent_label

MAX_MESSAGE = 1000
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")
STATUS_LABELS = {WAITING: "排队中", ACTIVE: "人工服务中", CLOSED: "已结束"}


class ConversationError(ValueError):
    """A refused step, with the HTTP status to answer and a Chinese message."""

    def __init__(self, message: str, status: int = 409) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Entry:
    """One line of a transcript, from the assistant's tracker or from the hand-over."""

    author: str
    text: str
    at: datetime
    id: Optional[int] = None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "author": self.author, "text": self.text, "at": self.at.isoformat()}


def open_requests(session: Session) -> list[Handoff]:
    """Waiting and active hand-overs, oldest first: the operators' queue."""
    return list(
        session.execute(
            select(Handoff).where(Handoff.status.in_((WAITING, ACTIVE))).order_by(Handoff.id)
        ).scalars()
    )


def get(session: Session, handoff_id: int) -> Handoff:
    handoff = session.get(Handoff, handoff_id)
    if handoff is None:
        raise ConversationError(f"没有找到转人工请求 {handoff_id}", 404)
    return handoff


def claim(session: Session, handoff_id: int, operator: Principal) -> Handoff:
    """Take a waiting request; claiming one's own again is harmless, another's is refused."""
    handoff = get(session, handoff_id)
    if handoff.status == ACTIVE and handoff.claimed_by == operator.actor:
        return handoff
    if handoff.status != WAITING:
        who = f"（{handoff.claimed_by}）" if handoff.claimed_by else ""
        raise ConversationError(f"该请求已被接入或已结束{who}")
    handoff.status = ACTIVE
    handoff.claimed_by = operator.actor
    handoff.claimed_at = utcnow()
    _audit(session, handoff, operator, "handoff.claimed")
    return handoff


def close(session: Session, handoff_id: int, operator: Principal) -> Handoff:
    """End the conversation: the citizen is back with the assistant."""
    handoff = _held_by(session, handoff_id, operator)
    handoff.status = CLOSED
    handoff.closed_at = utcnow()
    _audit(session, handoff, operator, "handoff.closed")
    return handoff


def operator_says(
    session: Session, handoff_id: int, operator: Principal, text: str
) -> tuple[Handoff, HandoffMessage]:
    handoff = _held_by(session, handoff_id, operator)
    message = _add(session, handoff, OPERATOR, text, operator.actor)
    return handoff, message


def citizen_says(session: Session, sender_id: str, text: str) -> HandoffMessage:
    """A citizen's line while a person is (or will be) talking to them."""
    handoff = open_handoff(session, sender_id)
    if handoff is None:
        raise ConversationError("人工客服已结束对话，您可以继续向智能助手提问")
    return _add(session, handoff, CITIZEN, text)


def messages(session: Session, handoff_id: int, after: int = 0) -> list[Entry]:
    rows = session.execute(
        select(HandoffMessage)
        .where(HandoffMessage.handoff_id == handoff_id, HandoffMessage.id > after)
        .order_by(HandoffMessage.id)
    ).scalars()
    return [Entry(row.author, row.text, assume_utc(row.at), row.id) for row in rows]


def citizen_view(session: Session, sender_id: str, after: int = 0) -> dict[str, Any]:
    """What the portal widget polls: the latest hand-over's status and the operator's new lines."""
    handoff = session.execute(
        select(Handoff).where(Handoff.sender_id == sender_id).order_by(Handoff.id.desc())
    ).scalars().first()
    if handoff is None:
        return {"status": "none", "messages": []}
    lines = [m for m in messages(session, handoff.id, after) if m.author == OPERATOR]
    return {"status": handoff.status, "messages": [m.to_dict() for m in lines]}


def tracker_entries(tracker: dict[str, Any]) -> list[Entry]:
    """The citizen's and the assistant's lines from a Rasa tracker, as people read them: a
    button click shows the button's title (or what the click meant), never its payload."""
    entries = []
    buttons: dict[str, str] = {}
    for event in tracker.get("events") or ():
        kind, text = event.get("event"), (event.get("text") or "").strip()
        if kind == "bot":
            buttons = {
                str(b.get("payload")): str(b.get("title"))
                for b in (event.get("data") or {}).get("buttons") or ()
                if b.get("payload") and b.get("title")
            }
        if kind not in ("user", "bot") or not text:
            continue
        at = datetime.fromtimestamp(float(event.get("timestamp") or 0), tz=timezone.utc)
        if kind == "user" and (text.startswith("/") or text in buttons):
            text = f"（点击了按钮：{_button_title(text, buttons, event)}）"
        entries.append(Entry(CITIZEN if kind == "user" else "assistant", text, at))
    return entries


def _button_title(payload: str, buttons: dict[str, str], event: dict[str, Any]) -> str:
    if payload in buttons:
        return buttons[payload]
    intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
    return intent_label(intent or payload.lstrip("/").split("{", 1)[0])


def delivery_channel(handoff: Handoff) -> str:
    """`telegram:<chat_id>` → telegram; otherwise the channel the request came from."""
    prefix, separator, _ = handoff.sender_id.partition(":")
    return prefix if separator else handoff.channel


def as_typed(text: object) -> str:
    """A chat line kept as the person wrote it (markup included, shown as text everywhere),
    without control characters and at most `MAX_MESSAGE` characters."""
    value = unicodedata.normalize("NFC", str(text or ""))[: MAX_MESSAGE * 2]
    return _CONTROL.sub("", value).strip()[:MAX_MESSAGE]


def _held_by(session: Session, handoff_id: int, operator: Principal) -> Handoff:
    handoff = get(session, handoff_id)
    if handoff.status != ACTIVE:
        raise ConversationError("该对话不在人工服务中（请先接入）")
    if handoff.claimed_by != operator.actor and operator.role != "admin":
        raise ConversationError(f"该对话由 {handoff.claimed_by} 接待", 403)
    return handoff


def _add(
    session: Session, handoff: Handoff, author: str, text: str, operator: Optional[str] = None
) -> HandoffMessage:
    text = as_typed(text)
    if not has_content(text):
        raise ConversationError("消息不能为空", 400)
    message = HandoffMessage(
        handoff_id=handoff.id,
        sender_id=handoff.sender_id,
        author=author,
        operator=operator,
        text=text,
        at=utcnow(),
    )
    session.add(message)
    session.flush()
    return message


def _audit(session: Session, handoff: Handoff, operator: Principal, action: str) -> None:
    audit.record(
        session,
        actor=operator.actor,
        action=action,
        entity_type="handoff",
        entity_id=str(handoff.id),
        detail={"sender_id": handoff.sender_id, "channel": handoff.channel},
    )
