"""The operators' hours for hand-overs: told to citizens outside 8:30–17:30 on working days."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.config import PROJECT_ROOT
from bot.db import utcnow
from bot.handoff.hours import ServiceHours, service_hours

ZHOUSHAN = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def hours() -> ServiceHours:
    return service_hours(PROJECT_ROOT / "knowledge")


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=ZHOUSHAN)


def test_within_hours_on_a_working_day_nothing_is_added(hours):
    assert hours.notice(at(2026, 12, 4, 8, 30)) is None  # a Friday
    assert hours.notice(at(2026, 12, 4, 17, 29)) is None


def test_early_morning_says_the_hours_and_today(hours):
    text = hours.notice(at(2026, 12, 4, 6, 21))
    assert "工作日 8:30–17:30" in text and "今天8:30" in text


def test_friday_evening_and_weekend_point_to_monday(hours):
    assert "12月7日（周一）8:30" in hours.notice(at(2026, 12, 4, 17, 30))
    assert "明天8:30" in hours.notice(at(2026, 12, 6, 22, 0))  # Sunday night


def test_a_public_holiday_is_not_a_working_day(hours):
    assert "10月8日（周四）8:30" in hours.notice(at(2026, 10, 1, 10, 0))  # National Day week


def test_today_gives_an_answer_either_way(hours):
    now = utcnow()
    text = hours.notice(now)
    assert text is None or "8:30" in text
    assert hours.is_open(now) == (text is None)
    assert hours.next_opening(now) > now.astimezone(timezone.utc)


def test_bad_hours_name_the_file_and_field(tmp_path):
    path = tmp_path / "handoff.yml"
    path.write_text('hours: "17:30-08:30"\noutside_hours: "x{next}"\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"handoff\.yml:1: hours: opening"):
        ServiceHours.load(path)
    path.write_text('hours: "08:30-17:30"\noutside_hours: "没有时间"\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"handoff\.yml:2: outside_hours: must contain"):
        ServiceHours.load(path)
