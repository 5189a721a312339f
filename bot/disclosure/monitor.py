"""The disclosure deadline run (督办), beside the tickets' monitor: a 补正 notice whose period
passed without an answer closes the application as 视为放弃申请; an application still open past
its answer date is flagged 督办 once. Running it any number of times gives the same result."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.disclosure import service
from bot.disclosure.models import CLOCK_STATUSES, CORRECTION, DisclosureApplication
from bot.disclosure.rules import Rules
from bot.tickets.catalogue import Catalogue
from bot.tickets.models import as_utc


@dataclass
class MonitorResult:
    lapsed: list[str] = field(default_factory=list)
    supervised: list[str] = field(default_factory=list)


def run_monitor(
    session: Session, rules: Rules, catalogue: Catalogue, now: Optional[datetime] = None
) -> MonitorResult:
    now = as_utc(now)
    result = MonitorResult()
    lapsing = select(DisclosureApplication).where(
        DisclosureApplication.status == CORRECTION, DisclosureApplication.correction_due_at < now
    )
    for application in _locked(session, lapsing):
        service.lapse(session, rules, application, catalogue, now)
        result.lapsed.append(application.number)
    overdue = select(DisclosureApplication).where(
        DisclosureApplication.status.in_(CLOCK_STATUSES),
        DisclosureApplication.due_at < now,
        DisclosureApplication.supervised.is_(False),
    )
    for application in _locked(session, overdue):
        service.supervise(session, application, now)
        result.supervised.append(application.number)
    session.flush()
    return result


def _locked(session: Session, query) -> list[DisclosureApplication]:
    ordered = query.order_by(DisclosureApplication.id).with_for_update(skip_locked=True)
    return list(session.execute(ordered).scalars())
