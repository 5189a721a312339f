"""Tables of the public-opinion monitor: what came in, the topics it formed, and the responses.

An item is one message the monitor saw (a ticket, a citizen's chat line, an imported post), with
the channel and sender it came from when it came from one of our citizens, so that they can be
told what became of it. A topic is a matter many people raised; its members are the items that
point to it. A response is one publication about a topic, drafted, reviewed by another person,
then published; follow-ups are further versions of the same record.
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Text, UniqueConstraint

from bot.db import Base, utcnow
from bot.tickets.models import UTCDateTime

WATCHING, ALERTED, CONFIRMED, JUDGED, RESPONDED, CLOSED = (
    "watching",
    "alerted",
    "confirmed",
    "judged",
    "responded",
    "closed",
)
STATUS_NAMES = {
    WATCHING: "关注中",
    ALERTED: "已预警",
    CONFIRMED: "已确认级别",
    JUDGED: "已会商研判",
    RESPONDED: "已回应",
    CLOSED: "已评估关闭",
}
DRAFT, APPROVED, REFUSED, PUBLISHED = "draft", "approved", "refused", "published"

RESPONSE_KINDS = {
    "adopt_suggestions": "吸收采纳建设性意见建议并公开",
    "publish_solution": "公布研究解决实际困难的情况",
    "publish_investigation": "及时发布调查处置情况",
    "authoritative_information": "主动发布权威信息，解疑释惑、澄清事实",
    "correct_views": "发布信息引导和纠正错误看法",
    "rebut_false_information": "回应不实信息，并将违法线索移交公安、网信部门",
}
"""实施细则 item 10: the ways of responding to a matter."""


class HotspotItem(Base):
    __tablename__ = "hotspot_items"

    id = Column(Integer, primary_key=True, autoincrement=True)
    source = Column(String(40), nullable=False)
    external_id = Column(String(160), nullable=False)
    channel = Column(String(32))
    sender_id = Column(String(128))
    text = Column(Text, nullable=False)
    url = Column(String(500))
    engagement = Column(Integer, nullable=False, default=0)
    received_at = Column(UTCDateTime, nullable=False)
    topic_id = Column(Integer, ForeignKey("hotspot_topics.id"))

    __table_args__ = (
        UniqueConstraint("source", "external_id", name="uq_hotspot_items_source"),
        Index("ix_hotspot_items_topic", "topic_id"),
        Index("ix_hotspot_items_received", "received_at"),
    )


class HotspotTopic(Base):
    __tablename__ = "hotspot_topics"

    id = Column(Integer, primary_key=True, autoincrement=True)
    title = Column(String(200), nullable=False)
    status = Column(String(16), nullable=False, default=WATCHING)
    kind = Column(String(32))
    kind_name = Column(String(40))
    level = Column(String(8))
    needs_confirmation = Column(Integer, nullable=False, default=0)
    confirmed_by = Column(String(64))
    district = Column(String(32))
    district_name = Column(String(40))
    responsible_id = Column(String(80))
    responsible = Column(String(120))
    co_responsible = Column(Text)
    first_seen = Column(UTCDateTime, nullable=False)
    last_seen = Column(UTCDateTime, nullable=False)
    alert_at = Column(UTCDateTime)
    respond_by = Column(UTCDateTime)
    press_conference_by = Column(UTCDateTime)
    messages = Column(Integer, nullable=False, default=0)
    citizens = Column(Integer, nullable=False, default=0)
    heat = Column(Text)
    judgement = Column(Text)
    evaluation = Column(Text)
    supervised_at = Column(UTCDateTime)
    responded_at = Column(UTCDateTime)
    closed_at = Column(UTCDateTime)
    updated_at = Column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (
        Index("ix_hotspot_topics_status", "status", "last_seen"),
        Index("ix_hotspot_topics_respond_by", "respond_by"),
        Index("ix_hotspot_topics_alert_at", "alert_at"),
    )


class HotspotResponse(Base):
    __tablename__ = "hotspot_responses"

    id = Column(Integer, primary_key=True, autoincrement=True)
    topic_id = Column(Integer, ForeignKey("hotspot_topics.id"), nullable=False)
    version = Column(Integer, nullable=False)
    kind = Column(String(40), nullable=False)
    text = Column(Text, nullable=False)
    state = Column(String(16), nullable=False, default=DRAFT)
    drafted_by = Column(String(64), nullable=False)
    drafted_at = Column(UTCDateTime, nullable=False)
    reviewed_by = Column(String(64))
    reviewed_at = Column(UTCDateTime)
    checklist = Column(Text)
    refusal_reason = Column(Text)
    published_by = Column(String(64))
    published_at = Column(UTCDateTime)

    __table_args__ = (
        UniqueConstraint("topic_id", "version", name="uq_hotspot_responses_version"),
    )


class HotspotCursor(Base):
    """How far the monitor has read a source of events (Rasa's SQL event broker table)."""

    __tablename__ = "hotspot_cursors"

    name = Column(String(40), primary_key=True)
    position = Column(Integer, nullable=False, default=0)
