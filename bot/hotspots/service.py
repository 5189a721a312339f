"""Handling a public-opinion topic: one function per state change, each audited in the caller's
transaction (收集、会商、研判、回应、评估, 实施细则 item 10).

    watching ─alert→ alerted ─confirm (重大/特别重大)→ confirmed ─judge→ judged
    judged/responded ─draft → review by another person → publish→ responded ─close→ closed

Nothing is published without a review by someone other than its drafter (先审查、后公开), and a
refusal carries its reason. Publishing tells every citizen who raised the matter through one of
our channels, through the notice outbox. A topic still without a response when its clock runs
out is 督办 once, and its responsible body is told.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Optional

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot import audit, notices, publishing
from bot.accounts import Principal
from bot.clock import local
from bot.hotspots.models import (
    ALERTED,
    APPROVED,
    CLOSED,
    CONFIRMED,
    DRAFT,
    JUDGED,
    PUBLISHED,
    REFUSED,
    RESPONDED,
    RESPONSE_KINDS,
    HotspotItem,
    HotspotResponse,
    HotspotTopic,
)
from bot.privacy import mask
from bot.publishing.publishers import hotspot_reference, submit_hotspot_response
from bot.text import clean
from bot.tickets.models import Ticket, as_utc

ENTITY = "hotspot"
DEPARTMENT_CHANNEL = notices.DEPARTMENT
CITIZEN_CHANNELS = ("telegram", "wechat", "portal", "web", "socketio", "rest")
MAX_TEXT = 5000


class HotspotError(ValueError):
    """A handling step refused, with the reason in Chinese."""


class HotspotForbidden(HotspotError):
    pass


class HotspotNotFound(HotspotError):
    pass


@dataclass(frozen=True)
class ItemIn:
    source: str
    external_id: str
    text: str
    received_at: datetime
    channel: Optional[str] = None
    sender_id: Optional[str] = None
    url: Optional[str] = None
    engagement: int = 0


def add_item(session: Session, item: ItemIn) -> Optional[HotspotItem]:
    """Store one message for the monitor; None when the same source sent it before."""
    text = clean(item.text, 2000)
    if not text:
        raise HotspotError("消息内容为空")
    row = HotspotItem(
        source=item.source[:40],
        external_id=item.external_id[:160],
        channel=item.channel,
        sender_id=item.sender_id,
        text=text,
        url=(item.url or None) and item.url[:500],
        engagement=max(0, int(item.engagement)),
        received_at=as_utc(item.received_at),
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        return None
    return row


def item_from_ticket(session: Session, ticket: Ticket) -> Optional[HotspotItem]:
    """Every 12345 ticket is a message the monitor sees."""
    return add_item(
        session,
        ItemIn(
            source="12345",
            external_id=ticket.number,
            text=ticket.description,
            received_at=ticket.created_at,
            channel=ticket.channel,
            sender_id=ticket.sender_id,
        ),
    )


def get_topic(session: Session, topic_id: int) -> HotspotTopic:
    topic = session.get(HotspotTopic, topic_id)
    if topic is None:
        raise HotspotNotFound(f"舆情话题 {topic_id} 不存在")
    return topic


def confirm_level(
    session: Session, topic_id: int, actor: Principal, level: str, now: Optional[datetime] = None
) -> HotspotTopic:
    """A person confirms (or corrects) the level of a 重大/特别重大 topic."""
    topic = _topic(session, topic_id, ALERTED, "确认级别")
    if level not in ("一般", "较大", "重大", "特别重大"):
        raise HotspotError("级别应为 一般、较大、重大 或 特别重大")
    previous = topic.level
    topic.level, topic.confirmed_by, topic.needs_confirmation = level, actor.username, 0
    return _moved(session, topic, CONFIRMED, actor, now, {"from": previous, "level": level})


def record_judgement(
    session: Session, topic_id: int, actor: Principal, judgement: str, now: Optional[datetime] = None
) -> HotspotTopic:
    """会商研判: the nature of the matter, how it may develop, the risks, what to do."""
    topic = get_topic(session, topic_id)
    if topic.needs_confirmation:
        raise HotspotError("重大及以上舆情须先由专人确认级别")
    if topic.status not in (ALERTED, CONFIRMED, JUDGED, RESPONDED):
        raise HotspotError("该话题当前不能记录研判")
    topic.judgement = _text(judgement, "请填写会商研判意见")
    status = topic.status if topic.status in (JUDGED, RESPONDED) else JUDGED
    return _moved(session, topic, status, actor, now, {"judgement": topic.judgement})


def draft_response(
    session: Session,
    topic_id: int,
    actor: Principal,
    kind: str,
    text: str,
    now: Optional[datetime] = None,
) -> HotspotResponse:
    """A response (or a follow-up) for review; the drafter can never review it."""
    topic = get_topic(session, topic_id)
    if topic.status not in (JUDGED, RESPONDED):
        raise HotspotError("请先记录会商研判，再起草回应")
    if kind not in RESPONSE_KINDS:
        raise HotspotError("请选择回应方式")
    now = as_utc(now)
    version = (
        session.execute(
            select(func.max(HotspotResponse.version)).where(HotspotResponse.topic_id == topic.id)
        ).scalar()
        or 0
    ) + 1
    response = HotspotResponse(
        topic_id=topic.id,
        version=version,
        kind=kind,
        text=_text(text, "请填写回应内容"),
        state=DRAFT,
        drafted_by=actor.username,
        drafted_at=now,
    )
    session.add(response)
    session.flush()
    submit_hotspot_response(session, response, topic, now)
    _audit(session, topic, "draft_response", actor, now, {"version": version, "kind": kind})
    return response


def review_response(
    session: Session,
    response_id: int,
    actor: Principal,
    *,
    approve: bool,
    checklist: Optional[list[str]] = None,
    reason: str = "",
    now: Optional[datetime] = None,
) -> HotspotResponse:
    """一事一审 through the shared review (`bot.publishing`): another person approves with the
    保密审查 checklist (the ids of `publishing.checklist_items()`), or refuses with a reason."""
    response = _response(session, response_id, DRAFT, "该回应已审查过")
    if response.drafted_by == actor.username:
        raise HotspotForbidden("起草人不能审查自己起草的回应")
    now = as_utc(now)
    item = _review_item(session, response)
    try:
        if approve:
            publishing.approve(
                session,
                item.id,
                reviewer=actor.actor,
                checklist=publishing.checklist_from_confirmations(checklist or []),
                now=now,
            )
            response.state = APPROVED
            response.checklist = json.dumps(item.checklist, ensure_ascii=False)
        else:
            publishing.refuse(session, item.id, reviewer=actor.actor, reason=reason, now=now)
            response.refusal_reason = item.refusal_reason
            response.state = REFUSED
    except publishing.PermissionDenied as error:
        raise HotspotForbidden(str(error)) from error
    except publishing.PublishingError as error:
        raise HotspotError(str(error)) from error
    response.reviewed_by, response.reviewed_at = actor.username, now
    topic = get_topic(session, response.topic_id)
    detail = {"version": response.version, "state": response.state}
    if not approve:
        detail["reason"] = response.refusal_reason
    _audit(session, topic, "review_response", actor, now, detail)
    return response


def publish_response(
    session: Session, response_id: int, actor: Principal, now: Optional[datetime] = None
) -> HotspotResponse:
    """Publish an approved response on the portal and tell every citizen who raised it."""
    response = _response(session, response_id, APPROVED, "回应须经起草人以外的人员审查通过后才能发布")
    now = as_utc(now)
    topic = get_topic(session, response.topic_id)
    publishing.publish(
        session,
        _review_item(session, response).id,
        publisher=actor.actor,
        channels=["portal"],
        now=now,
    )
    response.state, response.published_by, response.published_at = PUBLISHED, actor.username, now
    if topic.responded_at is None:
        topic.responded_at = now
    text = (
        f"您反映的“{topic.title}”，{topic.responsible or '有关部门'}已作出回应：\n"
        f"{response.text}\n详情见舟山政务公开网站“舆情回应”栏目。"
    )
    citizens = session.execute(
        select(HotspotItem.channel, HotspotItem.sender_id)
        .where(
            HotspotItem.topic_id == topic.id,
            HotspotItem.sender_id.is_not(None),
            HotspotItem.channel.in_(CITIZEN_CHANNELS),
        )
        .distinct()
    ).all()
    for channel, sender in citizens:
        notices.enqueue(
            session, f"hotspot:{topic.id}:v{response.version}:{sender}", channel, sender, text, now
        )
    _moved(session, topic, RESPONDED, actor, now, {"version": response.version, "told": len(citizens)})
    return response


def close_topic(
    session: Session, topic_id: int, actor: Principal, evaluation: str, now: Optional[datetime] = None
) -> HotspotTopic:
    """评估: how the response worked, recorded when the matter is closed."""
    topic = _topic(session, topic_id, RESPONDED, "评估关闭")
    topic.evaluation = _text(evaluation, "请填写回应效果评估")
    topic.closed_at = as_utc(now)
    return _moved(session, topic, CLOSED, actor, now, {"evaluation": topic.evaluation})


def supervise_overdue(session: Session, now: Optional[datetime] = None) -> list[HotspotTopic]:
    """督办 each alerted topic without a published response past its clock, once."""
    now = as_utc(now)
    late = session.execute(
        select(HotspotTopic)
        .where(
            HotspotTopic.alert_at.is_not(None),
            HotspotTopic.respond_by < now,
            HotspotTopic.responded_at.is_(None),
            HotspotTopic.supervised_at.is_(None),
            HotspotTopic.status != CLOSED,
        )
        .order_by(HotspotTopic.id)
    ).scalars().all()
    for topic in late:
        topic.supervised_at = now
        message = (
            f"【舆情督办】“{topic.title}”（{topic.level or '一般'}）超过回应时限"
            f"（{local(topic.respond_by):%Y-%m-%d %H:%M}）仍未回应，请立即发布回应。"
        )
        if topic.responsible_id:
            notices.enqueue(
                session, f"hotspot:{topic.id}:supervised", DEPARTMENT_CHANNEL, topic.responsible_id,
                message, now,
            )
        audit.record(
            session, actor="system:monitor", action="supervise", entity_type=ENTITY,
            entity_id=str(topic.id), detail={"respond_by": topic.respond_by.isoformat()}, at=now,
        )
    return list(late)


def published_responses(session: Session, limit: int = 100) -> list[tuple[HotspotResponse, HotspotTopic]]:
    rows = session.execute(
        select(HotspotResponse, HotspotTopic)
        .join(HotspotTopic, HotspotTopic.id == HotspotResponse.topic_id)
        .where(HotspotResponse.state == PUBLISHED)
        .order_by(HotspotResponse.published_at.desc())
        .limit(limit)
    )
    return [(response, topic) for response, topic in rows]


def masked_members(session: Session, topic_id: int, limit: int = 200) -> list[HotspotItem]:
    """The topic's messages, newest first, with personal data masked for display."""
    rows = session.execute(
        select(HotspotItem)
        .where(HotspotItem.topic_id == topic_id)
        .order_by(HotspotItem.received_at.desc())
        .limit(limit)
    ).scalars().all()
    for row in rows:
        session.expunge(row)
        row.text = mask(row.text)
    return list(rows)


