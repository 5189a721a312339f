"""The 依申请公开 lifecycle: 收到 → 补正通知 → 办理 → 延期 → 征求第三方意见 → 答复.

Built like the 12345 tickets (`bot.tickets.service`): each state change is one function that
loads the application, checks who may do it in which status (`TRANSITIONS`), stores the change
and writes an audit row in the caller's transaction, or raises a `DisclosureError` whose
Chinese message can be shown to whoever tried. The disclosure office of the organ holding the
application acts on it; to another organ it does not exist.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Optional

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot import audit, lifecycle, notices, numbering
from bot.accounts import Principal
from bot.clock import format_cn
from bot.disclosure import clock
from bot.disclosure.errors import (
    DisclosureConflict,
    DisclosureForbidden,
    DisclosureInvalid,
    DisclosureNotFound,
    DisclosureRepeated,
)
from bot.disclosure.intake import ApplicationInput
from bot.disclosure.models import (
    CHAT_CHANNELS,
    CLOCK_STATUSES,
    CONSULTING,
    CORRECTION,
    OPEN_STATUSES,
    PROCESSING,
    RECEIVED,
    REPLIED,
    WITHDRAWN,
    DisclosureApplication,
)
from bot.disclosure.notice import render_notice
from bot.disclosure.rules import ReplyType, Rules
from bot.lifecycle import Transition
from bot.publishing.publishers import submit_disclosure_reply
from bot.text import clean, has_content
from bot.tickets.catalogue import Catalogue
from bot.tickets.models import as_utc
from bot.tickets.service import (
    department_name,
    is_department,
)

ENTITY = "disclosure"
PREFIX = "GK"
SYSTEM_MONITOR = "system:monitor"
SYSTEM_READER = Principal(0, "cli", "admin", None)
"""The command line reads as an administrator (it runs with the database's own rights)."""
MAX_NOTE = 2000
NUMBER_PATTERN = re.compile(r"GK\s*-?\s*(\d{8})\s*-?\s*(\d{4})", re.IGNORECASE)


# Who takes a step (`by`): "office" (the disclosure office of the organ holding the application) or
# "system" (the deadline monitor).
TRANSITIONS: dict[str, Transition] = {
    "request_correction": Transition("补正通知", (RECEIVED, PROCESSING), CORRECTION, "office"),
    "complete_correction": Transition("收到补正", (CORRECTION,), RECEIVED, "office"),
    "lapse": Transition("逾期未补正", (CORRECTION,), WITHDRAWN, "system"),
    "start": Transition("开始办理", (RECEIVED,), PROCESSING, "office"),
    "transfer": Transition("转办", (RECEIVED, PROCESSING), RECEIVED, "office"),
    "extend": Transition("延期", (RECEIVED, PROCESSING), None, "office"),
    "consult": Transition("征求第三方意见", (PROCESSING,), CONSULTING, "office"),
    "third_party_answered": Transition("第三方意见已回复", (CONSULTING,), PROCESSING, "office"),
    "reply": Transition("答复", (RECEIVED, PROCESSING), REPLIED, "office"),
    "supervise": Transition("督办", CLOCK_STATUSES, None, "system"),
}
LIFECYCLE = lifecycle.Lifecycle(ENTITY, "申请", TRANSITIONS, DisclosureConflict)
_check_status = LIFECYCLE.check
_apply = LIFECYCLE.apply
_record = LIFECYCLE.record
EVENT_LABELS = {"receive": "收到申请", **{name: t.label for name, t in TRANSITIONS.items()}}


@dataclass(frozen=True)
class DisclosureStatus:
    """What an applicant may see of an application."""

    number: str
    status: str
    organ: str
    due_at: Optional[datetime]
    paused: bool
    document: Optional[str]


def create_application(
    session: Session,
    rules: Rules,
    data: ApplicationInput,
    *,
    department_id: str,
    channel: str,
    sender_id: Optional[str] = None,
    idempotency_key: Optional[str] = None,
    now: Optional[datetime] = None,
) -> DisclosureApplication:
    """收到: store the application and start its clock (online, confirmed = received, 第三十一条).

    A retry with the same `idempotency_key` returns the application already stored; the same
    applicant asking again for the same information is refused as 重复申请 (第三十六条第（六）项)
    before anything is stored.
    """
    now = as_utc(now)
    if idempotency_key is not None:
        existing = _by_idempotency_key(session, idempotency_key)
        if existing is not None:
            return existing
    key = description_key(data.description)
    earlier = session.execute(
        select(DisclosureApplication)
        .where(
            DisclosureApplication.id_digest == data.id_digest,
            DisclosureApplication.description_key == key,
        )
        .order_by(DisclosureApplication.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    if earlier is not None:
        raise DisclosureRepeated(_repeat_message(earlier), earlier.number)
    application = DisclosureApplication(
        number=numbering.allocate(session, PREFIX, now),
        created_at=now,
        channel=channel,
        sender_id=sender_id,
        idempotency_key=idempotency_key,
        applicant_kind=data.applicant_kind,
        applicant_name=data.applicant_name,
        id_type=data.id_type,
        id_masked=data.id_masked,
        id_digest=data.id_digest,
        phone=data.phone,
        email=data.email,
        address=data.address,
        description=data.description,
        description_key=key,
        medium=data.medium,
        delivery=data.delivery,
        department_id=department_id,
        status=RECEIVED,
        clock_started_at=now,
        due_at=clock.due_after(now, rules.answer_days),
        reply_detail={},
        corrections=0,
        supervised=False,
    )
    try:
        with session.begin_nested():
            session.add(application)
    except IntegrityError:
        existing = _by_idempotency_key(session, idempotency_key) if idempotency_key else None
        if existing is None:
            raise
        return existing
    detail = {
        "channel": channel,
        "to": RECEIVED,
        "department_id": department_id,
        "due_at": _iso(application.due_at),
    }
    _record(session, application, "receive", f"applicant:{sender_id or channel}", now, None, detail)
    return application


def request_correction(
    session: Session,
    rules: Rules,
    number: str,
    actor: Principal,
    *,
    note: str,
    now: Optional[datetime] = None,
) -> DisclosureApplication:
    """补正通知: once, within 7 working days of receipt; the clock stops until the applicant
    answers, and an unanswered notice lapses into 视为放弃申请 after the period given."""
    now = as_utc(now)
    note = _required(note, "补正通知必须写明需要补正的事项")
    application = _checked(session, number, actor, "request_correction")
    if application.corrections:
        raise DisclosureConflict("补正通知只能发出一次")
    deadline = clock.due_after(application.clock_started_at, rules.correction_notice_days)
    if now > deadline:
        raise DisclosureConflict(
            f"收到申请已超过{rules.correction_notice_days}个工作日，不能再要求补正"
        )
    application.corrections += 1
    application.correction_note = note
    application.paused_at = now
    application.correction_due_at = clock.due_after(now, rules.correction_period_days)
    _queue_notice(
        session,
        application,
        "correction",
        f"您的政府信息公开申请（编号 {application.number}）需要补正：{note}\n"
        f"请在{format_cn(application.correction_due_at)}前补正；逾期未补正视为放弃申请。"
        "补正期间答复期限暂停计算。",
    )
    detail = {"correction_due_at": _iso(application.correction_due_at)}
    return _apply(session, application, "request_correction", actor.actor, now, note, detail)


def complete_correction(
    session: Session,
    rules: Rules,
    number: str,
    actor: Principal,
    *,
    supplement: str,
    now: Optional[datetime] = None,
) -> DisclosureApplication:
    """收到补正: the completed request is a new receipt; 20 working days start again."""
    now = as_utc(now)
    supplement = _required(supplement, "请记录申请人补正的内容")
    application = _checked(session, number, actor, "complete_correction")
    application.description = clean(f"{application.description}\n补正：{supplement}", 4000)
    application.clock_started_at = now
    application.due_at = clock.due_after(now, rules.answer_days)
    application.paused_at = None
    detail = {"due_at": _iso(application.due_at)}
    return _apply(session, application, "complete_correction", actor.actor, now, supplement, detail)


def start(
    session: Session, number: str, actor: Principal, *, now: Optional[datetime] = None
) -> DisclosureApplication:
    """办理: the office takes the application up."""
    now = as_utc(now)
    application = _checked(session, number, actor, "start")
    return _apply(session, application, "start", actor.actor, now)


def transfer(
    session: Session,
    number: str,
    actor: Principal,
    *,
    department_id: str,
    reason: str,
    catalogue: Catalogue,
    now: Optional[datetime] = None,
) -> DisclosureApplication:
    """转办: an organ that does not hold the information passes the application on, with the
    reason recorded; the receiving office sees it as received, the clock unchanged."""
    now = as_utc(now)
    reason = _required(reason, "转办必须说明理由")
    if not is_department(catalogue, department_id):
        raise DisclosureInvalid(f"未知的机关：{department_id}")
    application = _checked(session, number, actor, "transfer")
    if department_id == application.department_id:
        raise DisclosureConflict("申请已在该机关办理")
    previous = application.department_id
    application.department_id = department_id
    detail = {"from_department_id": previous, "department_id": department_id}
    return _apply(session, application, "transfer", actor.actor, now, reason, detail)


def extend(
    session: Session,
    rules: Rules,
    number: str,
    actor: Principal,
    *,
    days: int,
    reason: str,
    approver: str,
    now: Optional[datetime] = None,
) -> DisclosureApplication:
    """延期: once, by at most 20 working days, approved by the head of the disclosure office,
    before the answer is due; the applicant is told."""
    now = as_utc(now)
    limit = rules.extension_max_days
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= limit:
        raise DisclosureInvalid(f"延长天数必须是 1 到 {limit} 之间的整数（工作日）")
    reason = _required(reason, "延期必须说明理由")
    approver = clean(approver, 64)
    if not has_content(approver):
        raise DisclosureInvalid("延期须经政府信息公开工作机构负责人同意，请填写批准人")
    application = _checked(session, number, actor, "extend")
    if application.extension_days:
        raise DisclosureConflict("答复期限只能延长一次")
    if application.due_at <= now:
        raise DisclosureConflict("答复期限已过，不能再延期")
    previous = application.due_at
    application.due_at = clock.extend(previous, days)
    application.extension_days = days
    application.extension_reason = reason
    application.extension_approver = approver
    _queue_notice(
        session,
        application,
        "extension",
        f"您的政府信息公开申请（编号 {application.number}）因{reason}，经负责人同意，"
        f"答复期限延长至{format_cn(application.due_at)}。",
    )
    detail = {
        "days": days,
        "approver": approver,
        "previous_due_at": _iso(previous),
        "due_at": _iso(application.due_at),
    }
    return _apply(session, application, "extend", actor.actor, now, reason, detail)


def consult_third_party(
    session: Session, number: str, actor: Principal, *, note: str, now: Optional[datetime] = None
) -> DisclosureApplication:
    """征求第三方意见: the clock stops until the third party answers (or its 15 days pass)."""
    now = as_utc(now)
    note = _required(note, "请写明征求意见的第三方和事项")
    application = _checked(session, number, actor, "consult")
    application.paused_at = now
    return _apply(session, application, "consult", actor.actor, now, note)


def third_party_answered(
    session: Session,
    number: str,
    actor: Principal,
    *,
    note: Optional[str] = None,
    now: Optional[datetime] = None,
) -> DisclosureApplication:
    """The consultation ended: the working days it took are added to the due date."""
    now = as_utc(now)
    application = _checked(session, number, actor, "third_party_answered")
    paused = clock.working_days_between(application.paused_at, now)
    previous = application.due_at
    if paused:
        application.due_at = clock.extend(previous, paused)
    application.paused_at = None
    detail = {
        "paused_working_days": paused,
        "previous_due_at": _iso(previous),
        "due_at": _iso(application.due_at),
    }
    return _apply(
        session,
        application,
        "third_party_answered",
        actor.actor,
        now,
        clean(note, MAX_NOTE) or None,
        detail,
    )


def reply(
    session: Session,
    rules: Rules,
    number: str,
    actor: Principal,
    *,
    reply_type: str,
    catalogue: Catalogue,
    where: str = "",
    reason: str = "",
    organ: str = "",
    now: Optional[datetime] = None,
) -> DisclosureApplication:
    """答复: one of the regulation's answers, with what it needs (where it is published, the
    reason, the right organ) and its legal ground; the 告知书 is rendered, stored and queued to
    the applicant's chat."""
    now = as_utc(now)
    kind = rules.reply_types.get(reply_type)
    if kind is None or kind.system:
        raise DisclosureInvalid("请选择条例规定的答复类型")
    given = {
        "where": clean(where, 500),
        "reason": clean(reason, MAX_NOTE),
        "organ": clean(organ, 120),
    }
    needs = {"where": "获取途径", "reason": "理由", "organ": "负责公开的机关"}
    missing = [needs[n] for n in kind.needs if not has_content(given[n])]
    if missing:
        raise DisclosureInvalid(f"「{kind.label}」必须写明{'、'.join(missing)}")
    application = _checked(session, number, actor, "reply")
    detail = {n: given[n] for n in kind.needs}
    _close(session, rules, application, kind, detail, catalogue, now)
    submit_disclosure_reply(session, application, actor.actor, now)
    return _apply(
        session,
        application,
        "reply",
        actor.actor,
        now,
        None,
        {"reply_type": kind.code, "ground": kind.ground, **detail},
    )


def lapse(
    session: Session,
    rules: Rules,
    application: DisclosureApplication,
    catalogue: Catalogue,
    now: datetime,
) -> DisclosureApplication:
    """逾期未补正: the period in the 补正 notice passed without an answer (called by the monitor)."""
    _check_status(application, "lapse")
    kind = rules.reply_types["correction_lapsed"]
    _close(session, rules, application, kind, {}, catalogue, now)
    return _apply(
        session,
        application,
        "lapse",
        SYSTEM_MONITOR,
        now,
        None,
        {"reply_type": kind.code, "ground": kind.ground},
    )


def supervise(
    session: Session, application: DisclosureApplication, now: datetime
) -> DisclosureApplication:
    """督办: the answer is overdue (called by the monitor); flagged once."""
    _check_status(application, "supervise")
    application.supervised = True
    application.supervised_at = now
    return _apply(
        session,
        application,
        "supervise",
        SYSTEM_MONITOR,
        now,
        "超过答复期限未答复",
        {"due_at": _iso(application.due_at)},
    )


def get_application(session: Session, number: str, actor: Principal) -> DisclosureApplication:
    application = _load(session, number, lock=False)
    if not visible(application, actor):
        raise DisclosureNotFound(_not_found(number))
    return application


def history(session: Session, number: str) -> list[audit.AuditEvent]:
    return audit.history(session, ENTITY, number)


def lookup(
    session: Session,
    number: str,
    phone_last4: Optional[str] = None,
    *,
    catalogue: Catalogue,
    sender_id: Optional[str] = None,
) -> Optional[DisclosureStatus]:
    """An applicant's status query: None unless the caller gives the last four digits of the
    phone on the application or asks from the conversation that applied."""
    application = session.execute(
        select(DisclosureApplication).where(
            DisclosureApplication.number == normalise_number(number)
        )
    ).scalar_one_or_none()
    if application is None:
        return None
    same_sender = bool(sender_id) and sender_id == application.sender_id
    digits = re.sub(r"\D", "", phone_last4 or "")[-4:]
    phone_matches = len(digits) == 4 and hmac.compare_digest(application.phone[-4:], digits)
    if not (same_sender or phone_matches):
        return None
    return DisclosureStatus(
        number=application.number,
        status=application.state.public_label,
        organ=department_name(catalogue, application.department_id) or "",
        due_at=application.due_at if application.status in OPEN_STATUSES else None,
        paused=application.status in (CORRECTION, CONSULTING),
        document=application.document,
    )


def exists(session: Session, number: str) -> bool:
    found = session.execute(
        select(DisclosureApplication.id).where(
            DisclosureApplication.number == normalise_number(number)
        )
    ).first()
    return found is not None


def normalise_number(text: str) -> str:
    match = NUMBER_PATTERN.search(text or "")
    return f"{PREFIX}{match.group(1)}-{match.group(2)}" if match else (text or "").strip().upper()


def find_number(text: str) -> Optional[str]:
    match = NUMBER_PATTERN.search(text or "")
    return f"{PREFIX}{match.group(1)}-{match.group(2)}" if match else None


def description_key(description: str) -> str:
    """The same request however it is spaced or punctuated."""
    compact = re.sub(r"[\W_]+", "", description.lower())
    return hashlib.sha256(compact.encode()).hexdigest()


def visible(application: DisclosureApplication, actor: Principal) -> bool:
    """Operators, staff and admins see every application; an organ's office only its own."""
    if actor.can("operator", "staff"):
        return True
    return actor.role == "department" and actor.department_id == application.department_id


def _close(
    session: Session,
    rules: Rules,
    application: DisclosureApplication,
    kind: ReplyType,
    detail: dict,
    catalogue: Catalogue,
    now: datetime,
) -> None:
    application.reply_type = kind.code
    application.reply_detail = detail
    application.result_row = kind.row
    application.document = render_notice(rules, application, kind, detail, catalogue, now)
    application.replied_at = now
    application.closed_at = now
    application.paused_at = None
    _queue_notice(session, application, f"reply:{kind.code}", application.document)


def _queue_notice(
    session: Session, application: DisclosureApplication, cause: str, message: str
) -> None:
    """A message in the applicant's chat (the notices outbox), when they applied in one."""
    if application.channel not in CHAT_CHANNELS or not application.sender_id:
        return
    notices.enqueue(
        session,
        f"disclosure:{application.number}:{cause}",
        application.channel,
        application.sender_id,
        message,
    )


def _repeat_message(earlier: DisclosureApplication) -> str:
    when = format_cn(earlier.created_at, with_time=False)
    if earlier.status in OPEN_STATUSES:
        return (
            f"您已于{when}提交过相同的申请（编号 {earlier.number}），正在办理中，"
            "无需重复提交；可发送编号查询进度。"
        )
    return (
        f"您已于{when}提交过相同的申请（编号 {earlier.number}）并已获答复。根据《中华人民共和国"
        "政府信息公开条例》第三十六条第（六）项，行政机关已就申请人提出的政府信息公开申请作出答复、"
        "申请人重复申请公开相同政府信息的，不予重复处理。"
    )


def _by_idempotency_key(session: Session, key: str) -> Optional[DisclosureApplication]:
    return session.execute(
        select(DisclosureApplication).where(DisclosureApplication.idempotency_key == key)
    ).scalar_one_or_none()


def _load(session: Session, number: str, lock: bool = True) -> DisclosureApplication:
    query = select(DisclosureApplication).where(
        DisclosureApplication.number == normalise_number(number)
    )
    if lock:
        query = query.with_for_update()
    application = session.execute(query).scalar_one_or_none()
    if application is None:
        raise DisclosureNotFound(_not_found(number))
    return application


def _checked(session: Session, number: str, actor: Principal, name: str) -> DisclosureApplication:
    application = _load(session, number)
    if not visible(application, actor):
        raise DisclosureNotFound(_not_found(number))
    transition = TRANSITIONS[name]
    own_office = actor.role == "department" and actor.department_id == application.department_id
    if transition.by == "office" and not (own_office or actor.role == "admin"):
        raise DisclosureForbidden(f"只有受理机关的政府信息公开工作机构可以{transition.label}")
    _check_status(application, name)
    return application


def _required(text: Optional[str], message: str) -> str:
    value = clean(text, MAX_NOTE)
    if not has_content(value):
        raise DisclosureInvalid(message)
    return value


def _iso(moment: Optional[datetime]) -> Optional[str]:
    return moment.isoformat() if moment else None


def _not_found(number: str) -> str:
    return f"没有找到申请 {clean(number, 32)}"
