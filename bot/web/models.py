"""Tables of the web consoles: login sessions, hand-over chat messages and suggestion feedback."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Integer, String, Text

from bot.db import Base
from bot.tickets.models import UTCDateTime

OPERATOR, CITIZEN = "operator", "citizen"
FEEDBACK_ACTIONS = ("used", "edited", "rejected")


class WebSession(Base):
    """A console login. The cookie holds a random token; only its SHA-256 is stored, so a
    database leak opens no session, and logout or deactivating the account ends it at once."""

    __tablename__ = "web_sessions"

    id = Column(String(64), primary_key=True)
    user_id = Column(
        Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    created_at = Column(UTCDateTime, nullable=False)
    expires_at = Column(UTCDateTime, nullable=False, index=True)


class HandoffMessage(Base):
    """One line said in a hand-over conversation, by the operator or by the citizen.

    The portal widget polls these while a person is talking to the citizen; the operator's
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


class SuggestionFeedback(Base):
    """What an operator did with one suggested answer: the data to tune the knowledge base."""

    __tablename__ = "suggestion_feedback"

    id = Column(Integer, primary_key=True, autoincrement=True)
    at = Column(UTCDateTime, nullable=False)
    operator = Column(String(120), nullable=False)
    question = Column(Text, nullable=False)
    policy_id = Column(String(120), nullable=False)
    clause_id = Column(String(32))
    suggestion = Column(Text, nullable=False)
    action = Column(String(16), nullable=False, index=True)
    final_text = Column(Text)
