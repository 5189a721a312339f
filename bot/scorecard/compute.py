"""The scorecard counted from stored data with SQL aggregates, per department, district and month.

Each area counts its records of a month (Beijing time) into named counts per unit: tickets and
依申请公开 applications by the month they were received, consultations by the month their comment
window closed, 舆情 by the month first seen, policies by the month published. Anything still
inside its time limit at `as_of` is left out of that limit's denominator (it can still be met).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Callable, Iterable, Optional

from sqlalchemy import String, and_, case, cast, func, inspect, literal, or_, select, true
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from bot.clock import LOCAL_TZ, local, local_day
from bot.consultation.models import Draft, Opinion, OpinionGroup
from bot.disclosure.models import DisclosureApplication
from bot.publishing.models import RegisterRecord
from bot.scorecard import snapshot
from bot.tickets.models import Ticket

UNASSIGNED = "(unassigned)"
SATISFIED = ("满意", "基本满意")
MAJOR_LEVELS = ("重大", "特别重大")
NOT_ADOPTED = ("partially_adopted", "not_adopted", "not_applicable")
Counts = dict[str, Counter]
"""unit id → count name → number"""


@dataclass
class MonthCounts:
    month: str
    units: Counts = field(default_factory=lambda: defaultdict(Counter))
    refusals: Counts = field(default_factory=lambda: defaultdict(Counter))
    hotspots_available: bool = True


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """The first instant of `YYYY-MM` and of the next month, in Beijing time."""
    first = datetime.strptime(month, "%Y-%m").replace(tzinfo=LOCAL_TZ)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following


def months_back(month: str, count: int) -> list[str]:
    """`count` months ending with `month`, oldest first."""
    year, number = map(int, month.split("-"))
    found = []
    for _ in range(count):
        found.append(f"{year:04d}-{number:02d}")
        year, number = (year, number - 1) if number > 1 else (year - 1, 12)
    return found[::-1]


def ticket_conditions(as_of: datetime) -> dict[str, ColumnElement]:
    """The ticket counts as SQL conditions (shared by the aggregate and the drill-down)."""
    t = Ticket
    return {
        "tickets": true(),
        "sign_due": and_(t.sign_by.is_not(None), or_(t.signed_at.is_not(None), t.sign_by < as_of)),
        "signed_in_time": and_(t.signed_at.is_not(None), t.sign_by.is_not(None),
                               t.signed_at <= t.sign_by),
        "close_due": and_(t.due_at.is_not(None), or_(t.replied_at.is_not(None), t.due_at < as_of)),
        "replied_on_time": and_(t.replied_at.is_not(None), t.due_at.is_not(None),
                                t.replied_at <= t.due_at),
        "overdue": and_(t.due_at.is_not(None), or_(t.replied_at > t.due_at,
                                                   and_(t.replied_at.is_(None), t.due_at < as_of))),
        "supervised": t.supervised.is_(True),
        "visited": or_(t.satisfaction.is_not(None), t.reopen_count > 0),
        "reopened": t.reopen_count > 0,
        "rated": t.satisfaction.is_not(None),
        "satisfied": t.satisfaction.in_(SATISFIED),
    }  # fmt: skip


def disclosure_conditions(
    as_of: datetime, refusal_types: Iterable[str]
) -> dict[str, ColumnElement]:
    a = DisclosureApplication
    return {
        "applications": true(),
        "answer_due": or_(a.replied_at.is_not(None), a.due_at < as_of),
        "answered_on_time": and_(a.replied_at.is_not(None), a.replied_at <= a.due_at),
        "extended": a.extension_days.is_not(None),
        "refused": a.reply_type.in_(tuple(refusal_types)),
    }


def count_months(
    session: Session,
    months: list[str],
    as_of: datetime,
    refusal_types: Iterable[str],
    use_stored: bool = True,
) -> dict[str, MonthCounts]:
    """Every area's counts for consecutive `months`, one grouped query per area (tickets of
    past months from `bot.scorecard.snapshot` when stored there)."""
    found = {month: MonthCounts(month) for month in months}
    start, _ = month_bounds(months[0])
    _, end = month_bounds(months[-1])
    refusal_types = tuple(refusal_types)
    _count_tickets(session, found, as_of, use_stored)
    _count_grouped(
        session,
        found,
        DisclosureApplication,
        disclosure_conditions(as_of, refusal_types),
        start,
        end,
    )
    _count_refusals(session, found, start, end, refusal_types)
    _count_consultation(session, found, start, end, as_of)
    available = _count_hotspots(session, found, start, end, as_of)
    for counts in found.values():
        counts.hotspots_available = available
    _count_policies(session, found, start, end)
    return found


def count_live_tickets(session: Session, months: list[str], as_of: datetime) -> dict[str, Counts]:
    """Ticket counts of `months` straight from the tickets table: month → unit → counts."""
    found = {month: MonthCounts(month) for month in months}
    start, _ = month_bounds(months[0])
    _, end = month_bounds(months[-1])
    _count_grouped(session, found, Ticket, ticket_conditions(as_of), start, end)
    return {month: counts.units for month, counts in found.items()}


def _count_tickets(session, found, as_of, use_stored: bool) -> None:
    current = today_month(as_of)
    stored = snapshot.stored(session, [m for m in found if m < current]) if use_stored else {}
    live = [month for month in found if month not in stored]
    if live:
        counted = count_live_tickets(session, live, as_of)
        for month in live:
            for unit, counts in counted.get(month, {}).items():
                found[month].units[unit].update(counts)
    for month, units in stored.items():
        for unit, counts in units.items():
            found[month].units[unit].update(counts)


def _count_grouped(session, found, model, conditions, start, end) -> None:
    """Tickets or applications received in the range, by local month and department."""
    month = _local_month(session, model.created_at)
    statement = (
        select(month, model.department_id, *(_count_if(c) for c in conditions.values()))
        .where(model.created_at >= start, model.created_at < end)
        .group_by(month, model.department_id)
    )
    for row in session.execute(statement):
        if row[0] not in found:
            continue
        counts = found[row[0]].units[row[1] or UNASSIGNED]
        counts.update(dict(zip(conditions, (int(value or 0) for value in row[2:]), strict=True)))


def _count_refusals(session, found, start, end, refusal_types) -> None:
    a = DisclosureApplication
    month = _local_month(session, a.created_at)
    grounds = session.execute(
        select(month, a.department_id, a.reply_type, func.count())
        .where(a.created_at >= start, a.created_at < end, a.reply_type.in_(refusal_types))
        .group_by(month, a.department_id, a.reply_type)
    )
    for month_key, unit, reply_type, number in grounds:
        found[month_key].refusals[unit][reply_type] += number


def _count_consultation(session, found, start, end, as_of) -> None:
    """Drafts by the day their window closed (few rows), folded into months here."""
    closed = and_(
        Draft.closes_on >= start.date(),
        Draft.closes_on < end.date(),
        Draft.closes_on < local_day(as_of),
    )
    summarised = (
        select(RegisterRecord.id)
        .where(
            RegisterRecord.kind == "consultation_summary",
            RegisterRecord.reference == literal("draft:") + cast(Draft.id, String),
        )
        .exists()
    )
    answered = OpinionGroup.published_at.is_not(None)
    with_reason = and_(answered, func.length(func.coalesce(OpinionGroup.published_reason, "")) > 0)
    queries = (
        (("drafts_closed", "drafts_summarised"),
         select(Draft.closes_on, Draft.department, func.count(), _count_if(summarised))
         .where(closed)),
        (("opinions", "opinions_answered"),
         select(Draft.closes_on, Draft.department, func.count(Opinion.id), _count_if(answered))
         .select_from(Opinion).join(Draft, Draft.id == Opinion.draft_id)
         .outerjoin(OpinionGroup, OpinionGroup.id == Opinion.group_id).where(closed)),
        (("groups_not_adopted", "groups_with_reason"),
         select(Draft.closes_on, Draft.department, func.count(OpinionGroup.id),
                _count_if(with_reason))
         .select_from(OpinionGroup).join(Draft, Draft.id == OpinionGroup.draft_id)
         .where(closed, OpinionGroup.outcome.in_(NOT_ADOPTED))),
    )  # fmt: skip
    for (total, met), query in queries:
        for closes_on, unit, number, within in session.execute(
            query.group_by(Draft.closes_on, Draft.department)
        ):
            counts = found[f"{closes_on:%Y-%m}"].units[unit]
            counts[total] += number
            counts[met] += int(within or 0)


def hotspots_present(session: Session) -> bool:
    """Whether the hotspots table, with the columns used, exists (checked once per database)."""
    url = str(session.get_bind().url)
    if url not in _HOTSPOTS_PRESENT:
        wanted = {"responsible_id", "level", "first_seen", "alert_at", "responded_at"}
        inspector = inspect(session.connection())
        _HOTSPOTS_PRESENT[url] = inspector.has_table("hotspot_topics") and wanted <= {
            column["name"] for column in inspector.get_columns("hotspot_topics")
        }
    return _HOTSPOTS_PRESENT[url]


_HOTSPOTS_PRESENT: dict[str, bool] = {}


def _count_hotspots(session, found, start, end, as_of) -> bool:
    """舆情 topics, read only if the hotspots tables (and the columns used) are there."""
    if not hotspots_present(session):
        return False
    from bot.hotspots.models import HotspotTopic as topic

    rows = session.execute(
        select(
            topic.first_seen, topic.responsible_id, topic.level, topic.alert_at, topic.responded_at
        ).where(topic.first_seen >= start, topic.first_seen < end, topic.alert_at.is_not(None))
    )
    for first_seen, unit, level, alert_at, responded_at in rows:
        counts = found[f"{local(first_seen):%Y-%m}"].units[unit or UNASSIGNED]
        within = _within(alert_at, responded_at, as_of)
        day = within(timedelta(hours=24))
        if day is not None:
            counts["alerted"] += 1
            counts["responded_24h"] += day
        if level in MAJOR_LEVELS:
            counts["major"] += 1
            counts["major_5h"] += bool(within(timedelta(hours=5)))
            counts["major_24h"] += bool(day)
    return True


def _within(alert_at: datetime, responded_at: Optional[datetime], as_of: datetime) -> Callable:
    """`within(limit)`: 1 if responded in time, 0 if late or the limit passed, None if pending."""

    def within(limit: timedelta) -> Optional[int]:
        if responded_at is not None:
            return int(responded_at <= alert_at + limit)
        return 0 if alert_at + limit < as_of else None

    return within


def _count_policies(session, found, start, end) -> None:
    """Policies first published in the range, and whether their 解读 came out the same day."""
    firsts = session.execute(
        select(RegisterRecord.kind, RegisterRecord.reference, RegisterRecord.unit,
               RegisterRecord.published_at)
        .where(RegisterRecord.kind.in_(("policy", "policy_interpretation")),
               RegisterRecord.version == 1, RegisterRecord.published_at >= start,
               RegisterRecord.published_at < end + timedelta(days=1))
    ).all()  # fmt: skip
    interpreted: dict[str, set] = defaultdict(set)  # a 解读 entry is `policy:<policy>/<entry>`
    for row in firsts:
        if row.kind == "policy_interpretation":
            interpreted[row.reference.split("/", 1)[0]].add(local_day(row.published_at))
    for row in firsts:
        published = local(row.published_at)
        if row.kind != "policy" or not (start <= published < end):
            continue
        counts = found[f"{published:%Y-%m}"].units[row.unit]
        counts["policies"] += 1
        counts["interpreted_same_day"] += published.date() in interpreted.get(row.reference, ())


def _count_if(condition: ColumnElement):
    return func.sum(case((condition, literal(1)), else_=literal(0)))


def _local_month(session: Session, column) -> Any:
    """`YYYY-MM` of a UTC timestamp column in Beijing time, in this database's SQL."""
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone("Asia/Shanghai", column), "YYYY-MM")
    return func.strftime("%Y-%m", column, "+8 hours")


def today_month(moment: Optional[datetime] = None) -> str:
    day: date = local_day(moment)
    return f"{day:%Y-%m}"
