"""The working-day calendar and the deadlines built on it (签收 and 办结 time limits).

Every clock that counts working days uses this module: ticket deadlines (policy in
`knowledge/deadlines.yml`), consultation windows, and the time limits of the coming record kinds
(依申请公开: 20 working days).

Working days are China's: public holidays are off and 调休 weekends are on, from
`chinese_calendar`. That package only knows the years the State Council has announced (it raises
NotImplementedError after that). When the next year's 节假日安排 is announced, the city enters it in
`knowledge/deadlines.yml` under `announced_holidays` (rest days and 调休 working days); it is used
as given, before the package. For a year neither knows, Saturdays and Sundays are the only rest
days and a warning is logged once per year: a deadline a few days early is better than none.

Times without a zone are taken as local time (`bot.clock.LOCAL_TZ`); every time returned carries
that zone.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Mapping, Optional, Sequence
from zoneinfo import ZoneInfo

import chinese_calendar

from bot.clock import LOCAL_TZ
from bot.knowledge_files import DeadlinesFile, load_data

log = logging.getLogger(__name__)

TICKET_TYPES = ("咨询", "求助", "投诉", "举报", "建议")
DEFAULT_HOURS = ((time(8, 30), time(12, 0)), (time(13, 30), time(17, 30)))
_SEARCH_LIMIT_DAYS = 3 * 366
_MAX_RANGE_DAYS = 60


@dataclass(frozen=True)
class Announced:
    """One year's announced schedule: the days off and the 调休 weekend days that are worked."""

    rest: frozenset[date] = frozenset()
    work: frozenset[date] = frozenset()


def parse_days(items: Sequence[str]) -> frozenset[date]:
    """Days from "YYYY-MM-DD" and "YYYY-MM-DD..YYYY-MM-DD" items (ValueError, in words, if not)."""
    days: set[date] = set()
    for item in items:
        first, _, last = str(item).partition("..")
        try:
            start = date.fromisoformat(first.strip())
            end = date.fromisoformat(last.strip()) if last else start
        except ValueError:
            raise ValueError(
                f"{item!r} is not a date YYYY-MM-DD or a range YYYY-MM-DD..YYYY-MM-DD"
            ) from None
        if not 0 <= (end - start).days <= _MAX_RANGE_DAYS:
            raise ValueError(f"{item!r}: a range must run forward, at most {_MAX_RANGE_DAYS} days")
        days.update(start + timedelta(days=n) for n in range((end - start).days + 1))
    return frozenset(days)


class WorkCalendar:
    """Which days are working days, and how to count working days and working hours."""

    def __init__(
        self,
        hours: Sequence[tuple[time, time]] = DEFAULT_HOURS,
        tz: ZoneInfo = LOCAL_TZ,
        announced: Optional[Mapping[int, Announced]] = None,
    ):
        if not hours or any(start >= end for start, end in hours):
            raise ValueError("working hours must be non-empty (start, end) pairs with start < end")
        self.hours = tuple(sorted(hours))
        self.tz = tz
        self.announced: Mapping[int, Announced] = dict(announced or {})
        self._years_without_data: set[int] = set()

    def is_workday(self, day: date) -> bool:
        schedule = self.announced.get(day.year)
        if schedule is not None:
            if day in schedule.rest:
                return False
            return day in schedule.work or day.weekday() < 5
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            if day.year not in self._years_without_data:
                self._years_without_data.add(day.year)
                log.warning(
                    "no holidays known for %d (chinese_calendar, announced_holidays in "
                    "deadlines.yml): only weekends are rest days",
                    day.year,
                )
            return day.weekday() < 5

    def localise(self, moment: datetime) -> datetime:
        """`moment` in the calendar's zone (naive times are taken as already local)."""
        if moment.tzinfo is None:
            return moment.replace(tzinfo=self.tz)
        return moment.astimezone(self.tz)

    def close_of_business(self, day: date) -> datetime:
        return datetime.combine(day, self.hours[-1][1], tzinfo=self.tz)

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """The same clock time on the `days`-th working day after `start`'s date."""
        if days < 0:
            raise ValueError("days must be >= 0")
        start = self.localise(start)
        day = start.date()
        counted = 0
        while counted < days:
            day += timedelta(days=1)
            if self.is_workday(day):
                counted += 1
        return datetime.combine(day, start.timetz())

    def due_after_working_days(self, start: datetime, days: int) -> datetime:
        """Close of business of the `days`-th working day after `start` (如 20 个工作日内答复)."""
        return self.close_of_business(self.add_working_days(start, days).date())

    def working_days_between(self, first: date, last: date) -> int:
        """Working days after `first` up to and including `last` (0 when `last` <= `first`)."""
        count, day = 0, first
        while day < last:
            day += timedelta(days=1)
            count += self.is_workday(day)
        return count

    def add_working_hours(self, start: datetime, hours: float) -> datetime:
        """`start` plus `hours` counted only within working hours of working days."""
        if hours < 0:
            raise ValueError("hours must be >= 0")
        remaining = timedelta(hours=hours)
        cursor = self.localise(start)
        if not remaining:
            return cursor
        day = cursor.date()
        for _ in range(_SEARCH_LIMIT_DAYS):
            if self.is_workday(day):
                for opens, closes in self.hours:
                    open_at = datetime.combine(day, opens, tzinfo=self.tz)
                    close_at = datetime.combine(day, closes, tzinfo=self.tz)
                    begin = max(cursor, open_at)
                    if begin >= close_at:
                        continue
                    if remaining <= close_at - begin:
                        return begin + remaining
                    remaining -= close_at - begin
                    cursor = close_at
            day += timedelta(days=1)
        raise RuntimeError(f"no working time found within {_SEARCH_LIMIT_DAYS} days")


