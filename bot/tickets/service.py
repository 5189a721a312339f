"""The 12345 ticket lifecycle: 受理, 派单, 签收/退单, 延期, 办结, 回访, 归档, 督办.

Each state change is one function (a Decidim command): it loads the ticket, checks that the actor
may do this to this ticket in its current status (`TRANSITIONS`), stores the change and writes an
audit row in the caller's transaction, then returns the ticket, or raises a `TicketError` whose
message can be shown to the person who tried. Departments act only on tickets their body leads;
to them another body's ticket does not exist.
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Iterable, Optional, Sequence

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot import audit, calendar, lifecycle, notices
from bot.accounts import Principal
from bot.lifecycle import Transition
from bot.numbering import allocate
from bot.privacy import normalise_phone
from bot.text import clean, has_content
from bot.tickets.catalogue import Catalogue
from bot.tickets.models import (
    ARCHIVED,
    DISPATCHED,
    EXTENSION_APPROVED,
    EXTENSION_REFUSED,
    EXTENSION_REQUESTED,
    IN_DEPARTMENT_STATUSES,
    OPEN_STATUSES,
    RECEIVED,
    REPLIED,
    RETURNED,
    SATISFACTION,
    SIGNED,
    STATES,
    TICKET_TYPES,
    VISITED,
    Ticket,
    as_utc,
)

if TYPE_CHECKING:
    from bot.tickets.routing import RoutingResult

ENTITY = "ticket"
TICKET_PREFIX = "ZS"
ANONYMOUS_TYPES = ("举报",)
SYSTEM_ROUTER = "system:router"
SYSTEM_MONITOR = "system:monitor"
MAX_TEXT = 2000
MAX_EXTENSION_DAYS = 30
MAX_PAGE_SIZE = 100


class TicketError(ValueError):
    """A refused ticket operation; the message is Chinese and safe to show to the actor."""


class TicketNotFound(TicketError):
    pass


class TicketForbidden(TicketError):
    pass


class TicketInvalid(TicketError):
    """The request itself is wrong (a missing reason, a bad phone number)."""


class TicketConflict(TicketError):
    """The ticket is not in a status that allows the operation."""


# Who takes a step (`by`): "department" (accounts of the lead body), "operator" (12345 operators and admins),
# "system" (the deadline monitor) or "citizen" (whoever filed the ticket, proven by `lookup`'s rules).
TRANSITIONS: dict[str, Transition] = {
    "dispatch": Transition("派单", (RECEIVED,), DISPATCHED, "operator"),
    "reroute": Transition("改派", (RETURNED, DISPATCHED), DISPATCHED, "operator"),
    "sign": Transition("签收", (DISPATCHED,), SIGNED, "department"),
    "return": Transition("退单", (DISPATCHED,), RETURNED, "department"),
    "request_extension": Transition("申请延期", (SIGNED,), None, "department"),
    "approve_extension": Transition("批准延期", (SIGNED,), None, "operator"),
    "refuse_extension": Transition("驳回延期", (SIGNED,), None, "operator"),
    "reply": Transition("办结", (SIGNED,), REPLIED, "department"),
    "visit": Transition("回访", (REPLIED,), VISITED, "operator"),
    "reopen": Transition("重办", (REPLIED,), DISPATCHED, "operator"),
    "rate": Transition("市民评价", (REPLIED,), VISITED, "citizen"),
    "rate_reopen": Transition("市民不满意重办", (REPLIED,), DISPATCHED, "citizen"),
    "archive": Transition("归档", (REPLIED, VISITED), ARCHIVED, "operator"),
    "supervise": Transition("督办", IN_DEPARTMENT_STATUSES, None, "system"),
}
LIFECYCLE = lifecycle.Lifecycle(ENTITY, "工单", TRANSITIONS, TicketConflict)
_check_status = LIFECYCLE.check
_apply = LIFECYCLE.apply
_record = LIFECYCLE.record


@dataclass(frozen=True)
class TicketStatus:
    """What a citizen may see of a ticket."""

    number: str
    status: str
    department: Optional[str]
    due_at: Optional[datetime]
    reply: Optional[str]
    satisfaction: Optional[str] = None
    awaiting_rating: bool = False
    """Answered (办结) and not yet rated: the citizen is asked 满意/基本满意/不满意."""


@dataclass(frozen=True)
class Page:
    items: list[Ticket]
    total: int
    page: int
    limit: int


def create_ticket(
    session: Session,
    routing: RoutingResult,
    *,
    description: str,
    phone: Optional[str] = None,
    name: Optional[str] = None,
    anonymous: bool = False,
    channel: str = "rest",
    sender_id: Optional[str] = None,
    idempotency_key: Optional[str] = None,
    actor: Optional[Principal] = None,
    now: Optional[datetime] = None,
) -> Ticket:
    """受理 a citizen's matter and, when routing found a department, 派单 it at once.

    The time limit is the one the router gave (the citizen was shown it, see `intake`), or when
    the routing has none, computed by `bot.calendar` from 受理 (`now`). Only a 举报 may be
    anonymous. Certain emergencies (110/119/120/122; an uncertain one keeps its ticket) and
    matters 12345 does not take are refused with the router's message for the citizen. A
    submission retried with the same `idempotency_key` returns the ticket already created.
    `actor` is the operator who took a call; None means the citizen wrote in through `channel`.
    """
    now = as_utc(now)
    if idempotency_key is not None:
        existing = _by_idempotency_key(session, idempotency_key)
        if existing is not None:
            return existing
    if routing.excluded or (routing.emergency and routing.emergency_certain):
        message = routing.emergency_message or routing.excluded_message
        raise TicketInvalid(message or "该事项不属于12345热线受理范围")
    text = clean(description, MAX_TEXT)
    if not has_content(text):
        raise TicketInvalid("请描述您要反映的问题")
    if routing.type not in TICKET_TYPES:
        raise TicketInvalid(f"工单类型必须是 {'、'.join(TICKET_TYPES)} 之一")
    phone = checked_contact(routing.type, phone, anonymous)
    ticket = Ticket(
        number=allocate(session, TICKET_PREFIX, now),
        created_at=now,
        channel=channel,
        sender_id=sender_id,
        idempotency_key=idempotency_key,
        type=routing.type,
        category=routing.category,
        category_name=routing.category_name,
        urgent=bool(routing.urgent),
        description=text,
        location=routing.location,
        jurisdiction=routing.jurisdiction,
        citizen_phone=phone,
        citizen_name=None if anonymous else (clean(name, 64) or None),
        anonymous=anonymous,
        status=RECEIVED,
        co_department_ids=[],
        due_at=routing.due_at or calendar.due_at(now, routing.type, bool(routing.urgent)),
    )
    try:
        with session.begin_nested():
            session.add(ticket)
    except IntegrityError:
        existing = _by_idempotency_key(session, idempotency_key) if idempotency_key else None
        if existing is None:
            raise
        return existing
    creator = actor.actor if actor else f"citizen:{sender_id or channel}"
    _record(session, ticket, "receive", creator, now, detail={"channel": channel, "to": RECEIVED})
    if routing.department_id:
        _route(ticket, routing.department_id, routing.co_department_ids, now)
        _apply(session, ticket, "dispatch", SYSTEM_ROUTER, now, detail=_routing_detail(ticket))
    return ticket


def reroute(
    session: Session,
    number: str,
    actor: Principal,
    *,
    department_id: str,
    co_department_ids: Sequence[str] = (),
    catalogue: Catalogue,
    note: Optional[str] = None,
    now: Optional[datetime] = None,
) -> Ticket:
    """派单 a received ticket, or 改派 a returned or wrongly dispatched one, with a fresh time limit."""
    now = as_utc(now)
    ticket = _load(session, number)
    name = "dispatch" if ticket.status == RECEIVED else "reroute"
    _authorise(ticket, actor, name)
    unknown = [d for d in (department_id, *co_department_ids) if not is_department(catalogue, d)]
    if unknown:
        raise TicketInvalid(f"未知的承办单位：{'、'.join(unknown)}")
    if ticket.status == DISPATCHED and department_id == ticket.department_id:
        raise TicketConflict("工单已派给该单位，无需改派")
    _route(ticket, department_id, co_department_ids, now)
    ticket.due_at = calendar.due_at(now, ticket.type, ticket.urgent)
    return _apply(session, ticket, name, actor.actor, now, _note(note), _routing_detail(ticket))


def sign(
    session: Session, number: str, actor: Principal, *, now: Optional[datetime] = None
) -> Ticket:
    """签收: the lead department accepts the ticket."""
    now = as_utc(now)
    ticket = _checked(session, number, actor, "sign")
    ticket.signed_at = now
    return _apply(session, ticket, "sign", actor.actor, now)


def return_ticket(
    session: Session,
    number: str,
    actor: Principal,
    *,
    reason: str,
    now: Optional[datetime] = None,
) -> Ticket:
    """退单: the department says the matter is not theirs; an operator must 改派 it."""
    now = as_utc(now)
    reason = _required(reason, "退单必须说明理由")
    ticket = _checked(session, number, actor, "return")
    ticket.return_reason = reason
    return _apply(session, ticket, "return", actor.actor, now, reason)


def request_extension(
    session: Session,
    number: str,
    actor: Principal,
    *,
    days: int,
    reason: str,
    now: Optional[datetime] = None,
) -> Ticket:
    """延期申请 for `days` more working days, before the time limit has run out."""
    now = as_utc(now)
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_EXTENSION_DAYS:
        raise TicketInvalid(f"延期天数必须是 1 到 {MAX_EXTENSION_DAYS} 之间的整数")
    reason = _required(reason, "延期申请必须说明理由")
    ticket = _checked(session, number, actor, "request_extension")
    if ticket.extension_state == EXTENSION_REQUESTED:
        raise TicketConflict("已有待审批的延期申请")
    if ticket.due_at is not None and ticket.due_at <= now:
        raise TicketConflict("办理期限已过，不能再申请延期")
    ticket.extension_state = EXTENSION_REQUESTED
    ticket.extension_days = days
    ticket.extension_reason = reason
    return _apply(session, ticket, "request_extension", actor.actor, now, reason, {"days": days})


def decide_extension(
    session: Session,
    number: str,
    actor: Principal,
    *,
    approve: bool,
    note: Optional[str] = None,
    now: Optional[datetime] = None,
) -> Ticket:
    """Approve (the due date moves by the requested working days) or refuse (a reason is owed)."""
    now = as_utc(now)
    name = "approve_extension" if approve else "refuse_extension"
    note = _note(note)
    if not approve and not note:
        raise TicketInvalid("驳回延期必须说明理由")
    ticket = _checked(session, number, actor, name)
    if ticket.extension_state != EXTENSION_REQUESTED:
        raise TicketConflict("该工单没有待审批的延期申请")
    detail = {"days": ticket.extension_days, "previous_due_at": _iso(ticket.due_at)}
    if approve:
        ticket.due_at = calendar.extend(ticket.due_at, ticket.extension_days)
        ticket.extension_state = EXTENSION_APPROVED
        detail["due_at"] = _iso(ticket.due_at)
    else:
        ticket.extension_state = EXTENSION_REFUSED
    return _apply(session, ticket, name, actor.actor, now, note, detail)


def reply_and_close(
    session: Session,
    number: str,
    actor: Principal,
    *,
    reply: str,
    now: Optional[datetime] = None,
) -> Ticket:
    """办结 with the answer the citizen will read."""
    now = as_utc(now)
    reply = _required(reply, "办结必须填写答复市民的内容")
    ticket = _checked(session, number, actor, "reply")
    ticket.reply = reply
    ticket.replied_at = now
    if ticket.channel and ticket.sender_id:
        notices.enqueue(
            session,
            f"ticket:{ticket.number}:replied:{now:%Y%m%dT%H%M%S}",
            ticket.channel,
            ticket.sender_id,
            reply_notice_text(ticket),
            now,
        )
    return _apply(session, ticket, "reply", actor.actor, now, detail={"reply": reply})


def reply_notice_text(ticket: Ticket) -> str:
    """The answer told in the chat the citizen filed from: asking there is asking for it there."""
    return (
        f"您反映的问题（工单号 {ticket.number}）已办结。\n"
        f"承办单位答复：{ticket.reply}\n"
        "请回复“满意”“基本满意”或“不满意”评价办理结果（回访）；不满意的将退回承办单位重新办理。"
    )


def record_visit(
    session: Session,
    number: str,
    actor: Principal,
    *,
    satisfaction: str,
    note: Optional[str] = None,
    now: Optional[datetime] = None,
) -> Ticket:
    """回访: 满意 or 基本满意 ends the matter; 不满意 sends it back to the department to 重办."""
    now = as_utc(now)
    if satisfaction not in SATISFACTION:
        raise TicketInvalid(f"满意度必须是 {'、'.join(SATISFACTION)} 之一")
    note = _note(note)
    unsatisfied = satisfaction == "不满意"
    if unsatisfied and not note:
        raise TicketInvalid("不满意时必须记录市民的意见")
    name = "reopen" if unsatisfied else "visit"
    ticket = _checked(session, number, actor, name)
    return _visit(session, ticket, name, actor.actor, satisfaction, note, now)


def rate_by_citizen(
    session: Session,
    number: str,
    *,
    satisfaction: str,
    sender_id: Optional[str] = None,
    phone_last4: Optional[str] = None,
    note: Optional[str] = None,
    now: Optional[datetime] = None,
) -> Ticket:
    """The citizen's own 回访 answer (in the chat or from the closing notice): 满意 or 基本满意
    closes the matter, 不满意 sends it back to the department to 重办. Only the conversation that
    filed the ticket, or someone giving its phone's last four digits, may rate it."""
    now = as_utc(now)
    if satisfaction not in SATISFACTION:
        raise TicketInvalid(f"满意度必须是 {'、'.join(SATISFACTION)} 之一")
    ticket = _load(session, number)
    if not _proven(ticket, phone_last4, sender_id):
        raise TicketNotFound(_not_found(number))
    name = "rate_reopen" if satisfaction == "不满意" else "rate"
    _check_status(ticket, name)
    actor = f"citizen:{sender_id}" if sender_id else "citizen"
    return _visit(session, ticket, name, actor, satisfaction, _note(note), now)


