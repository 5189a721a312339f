"""Items waiting for review (先审查、后公开) and the append-only publication register (信息发布登记).

A `ReviewItem` is one thing submitted for publication: drafted by one person, reviewed by exactly
one other person (一事一审), then published. Publishing appends a `RegisterRecord`; the register is
never updated or deleted (guards below): a correction is a new record with the next version.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
)

from bot.db import Base
from bot.tickets.models import UTCDateTime

SUBMITTED, APPROVED, REFUSED, PUBLISHED, WITHDRAWN = (
    "submitted",
    "approved",
    "refused",
    "published",
    "withdrawn",
)
STATE_NAMES = {
    SUBMITTED: "待审查",
    APPROVED: "审查通过，待发布",
    REFUSED: "审查未通过",
    PUBLISHED: "已发布",
    WITHDRAWN: "已被新送审稿取代",
}
KINDS = {
    "consultation_summary": "征求意见采纳情况",
    "policy": "政策文件",
    "policy_interpretation": "政策解读",
    "disclosure_reply": "依申请公开答复",
    "hotspot_response": "舆情回应",
    "scorecard": "政务公开考核指标（月度）",
}
CHANNELS = ("web", "portal", "wechat", "telegram", "weibo", "press")


class ReviewItem(Base):
    """One submission for publication and its single review."""

    __tablename__ = "publication_items"

    id = Column(Integer, primary_key=True, autoincrement=True)
    kind = Column(String(32), nullable=False)
    reference = Column(String(120), nullable=False)
    title = Column(String(200), nullable=False)
    unit = Column(String(64), nullable=False)
    content = Column(Text, nullable=False)
    content_hash = Column(String(64), nullable=False)
    state = Column(String(16), nullable=False)
    drafter = Column(String(120), nullable=False)
    submitted_at = Column(UTCDateTime, nullable=False)
    reviewer = Column(String(120))
    reviewed_at = Column(UTCDateTime)
    checklist = Column(JSON)
    refusal_reason = Column(Text)
    record_id = Column(Integer, ForeignKey("publication_register.id"))

    __table_args__ = (Index("ix_publication_items_subject", "kind", "reference", "state"),)


class RegisterRecord(Base):
    """信息发布登记: what was published (content and its SHA-256), by which unit, reviewed by whom,
    published by whom, when, on which channels, and which version of the subject it is."""

    __tablename__ = "publication_register"

    id = Column(Integer, primary_key=True, autoincrement=True)
    number = Column(String(24), nullable=False, unique=True)
    kind = Column(String(32), nullable=False)
    reference = Column(String(120), nullable=False)
    version = Column(Integer, nullable=False)
    title = Column(String(200), nullable=False)
    unit = Column(String(64), nullable=False)
    content = Column(Text, nullable=False)
    content_hash = Column(String(64), nullable=False)
    drafter = Column(String(120), nullable=False)
    reviewer = Column(String(120), nullable=False)
    checklist = Column(JSON, nullable=False)
    publisher = Column(String(120), nullable=False)
    published_at = Column(UTCDateTime, nullable=False)
    channels = Column(JSON, nullable=False)

    __table_args__ = (
        UniqueConstraint("kind", "reference", "version", name="uq_publication_register_version"),
        Index("ix_publication_register_published_at", "published_at"),
    )


class RegisterIsAppendOnly(RuntimeError):
    """Raised at flush time when code tries to change or delete a register record."""


@event.listens_for(RegisterRecord, "before_update")
def _no_update(_mapper, _connection, target: RegisterRecord) -> None:
    raise RegisterIsAppendOnly(f"登记记录 {target.number} 不可修改：更正请发布新版本")


@event.listens_for(RegisterRecord, "before_delete")
def _no_delete(_mapper, _connection, target: RegisterRecord) -> None:
    raise RegisterIsAppendOnly(f"登记记录 {target.number} 不可删除")
