"""Time, in one place: everything is stored in UTC and shown in Zhoushan's time (UTC+8).

`now()` is the only reading of the system clock in `bot`, so a test can stop time for the whole
stack with `frozen(...)`; days (receipt numbers, comment windows, working days) are Zhoushan's
calendar days (`local_day`).
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, datetime, timezone
from typing import Iterator, Optional
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Shanghai")

_frozen_at: Optional[datetime] = None


def now() -> datetime:
    """The current time, timezone-aware, in UTC."""
    if _frozen_at is not None:
        return _frozen_at
    return datetime.now(timezone.utc)


@contextmanager
def frozen(moment: datetime) -> Iterator[datetime]:
    """Let `now()` return `moment` (aware; naive is taken as local time) inside the block."""
    global _frozen_at
    previous = _frozen_at
    _frozen_at = as_local(moment).astimezone(timezone.utc)
    try:
        yield _frozen_at
    finally:
        _frozen_at = previous


def local(moment: datetime) -> datetime:
    """`moment` in local time; naive values (SQLite drops the zone) are taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(LOCAL_TZ)


def as_local(moment: datetime) -> datetime:
    """`moment` in local time; naive values are taken as already local (typed by a person)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=LOCAL_TZ)
    return moment.astimezone(LOCAL_TZ)


def local_day(moment: Optional[datetime] = None) -> date:
    """The calendar date in Zhoushan of `moment` (default: now)."""
    return local(moment if moment is not None else now()).date()


def format_cn(moment: Optional[datetime], with_time: bool = True) -> str:
    """2026年12月04日 17:30 (local time); empty for None."""
    if moment is None:
        return ""
    value = local(moment)
    return value.strftime("%Y年%m月%d日 %H:%M" if with_time else "%Y年%m月%d日")
