"""When 12345 operators answer hand-overs, and what a citizen is told outside those hours.

The hours and the wording are data (`knowledge/handoff.yml`, checked by `HandoffFile`); working
days are the city's calendar (`bot.calendar`: public holidays off, 调休 weekends on).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Optional

from pydantic import validator

from bot.calendar import WorkCalendar, load_policy
from bot.knowledge_files import Schema, load

WEEKDAYS = "一二三四五六日"
_SEARCH_DAYS = 60


class HandoffFile(Schema):
    hours: str
    outside_hours: str

    @validator("hours")
    def _opening_before_closing(cls, value: str) -> str:
        try:
            opens, closes = (time.fromisoformat(part.strip()) for part in value.split("-"))
        except ValueError:
            raise ValueError(f"expected HH:MM-HH:MM, got {value!r}") from None
        if opens >= closes:
            raise ValueError(f"opening {opens} is not before closing {closes}")
        return value

    @validator("outside_hours")
    def _says_when(cls, value: str) -> str:
        if "{next}" not in value:
            raise ValueError("must contain {next}")
        return value


@dataclass(frozen=True)
class ServiceHours:
    opens: time = time(8, 30)
    closes: time = time(17, 30)
    outside_hours: str = "现在不在人工服务时间（工作日 8:30–17:30），工作人员将在{next}上班后尽快回复。"
    calendar: WorkCalendar = field(default_factory=WorkCalendar)

    @classmethod
    def load(cls, path: Path) -> ServiceHours:
        """Read `handoff.yml`; a bad field is named with the file and line."""
        data = load(path, HandoffFile)
        opens, closes = (time.fromisoformat(part.strip()) for part in data.hours.split("-"))
        deadlines = path.parent / "deadlines.yml"
        announced = load_policy(deadlines).calendar.announced if deadlines.exists() else {}
        calendar = WorkCalendar(hours=((opens, closes),), announced=announced)
        return cls(opens, closes, data.outside_hours, calendar)

    def is_open(self, moment: datetime) -> bool:
        local = self.calendar.localise(moment)
        return self.calendar.is_workday(local.date()) and self.opens <= local.time() < self.closes

    def next_opening(self, moment: datetime) -> datetime:
        local = self.calendar.localise(moment)
        day = local.date()
        for _ in range(_SEARCH_DAYS):
            opening = datetime.combine(day, self.opens, tzinfo=self.calendar.tz)
            if self.calendar.is_workday(day) and opening > local:
                return opening
            day += timedelta(days=1)
        raise RuntimeError(f"no working day within {_SEARCH_DAYS} days of {moment}")

    def notice(self, moment: datetime) -> Optional[str]:
        """What to add to the hand-over reply at `moment`: None while operators are at work."""
        if self.is_open(moment):
            return None
        opening = self.next_opening(moment)
        today = self.calendar.localise(moment).date()
        if opening.date() == today:
            day = "今天"
        elif opening.date() == today + timedelta(days=1):
            day = "明天"
        else:
            day = f"{opening.month}月{opening.day}日（周{WEEKDAYS[opening.weekday()]}）"
        return self.outside_hours.format(next=f"{day}{opening.hour}:{opening.minute:02d}")


@lru_cache(maxsize=4)
def service_hours(knowledge_dir: Path) -> ServiceHours:
    return ServiceHours.load(knowledge_dir / "handoff.yml")
