"""Tables of the web consoles: login sessions and suggestion feedback."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Integer, String, Text

from bot.db import Base
from bot.tickets.models import UTCDateTime

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
