"""Working days with China's holidays and 调休, and the 12345 time limits built on them."""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot import calendar as workdays
from bot.calendar import DeadlinePolicy, WorkCalendar

KNOWLEDGE = Path(__file__).resolve().parents[2] / "knowledge"
TZ = ZoneInfo("Asia/Shanghai")


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


@pytest.fixture
def policy() -> DeadlinePolicy:
    return DeadlinePolicy.load(KNOWLEDGE / "deadlines.yml")


def test_national_day_2026_is_off_and_its_make_up_saturday_is_on() -> None:
    calendar = WorkCalendar()
    assert calendar.is_workday(date(2026, 9, 30))
    assert not any(calendar.is_workday(date(2026, 10, d)) for d in range(1, 8))
    assert calendar.is_workday(date(2026, 10, 10)), "调休: Saturday 10 October is a working day"
    assert calendar.is_workday(date(2026, 9, 20)), "调休: Sunday 20 September is a working day"
    assert not calendar.is_workday(date(2026, 10, 11))


def test_a_complaint_of_30_september_skips_the_national_day_holiday(policy) -> None:
    created = at(2026, 9, 30, 10, 0)
    # working days after 30 Sep: 8, 9, 10 (Saturday, 调休), 12, 13 October
    assert policy.due_at(created, "投诉") == at(2026, 10, 13, 17, 30)
    assert policy.due_at(created, "咨询") == at(2026, 10, 8, 17, 30)
    assert policy.due_at(created, "求助") == at(2026, 10, 10, 17, 30)


@pytest.mark.parametrize(
    ("ticket_type", "days"), [("咨询", 1), ("求助", 3), ("投诉", 5), ("举报", 5), ("建议", 10)]
)
def test_default_time_limits_by_type(policy, ticket_type: str, days: int) -> None:
    assert policy.finish_days[ticket_type] == days


def test_signing_counts_working_hours_across_lunch_and_nights(policy) -> None:
    assert policy.sign_by(at(2026, 5, 12, 9, 0)) == at(2026, 5, 12, 11, 0)
    assert policy.sign_by(at(2026, 5, 12, 11, 0)) == at(2026, 5, 12, 14, 30)
    assert policy.sign_by(at(2026, 5, 12, 16, 30)) == at(2026, 5, 13, 9, 30)
    assert policy.sign_by(at(2026, 5, 12, 20, 0)) == at(2026, 5, 13, 10, 30)
    assert policy.sign_by(at(2026, 9, 30, 17, 0)) == at(2026, 10, 8, 10, 0)


def test_urgent_tickets_count_calendar_time(policy) -> None:
    created = at(2026, 10, 1, 22, 0)
    assert policy.due_at(created, "求助", urgent=True) == at(2026, 10, 2, 22, 0)
    assert policy.sign_by(created, urgent=True) == at(2026, 10, 1, 22, 30)


def test_a_deadline_crossing_into_2027_counts_weekends_only_and_warns_once(
    policy, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="bot.calendar")
    created = at(2026, 12, 28, 9, 0)  # Monday
    # 29, 30, 31 Dec; 1 Jan 2027 (Friday: unknown year, so a working day); 4-8 Jan; 11 Jan
    assert policy.due_at(created, "建议") == at(2027, 1, 11, 17, 30)
    assert policy.due_at(created, "投诉") == at(2027, 1, 4, 17, 30)
    warnings = [r for r in caplog.records if "2027" in r.getMessage()]
    assert len(warnings) == 1


def test_an_announced_2027_schedule_entered_in_the_file_is_used_without_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "deadlines.yml"
    path.write_text(
        (KNOWLEDGE / "deadlines.yml").read_text(encoding="utf-8").replace(
            "announced_holidays: {}",
            "announced_holidays:\n"
            "  2027:\n"
            '    rest_days: ["2027-01-01", "2027-02-05..2027-02-11"]\n'
            '    working_days: ["2027-02-14"]\n',
        ),
        encoding="utf-8",
    )
    caplog.set_level(logging.WARNING, logger="bot.calendar")
    policy = DeadlinePolicy.load(path)
    calendar = policy.calendar
    assert not calendar.is_workday(date(2027, 1, 1)), "元旦, a Friday, is off"
    assert not any(calendar.is_workday(date(2027, 2, d)) for d in range(5, 12))
    assert calendar.is_workday(date(2027, 2, 14)), "调休: Sunday 14 February is worked"
    assert calendar.is_workday(date(2026, 10, 10)), "2026 still comes from chinese_calendar"
    # 29, 30, 31 Dec; 4, 5 Jan: the announced 元旦 is skipped
    assert policy.due_at(at(2026, 12, 28, 9, 0), "投诉") == at(2027, 1, 5, 17, 30)
    assert not [r for r in caplog.records if "2027" in r.getMessage()]


