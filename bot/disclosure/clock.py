"""The answer clock of an application: 20 working days from receipt, paused while the applicant
completes a 补正 (the clock restarts) or a third party is consulted (the paused working days are
added back), extended once by at most 20 working days (条例 第三十条、第三十二条、第三十三条).

Working days come from the same calendar as tickets (法定节假日 and 调休 from chinese_calendar,
weekends only past its years); an answer is due at close of business of its last day.
"""

from __future__ import annotations

from datetime import datetime

from bot.calendar import WorkCalendar, working_calendar


def _calendar() -> WorkCalendar:
    return working_calendar()


def due_after(start: datetime, days: int) -> datetime:
    """Close of business of the `days`-th working day after `start`'s day (the day of receipt
    itself is not counted)."""
    calendar = _calendar()
    last_day = calendar.add_working_days(start, days)
    return calendar.close_of_business(last_day.date())


def working_days_between(start: datetime, end: datetime) -> int:
    """Working days after `start`'s day up to and including `end`'s day (0 on the same day)."""
    calendar = _calendar()
    return calendar.working_days_between(calendar.localise(start).date(), calendar.localise(end).date())


def extend(due: datetime, days: int) -> datetime:
    """`due` moved by `days` working days, still at close of business."""
    calendar = _calendar()
    return calendar.close_of_business(calendar.add_working_days(due, days).date())


def working_days_left(due: datetime, now: datetime) -> int:
    """Whole working days from `now` until `due` (negative when overdue)."""
    if due < now:
        return -working_days_between(due, now) or -1
    return working_days_between(now, due)