def _visit(
    session: Session,
    ticket: Ticket,
    name: str,
    actor: str,
    satisfaction: str,
    note: Optional[str],
    now: datetime,
) -> Ticket:
    unsatisfied = satisfaction == "不满意"
    ticket.satisfaction = satisfaction
    ticket.visited_at = now
    detail = {"satisfaction": satisfaction}
    if unsatisfied:
        ticket.reopen_count += 1
        ticket.reply = None
        ticket.replied_at = None
        ticket.signed_at = None
        ticket.extension_state = None
        _route(ticket, ticket.department_id, ticket.co_department_ids, now)
        ticket.due_at = calendar.due_at(now, ticket.type, ticket.urgent)
        detail.update(_routing_detail(ticket))
    return _apply(session, ticket, name, actor, now, note, detail)


def archive(
    session: Session, number: str, actor: Principal, *, now: Optional[datetime] = None
) -> Ticket:
    """归档: the matter is finished, visited or not (an anonymous citizen cannot be called)."""
    now = as_utc(now)
    ticket = _checked(session, number, actor, "archive")
    ticket.closed_at = now
    return _apply(session, ticket, "archive", actor.actor, now)


def supervise(session: Session, ticket: Ticket, reason: str, now: datetime) -> Ticket:
    """督办: flag a ticket whose time limit ran out (called by the deadline monitor)."""
    _check_status(ticket, "supervise")
    ticket.supervised = True
    ticket.supervised_at = now
    return _apply(session, ticket, "supervise", SYSTEM_MONITOR, now, reason)


