"""Tables of the public consultation (征求意见): drafts and their clauses, opinions, opinion groups
with staff decisions, adoption summaries, and the publication register (citizens are told through `bot.notices`).

What staff decided and what the public sees are kept apart (Decidim's answers): a group's
`outcome`/`reason` are the internal decision, `published_outcome`/`published_reason` are copied
from them only when a reviewed summary is published. A published summary and its register entry
are frozen: the flush guards at the bottom refuse any change, so a correction can only be a new
version.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Optional

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import relationship
from sqlalchemy.orm.attributes import get_history

from bot.db import Base, utcnow

DRAFT_STATUSES = {
    "draft": "未发布",
    "open": "征求意见中",
    "closed": "征求意见已结束",
    "summarised": "已公布采纳情况",
}
UPCOMING = "upcoming"
PHASE_LABELS = {**DRAFT_STATUSES, UPCOMING: "尚未开始征求意见"}

SUMMARY_DRAFTED, SUMMARY_RETURNED, SUMMARY_APPROVED = "drafted", "returned", "approved"
SUMMARY_PUBLISHED, SUMMARY_SUPERSEDED = "published", "superseded"


@dataclass(frozen=True)
class Outcome:
    """One kind of answer to an opinion; everything but full adoption must give its reason."""

    code: str
    label: str
    needs_reason: bool


OUTCOMES = {
    outcome.code: outcome
    for outcome in (
        Outcome("adopted", "采纳", needs_reason=False),
        Outcome("partially_adopted", "部分采纳", needs_reason=True),
        Outcome("not_adopted", "不予采纳", needs_reason=True),
        Outcome("not_applicable", "已有规定/不属于本次范围", needs_reason=True),
    )
}


class Draft(Base):
    """A draft decision put out for comment (征求意见稿)."""

    __tablename__ = "consultation_drafts"

    id = Column(Integer, primary_key=True, autoincrement=True)
    slug = Column(String(64), nullable=False, unique=True)
    title = Column(String(200), nullable=False)
    department = Column(String(120), nullable=False)
    summary = Column(Text, nullable=False, default="")
    preamble = Column(Text, nullable=False, default="")
    contact = Column(String(200), nullable=False, default="")
    opens_on = Column(Date, nullable=False)
    closes_on = Column(Date, nullable=False)
    short_window_reason = Column(Text)
    status = Column(String(16), nullable=False, default="draft", index=True)
    sample = Column(Boolean, nullable=False, default=False)
    source = Column(String(200), nullable=False, default="")
    source_hash = Column(String(64), nullable=False, default="")
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    updated_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)

    clauses = relationship(
        "Clause",
        order_by="Clause.position",
        cascade="all, delete-orphan",
        back_populates="draft",
    )

    def phase(self, today: date) -> str:
        """The status as the public sees it on `today`: an open draft outside its window reads
        as upcoming or closed without anyone having to flip a flag."""
        if self.status == "open":
            if today < self.opens_on:
                return UPCOMING
            if today > self.closes_on:
                return "closed"
        return self.status

    def accepting(self, today: date) -> bool:
        return self.phase(today) == "open"

    @property
    def is_public(self) -> bool:
        return self.status != "draft"

    @property
    def display_title(self) -> str:
        return self.title if not self.sample or "示例" in self.title else f"{self.title}（示例）"

    @property
    def window_text(self) -> str:
        return f"{self.opens_on:%Y年%m月%d日}至{self.closes_on:%Y年%m月%d日}"


class Clause(Base):
    """One part of a draft that citizens can comment on: an article (第三条) or a numbered item."""

    __tablename__ = "consultation_clauses"
    __table_args__ = (UniqueConstraint("draft_id", "label"),)

    id = Column(Integer, primary_key=True, autoincrement=True)
    draft_id = Column(
        Integer,
        ForeignKey("consultation_drafts.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    )
    position = Column(Integer, nullable=False)
    label = Column(String(60), nullable=False)
    number = Column(Integer)
    title = Column(String(200), nullable=False, default="")
    heading = Column(String(200), nullable=False, default="")
    text = Column(Text, nullable=False, default="")

    draft = relationship("Draft", back_populates="clauses")

    @property
    def display(self) -> str:
        return f"{self.label} {self.title}".strip() if self.title else self.label


class OpinionGroup(Base):
    """Opinions that say the same thing about one clause, decided together.

    `representative_id` names the most typical member; it is not a foreign key because opinions
    point at their group and opinions are never deleted.
    """

    __tablename__ = "consultation_groups"

    id = Column(Integer, primary_key=True, autoincrement=True)
    draft_id = Column(
        Integer,
        ForeignKey("consultation_drafts.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    )
    clause_id = Column(Integer, ForeignKey("consultation_clauses.id"), index=True)
    representative_id = Column(Integer)
    size = Column(Integer, nullable=False, default=0)
    keywords = Column(String(200), nullable=False, default="")
    outcome = Column(String(24))
    reason = Column(Text)
    decided_by = Column(String(120))
    decided_at = Column(DateTime(timezone=True))
    published_outcome = Column(String(24))
    published_reason = Column(Text)
    published_at = Column(DateTime(timezone=True))
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class Opinion(Base):
    """One citizen's opinion. Name, phone and sender id are personal data: never published."""

    __tablename__ = "consultation_opinions"

    id = Column(Integer, primary_key=True, autoincrement=True)
    receipt_no = Column(String(24), nullable=False, unique=True)
    draft_id = Column(
        Integer,
        ForeignKey("consultation_drafts.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    )
    clause_id = Column(Integer, ForeignKey("consultation_clauses.id"), index=True)
    group_id = Column(Integer, ForeignKey("consultation_groups.id"), index=True)
    text = Column(Text, nullable=False)
    terms = Column(Text, nullable=False, default="")
    named = Column(Boolean, nullable=False, default=False)
    name = Column(String(60))
    phone = Column(String(32))
    contact_ok = Column(Boolean, nullable=False, default=False)
    channel = Column(String(32), nullable=False, default="web")
    sender_id = Column(String(128), nullable=False, default="", index=True)
    idempotency_key = Column(String(128), unique=True)
    submitted_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class Summary(Base):
    """One version of the adoption summary (采纳情况): drafted, reviewed, then published."""

    __tablename__ = "consultation_summaries"
    __table_args__ = (UniqueConstraint("draft_id", "version"),)

    id = Column(Integer, primary_key=True, autoincrement=True)
    draft_id = Column(
        Integer,
        ForeignKey("consultation_drafts.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    )
    version = Column(Integer, nullable=False)
    state = Column(String(16), nullable=False, default=SUMMARY_DRAFTED, index=True)
    content = Column(JSON, nullable=False)
    content_hash = Column(String(64), nullable=False)
    drafted_by = Column(String(120), nullable=False)
    drafted_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    reviewed_by = Column(String(120))
    reviewed_at = Column(DateTime(timezone=True))
    review_note = Column(Text)
    published_by = Column(String(120))
    published_at = Column(DateTime(timezone=True))
    superseded_at = Column(DateTime(timezone=True))


class FrozenRecordError(RuntimeError):
    """Raised at flush time when code tries to change something already published."""


_FROZEN_SUMMARY_FIELDS = ("draft_id", "version", "content", "content_hash", "published_at")


@event.listens_for(Summary, "before_update")
def _published_summaries_are_frozen(_mapper, _connection, target: Summary) -> None:
    was_published: Optional[datetime] = next(
        iter(get_history(target, "published_at").unchanged), None
    )
    if was_published is None:
        was_published = next(iter(get_history(target, "published_at").deleted), None)
    if was_published is None:
        return
    if any(get_history(target, name).has_changes() for name in _FROZEN_SUMMARY_FIELDS):
        raise FrozenRecordError(f"已发布的采纳情况第{target.version}版不可修改，只能发布新版本")