@pytest.mark.parametrize(
    "entry, message",
    [
        ('rest_days: ["2027-13-01"]', "is not a date"),
        ('rest_days: ["2027-02-11..2027-02-05"]', "must run forward"),
        ('working_days: ["next monday"]', "is not a date"),
    ],
)
def test_a_wrong_announced_day_is_refused_with_its_line(tmp_path: Path, entry, message) -> None:
    path = tmp_path / "deadlines.yml"
    path.write_text(
        "finish_within_working_days: {咨询: 1, 求助: 3, 投诉: 5, 举报: 5, 建议: 10}\n"
        f"announced_holidays:\n  2027:\n    {entry}\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match=message) as refused:
        DeadlinePolicy.load(path)
    assert "deadlines.yml" in str(refused.value) and "4" in str(refused.value)


def test_add_working_days_keeps_the_clock_time(policy) -> None:
    calendar = policy.calendar
    assert calendar.add_working_days(at(2026, 5, 15, 9, 15), 1) == at(2026, 5, 18, 9, 15)
    assert calendar.add_working_days(at(2026, 5, 16, 9, 15), 1) == at(2026, 5, 18, 9, 15)
    assert calendar.add_working_days(at(2026, 5, 15, 9, 15), 0) == at(2026, 5, 15, 9, 15)


def test_an_extension_adds_working_days_to_the_deadline(policy) -> None:
    due = at(2026, 9, 29, 17, 30)
    assert policy.extend(due, 2) == at(2026, 10, 8, 17, 30)


def test_naive_times_are_local_and_results_carry_the_zone(policy) -> None:
    due = policy.due_at(datetime(2026, 5, 12, 10, 0), "咨询")
    assert due == at(2026, 5, 13, 17, 30) and due.tzinfo is not None
    utc = datetime(2026, 5, 12, 2, 0, tzinfo=ZoneInfo("UTC"))
    assert policy.due_at(utc, "咨询") == due


def test_bad_arguments_are_refused(policy) -> None:
    with pytest.raises(ValueError):
        policy.due_at(at(2026, 5, 12, 10, 0), "抱怨")
    with pytest.raises(ValueError):
        policy.calendar.add_working_days(at(2026, 5, 12, 10, 0), -1)
    with pytest.raises(ValueError):
        policy.calendar.add_working_hours(at(2026, 5, 12, 10, 0), -0.5)
    with pytest.raises(ValueError):
        WorkCalendar(hours=[(time(12, 0), time(8, 0))])


def test_working_hours_and_limits_come_from_the_file(tmp_path: Path) -> None:
    path = tmp_path / "deadlines.yml"
    path.write_text(
        "timezone: Asia/Shanghai\n"
        'working_hours: [["09:00", "17:00"]]\n'
        "sign_within_working_hours: 1\n"
        "finish_within_working_days: {咨询: 2, 求助: 2, 投诉: 7, 举报: 7, 建议: 15}\n"
        "urgent: {sign_within_minutes: 15, finish_within_hours: 12}\n",
        encoding="utf-8",
    )
    policy = DeadlinePolicy.load(path)
    created = at(2026, 5, 12, 16, 30)
    assert policy.sign_by(created) == at(2026, 5, 13, 9, 30)
    assert policy.due_at(created, "咨询") == at(2026, 5, 14, 17, 0)
    assert policy.due_at(created, "投诉", urgent=True) == created + timedelta(hours=12)
    assert policy.sign_by(created, urgent=True) == created + timedelta(minutes=15)


def test_a_file_missing_a_ticket_type_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "deadlines.yml"
    path.write_text("finish_within_working_days: {咨询: 1}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="建议"):
        DeadlinePolicy.load(path)


def test_module_functions_use_the_configured_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZS_KNOWLEDGE_DIR", str(KNOWLEDGE))
    workdays.load_policy.cache_clear()
    created = at(2026, 9, 30, 10, 0)
    assert workdays.due_at(created, "投诉") == at(2026, 10, 13, 17, 30)
    assert workdays.sign_by(created) == at(2026, 9, 30, 12, 0)
    assert workdays.extend(at(2026, 9, 29, 17, 30), 2) == at(2026, 10, 8, 17, 30)
    assert workdays.add_working_days(created, 1) == at(2026, 10, 8, 10, 0)
    assert workdays.add_working_hours(created, 2.5) == at(2026, 9, 30, 14, 0)