def get_ticket(session: Session, number: str, actor: Principal) -> Ticket:
    """One ticket, if `actor` may see it (a department: only those it leads or helps with)."""
    ticket = _load(session, number, lock=False)
    if not _visible(ticket, actor):
        raise TicketNotFound(_not_found(number))
    return ticket


def list_tickets(
    session: Session,
    actor: Principal,
    *,
    status: Optional[str] = None,
    overdue: bool = False,
    department_id: Optional[str] = None,
    page: int = 1,
    limit: int = 50,
    now: Optional[datetime] = None,
) -> Page:
    """A department's inbox (or, for operators, any department's), soonest due first.

    `status` is a status code, "all", or None for the open ones (for a department: those it holds).
    `overdue` keeps tickets still with the department after their due time. A department's
    default inbox filters on exactly `status IN ('dispatched', 'signed')`, the predicate of the
    partial index `ix_tickets_open_inbox`, so PostgreSQL reads one page in index order.
    """
    now = as_utc(now)
    if page < 1 or not 1 <= limit <= MAX_PAGE_SIZE:
        raise TicketInvalid(f"页码从 1 开始，每页 1 到 {MAX_PAGE_SIZE} 条")
    if actor.role == "department":
        department_id = actor.department_id
        default_statuses = IN_DEPARTMENT_STATUSES
    elif actor.can("operator"):
        default_statuses = OPEN_STATUSES
    else:
        raise TicketForbidden("无权查看工单")
    if status not in (None, "all") and status not in STATES:
        raise TicketInvalid(f"未知的工单状态：{status}")
    if status is None:
        statuses = default_statuses
    elif status == "all":
        statuses = tuple(STATES)
    else:
        statuses = (status,)
    conditions = []
    if overdue:
        statuses = tuple(s for s in statuses if s in IN_DEPARTMENT_STATUSES)
        conditions.append(Ticket.due_at < now)
    if department_id is not None:
        conditions.append(Ticket.department_id == department_id)
    if statuses != tuple(STATES):
        conditions.append(Ticket.status.in_(statuses))
    total = session.execute(
        select(func.count()).select_from(Ticket).where(*conditions)
    ).scalar_one()
    items = session.execute(
        select(Ticket)
        .where(*conditions)
        .order_by(Ticket.due_at, Ticket.id)
        .offset((page - 1) * limit)
        .limit(limit)
    ).scalars()
    return Page(list(items), total, page, limit)