def _review_item(session: Session, response: HotspotResponse) -> publishing.ReviewItem:
    """The shared review item of a response: the latest submitted for its topic."""
    item = publishing.latest_item(session, "hotspot_response", hotspot_reference(response.topic_id))
    if item is None:
        raise HotspotError("该回应没有送审记录")
    return item


def _topic(session: Session, topic_id: int, state: str, step: str) -> HotspotTopic:
    topic = get_topic(session, topic_id)
    if topic.status != state:
        raise HotspotError(f"该话题当前状态不能{step}")
    return topic


def _response(session: Session, response_id: int, state: str, refusal: str) -> HotspotResponse:
    response = session.get(HotspotResponse, response_id)
    if response is None:
        raise HotspotNotFound(f"回应 {response_id} 不存在")
    if response.state != state:
        raise HotspotError(refusal)
    return response


def _moved(
    session: Session,
    topic: HotspotTopic,
    status: str,
    actor: Principal,
    now: Optional[datetime],
    detail: dict,
) -> HotspotTopic:
    now = as_utc(now)
    previous, topic.status, topic.updated_at = topic.status, status, now
    _audit(session, topic, status, actor, now, {"from": previous, **detail})
    return topic


def _audit(
    session: Session, topic: HotspotTopic, action: str, actor: Principal, now: datetime, detail: dict
) -> None:
    audit.record(
        session, actor=actor.actor, action=action, entity_type=ENTITY, entity_id=str(topic.id),
        detail=detail, at=now,
    )


def _text(value: Optional[str], message: str) -> str:
    text = clean(value or "", MAX_TEXT)
    if not text:
        raise HotspotError(message)
    return text
