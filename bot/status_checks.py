"""Wrong phone digits on status checks, counted in the database so that guessing locks out.

The last four phone digits protect a ticket or receipt from whoever learns its number. Four digits
are only 10,000 guesses, so every wrong answer is stored, once for the number asked about and once
for the conversation asking. When either has `attempts` failures within `lock_minutes`, checks
of that number, or by that conversation, are refused until `lock_minutes` after the last failure
and the citizen is sent to the 12345 hotline. Being rows in our database (not a process's memory),
the count holds across Rasa workers, action-server processes and machines.
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable, Optional

from sqlalchemy import Column, Index, Integer, String, delete, func, select
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.consultation.models import Opinion
from bot.consultation.opinions import lookup_opinion
from bot.db import Base
from bot.tickets.catalogue import Catalogue
from bot.tickets.models import Ticket, UTCDateTime, as_utc
from bot.tickets.service import TicketStatus, lookup

TICKET = "ticket"
RECEIPT = "receipt"
SENDER = "sender"


class StatusCheckFailure(Base):
    """One wrong answer: `subject` is "ticket:ZS…", "receipt:YJ…" or "sender:<conversation>"."""

    __tablename__ = "status_check_failures"
    __table_args__ = (Index("ix_status_check_failures_subject_at", "subject", "failed_at"),)

    id = Column(Integer, primary_key=True, autoincrement=True)
    subject = Column(String(160), nullable=False)
    failed_at = Column(UTCDateTime, nullable=False)


def _subjects(kind: str, number: str, sender_id: str) -> list[str]:
    subjects = [f"{kind}:{number.strip().upper()}"[:160]]
    if sender_id:
        subjects.append(f"{SENDER}:{sender_id}"[:160])
    return subjects


def recent_failures(
    session: Session,
    kind: str,
    number: str,
    sender_id: str,
    *,
    lock_minutes: int,
    now: Optional[datetime] = None,
) -> tuple[int, Optional[datetime]]:
    """The larger count of wrong answers within `lock_minutes`, for the number or for the
    conversation, and the time of the last of them."""
    since = as_utc(now) - timedelta(minutes=lock_minutes)
    worst, last_seen = 0, None
    for subject in _subjects(kind, number, sender_id):
        count, last = session.execute(
            select(func.count(StatusCheckFailure.id), func.max(StatusCheckFailure.failed_at)).where(
                StatusCheckFailure.subject == subject, StatusCheckFailure.failed_at > since
            )
        ).one()
        if count > worst:
            worst, last_seen = count, as_utc(last)
    return worst, last_seen


def locked_until(
    session: Session,
    kind: str,
    number: str,
    sender_id: str,
    *,
    attempts: int,
    lock_minutes: int,
    now: Optional[datetime] = None,
) -> Optional[datetime]:
    """When checks of `number` by `sender_id` may resume; None when they may go ahead now."""
    now = as_utc(now)
    count, last = recent_failures(
        session, kind, number, sender_id, lock_minutes=lock_minutes, now=now
    )
    if count < attempts or last is None:
        return None
    until = last + timedelta(minutes=lock_minutes)
    return until if until > now else None


def record_failure(
    session: Session,
    kind: str,
    number: str,
    sender_id: str,
    *,
    lock_minutes: int,
    now: Optional[datetime] = None,
) -> None:
    """Count one wrong answer against the number and against the conversation, and drop the
    failures of both that are too old to lock anything any more."""
    moment = as_utc(now)
    subjects = _subjects(kind, number, sender_id)
    session.execute(
        delete(StatusCheckFailure).where(
            StatusCheckFailure.subject.in_(subjects),
            StatusCheckFailure.failed_at < moment - timedelta(minutes=lock_minutes),
        )
    )
    for subject in subjects:
        session.add(StatusCheckFailure(subject=subject, failed_at=moment))
    session.flush()


@dataclass(frozen=True)
class Check:
    """The outcome of one status check: "shown" (with `ticket` or `opinion`), "missing",
    "ask" (the phone's last four digits are needed), "wrong" (with `attempts_left`) or
    "locked" (until `locked_until`)."""

    outcome: str
    ticket: Optional[TicketStatus] = None
    opinion: Optional[str] = None
    attempts_left: int = 0
    locked_until: Optional[datetime] = None


def check_ticket(
    session: Session,
    settings: Settings,
    catalogue: Catalogue,
    number: str,
    phone_last4: Optional[str],
    sender_id: str,
    *,
    now: Optional[datetime] = None,
) -> Check:
    """A citizen's status check of a ticket, guarded against guessing the phone digits."""
    if session.execute(select(Ticket.id).where(Ticket.number == number)).first() is None:
        return Check("missing")
    return _guarded(
        session,
        settings,
        TICKET,
        number,
        phone_last4,
        sender_id,
        lambda: lookup(session, number, phone_last4, catalogue=catalogue, sender_id=sender_id),
        now,
    )


def check_receipt(
    session: Session,
    settings: Settings,
    receipt_no: str,
    phone_last4: Optional[str],
    sender_id: str,
    *,
    now: Optional[datetime] = None,
) -> Check:
    """A status check of an opinion: a signed opinion left a phone, so like a ticket it shows its
    decision to its own conversation or to whoever gives the phone's last four digits."""
    opinion = session.execute(
        select(Opinion).where(Opinion.receipt_no == receipt_no)
    ).scalar_one_or_none()
    if opinion is None:
        return Check("missing")

    def shown() -> Optional[str]:
        own = bool(sender_id) and sender_id == opinion.sender_id
        digits = re.sub(r"\D", "", phone_last4 or "")[-4:]
        proven = (
            own
            or not opinion.phone
            or (len(digits) == 4 and hmac.compare_digest(opinion.phone[-4:], digits))
        )
        return lookup_opinion(session, receipt_no).message if proven else None

    return _guarded(session, settings, RECEIPT, receipt_no, phone_last4, sender_id, shown, now)


def _guarded(
    session: Session,
    settings: Settings,
    kind: str,
    number: str,
    phone_last4: Optional[str],
    sender_id: str,
    show: Callable[[], object],
    now: Optional[datetime],
) -> Check:
    """Refuse while locked; otherwise show, ask for the digits, or count the wrong ones."""
    limits = {"lock_minutes": settings.status_check_lock_minutes, "now": now}
    until = locked_until(
        session, kind, number, sender_id, attempts=settings.status_check_attempts, **limits
    )
    if until is not None:
        return Check("locked", locked_until=until)
    result = show()
    if result is not None:
        if kind == TICKET:
            return Check("shown", ticket=result)
        return Check("shown", opinion=result)
    if not phone_last4:
        return Check("ask")
    record_failure(session, kind, number, sender_id, **limits)
    count, last = recent_failures(session, kind, number, sender_id, **limits)
    left = settings.status_check_attempts - count
    if left <= 0:
        return Check("locked", locked_until=last + timedelta(minutes=limits["lock_minutes"]))
    return Check("wrong", attempts_left=left)