def history(session: Session, number: str) -> list[audit.AuditEvent]:
    """The audited transitions of a ticket, oldest first."""
    return audit.history(session, ENTITY, number)


def lookup(
    session: Session,
    number: str,
    phone_last4: Optional[str] = None,
    *,
    catalogue: Catalogue,
    sender_id: Optional[str] = None,
) -> Optional[TicketStatus]:
    """A citizen's status query. None unless the caller proves the ticket is theirs.

    Proof is the last four digits of the phone left on the ticket, or asking from the same
    conversation (`sender_id`) that submitted it. An anonymous report shows anyone else with
    its number only that it was received (已受理), so holding a number reveals nothing about it.
    """
    ticket = session.execute(
        select(Ticket).where(Ticket.number == (number or "").strip().upper())
    ).scalar_one_or_none()
    if ticket is None:
        return None
    proven = _proven(ticket, phone_last4, sender_id)
    if ticket.citizen_phone and not proven:
        return None
    if not proven:
        return TicketStatus(
            number=ticket.number,
            status=STATES[RECEIVED].label,
            department=None,
            due_at=None,
            reply=None,
        )
    finished = ticket.status in (REPLIED, VISITED, ARCHIVED)
    assigned = ticket.status not in (RECEIVED, RETURNED)
    return TicketStatus(
        number=ticket.number,
        status=ticket.state.public_label,
        department=department_name(catalogue, ticket.department_id) if assigned else None,
        due_at=ticket.due_at,
        reply=ticket.reply if finished else None,
        satisfaction=ticket.satisfaction,
        awaiting_rating=ticket.status == REPLIED,
    )


