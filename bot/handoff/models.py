"""The hand-over tables: requests for a person, and the lines said while one talks to a citizen."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, ForeignKey, Integer, String, Text

from bot.db import Base, utcnow
from bot.tickets.models import UTCDateTime

WAITING, ACTIVE, CLOSED = "waiting", "active", "closed"
OPERATOR, CITIZEN = "operator", "citizen"


class Handoff(Base):
    __tablename__ = "handoffs"

    id = Column(Integer, primary_key=True, autoincrement=True)
    sender_id = Column(String(128), nullable=False, index=True)
    channel = Column(String(32), nullable=False, default="rest")
    status = Column(String(16), nullable=False, default=WAITING, index=True)
    last_message = Column(Text, nullable=False, default="")
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    claimed_by = Column(String(120))
    claimed_at = Column(DateTime(timezone=True))
    closed_at = Column(DateTime(timezone=True))


class HandoffMessage(Base):
    """One line said in a hand-over conversation, by the operator or by the citizen.

    The portal's chat stream pushes these while a person is talking to the citizen; the operator's
    transcript merges them with the assistant's part from Rasa's tracker.
    """

    __tablename__ = "handoff_messages"

    id = Column(Integer, primary_key=True, autoincrement=True)
    handoff_id = Column(
        Integer, ForeignKey("handoffs.id", ondelete="CASCADE"), nullable=False, index=True
    )
    sender_id = Column(String(128), nullable=False, index=True)
    author = Column(String(16), nullable=False)
    operator = Column(String(120))
    text = Column(Text, nullable=False)
    at = Column(UTCDateTime, nullable=False)