@dataclass(frozen=True)
class DeadlinePolicy:
    """How long each kind of ticket may take; loaded from `knowledge/deadlines.yml`."""

    calendar: WorkCalendar = field(default_factory=WorkCalendar)
    finish_days: Mapping[str, int] = field(
        default_factory=lambda: {"咨询": 1, "求助": 3, "投诉": 5, "举报": 5, "建议": 10}
    )
    sign_hours: float = 2
    urgent_sign: timedelta = timedelta(minutes=30)
    urgent_finish: timedelta = timedelta(hours=24)

    @classmethod
    def load(cls, path: Path) -> DeadlinePolicy:
        data = load_data(path, DeadlinesFile)
        hours = [(_clock(a), _clock(b)) for a, b in data.get("working_hours") or ()]
        announced = {
            int(year): Announced(
                parse_days(days.get("rest_days") or ()), parse_days(days.get("working_days") or ())
            )
            for year, days in (data.get("announced_holidays") or {}).items()
        }
        calendar = WorkCalendar(
            hours or DEFAULT_HOURS,
            ZoneInfo(data["timezone"]) if "timezone" in data else LOCAL_TZ,
            announced,
        )
        finish_days = {
            str(k): int(v) for k, v in (data.get("finish_within_working_days") or {}).items()
        }
        missing = set(TICKET_TYPES) - set(finish_days)
        if missing:
            raise ValueError(
                f"{path}: finish_within_working_days lacks {', '.join(sorted(missing))}"
            )
        urgent = data.get("urgent") or {}
        return cls(
            calendar=calendar,
            finish_days=finish_days,
            sign_hours=float(data.get("sign_within_working_hours", 2)),
            urgent_sign=timedelta(minutes=float(urgent.get("sign_within_minutes", 30))),
            urgent_finish=timedelta(hours=float(urgent.get("finish_within_hours", 24))),
        )

    def due_at(self, created_at: datetime, ticket_type: str, urgent: bool = False) -> datetime:
        """When the ticket must be finished (办结): close of business of the Nth working day."""
        created_at = self.calendar.localise(created_at)
        if urgent:
            return created_at + self.urgent_finish
        if ticket_type not in self.finish_days:
            raise ValueError(f"unknown ticket type {ticket_type!r}; expected one of {TICKET_TYPES}")
        return self.calendar.due_after_working_days(created_at, self.finish_days[ticket_type])

    def sign_by(self, created_at: datetime, urgent: bool = False) -> datetime:
        """When the department must have signed for (签收) the ticket."""
        if urgent:
            return self.calendar.localise(created_at) + self.urgent_sign
        return self.calendar.add_working_hours(created_at, self.sign_hours)

    def extend(self, due: datetime, days: int) -> datetime:
        """A granted extension (延期) of `days` working days."""
        return self.calendar.add_working_days(due, days)


def _clock(value: object) -> time:
    hours, minutes = str(value).split(":")
    return time(int(hours), int(minutes))


@lru_cache(maxsize=4)
def load_policy(path: Optional[Path] = None) -> DeadlinePolicy:
    """The policy in `path` (default: the configured knowledge directory's deadlines.yml)."""
    if path is None:
        from bot.config import Settings

        path = Settings.from_env().knowledge_dir / "deadlines.yml"
    return DeadlinePolicy.load(path)


def working_calendar() -> WorkCalendar:
    """The configured working-day calendar (hours and zone from deadlines.yml)."""
    return load_policy().calendar


def add_working_days(start: datetime, days: int) -> datetime:
    return load_policy().calendar.add_working_days(start, days)


def add_working_hours(start: datetime, hours: float) -> datetime:
    return load_policy().calendar.add_working_hours(start, hours)


def due_at(created_at: datetime, ticket_type: str, urgent: bool = False) -> datetime:
    return load_policy().due_at(created_at, ticket_type, urgent)


def sign_by(created_at: datetime, urgent: bool = False) -> datetime:
    return load_policy().sign_by(created_at, urgent)


def extend(due: datetime, days: int) -> datetime:
    return load_policy().extend(due, days)