def _proven(ticket: Ticket, phone_last4: Optional[str], sender_id: Optional[str]) -> bool:
    """The asker filed this ticket: same conversation, or the phone's last four digits."""
    if sender_id and sender_id == ticket.sender_id:
        return True
    return bool(ticket.citizen_phone and phone_last4) and hmac.compare_digest(
        ticket.citizen_phone[-4:], re.sub(r"\D", "", phone_last4)[-4:]
    )


def department_name(catalogue: Catalogue, department_id: Optional[str]) -> Optional[str]:
    """The body's full name (its id if the catalogue no longer lists it)."""
    if not department_id:
        return None
    return (
        catalogue.body(department_id).name
        if is_department(catalogue, department_id)
        else department_id
    )


def is_department(catalogue: Catalogue, department_id: str) -> bool:
    try:
        catalogue.body(department_id)
    except KeyError:
        return False
    return True


def checked_contact(ticket_type: str, phone: Optional[str], anonymous: bool) -> Optional[str]:
    """The phone number to store, or `TicketInvalid`: only a 举报 may be anonymous, everything
    else needs a number the department can call back."""
    if anonymous and ticket_type not in ANONYMOUS_TYPES:
        raise TicketInvalid("只有举报可以匿名，其他事项请留联系电话")
    if phone:
        phone = normalise_phone(phone)
        if phone is None:
            raise TicketInvalid("电话号码格式不正确，请留手机号或带区号的固定电话")
    if phone is None and not anonymous:
        raise TicketInvalid("请留下联系电话，以便承办单位答复您")
    return phone


def _by_idempotency_key(session: Session, key: str) -> Optional[Ticket]:
    return session.execute(select(Ticket).where(Ticket.idempotency_key == key)).scalar_one_or_none()


def _load(session: Session, number: str, lock: bool = True) -> Ticket:
    query = select(Ticket).where(Ticket.number == (number or "").strip().upper())
    if lock:
        query = query.with_for_update()
    ticket = session.execute(query).scalar_one_or_none()
    if ticket is None:
        raise TicketNotFound(_not_found(number))
    return ticket


def _checked(session: Session, number: str, actor: Principal, name: str) -> Ticket:
    ticket = _load(session, number)
    _authorise(ticket, actor, name)
    return ticket


def _authorise(ticket: Ticket, actor: Principal, name: str) -> None:
    """Who may, then whether now: a department never learns about tickets of other bodies."""
    transition = TRANSITIONS[name]
    if not _visible(ticket, actor):
        raise TicketNotFound(_not_found(ticket.number))
    if transition.by == "department":
        allowed = actor.role == "department" and actor.department_id == ticket.department_id
        if not allowed:
            raise TicketForbidden(f"只有主办单位可以{transition.label}")
    elif transition.by == "operator" and not actor.can("operator"):
        raise TicketForbidden(f"只有12345话务员可以{transition.label}")
    _check_status(ticket, name)


def _visible(ticket: Ticket, actor: Principal) -> bool:
    if actor.can("operator"):
        return True
    if actor.role != "department" or not actor.department_id:
        return False
    return actor.department_id == ticket.department_id or actor.department_id in (
        ticket.co_department_ids or ()
    )


def _route(
    ticket: Ticket, department_id: str, co_department_ids: Iterable[str], now: datetime
) -> None:
    ticket.department_id = department_id
    ticket.co_department_ids = [d for d in dict.fromkeys(co_department_ids) if d != department_id]
    ticket.dispatched_at = now
    ticket.sign_by = calendar.sign_by(now, ticket.urgent)
    ticket.signed_at = None
    ticket.return_reason = None
    ticket.supervised = False
    ticket.supervised_at = None


def _routing_detail(ticket: Ticket) -> dict:
    return {
        "department_id": ticket.department_id,
        "co_department_ids": list(ticket.co_department_ids),
        "sign_by": _iso(ticket.sign_by),
        "due_at": _iso(ticket.due_at),
    }


def _required(text: Optional[str], message: str) -> str:
    value = clean(text, MAX_TEXT)
    if not has_content(value):
        raise TicketInvalid(message)
    return value


def _note(text: Optional[str]) -> Optional[str]:
    return clean(text, MAX_TEXT) or None


def _iso(moment: Optional[datetime]) -> Optional[str]:
    return moment.isoformat() if moment else None


def _not_found(number: str) -> str:
    return f"没有找到工单 {number}"
