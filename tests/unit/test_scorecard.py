"""The scorecard over months of activity with known outcomes: every figure checked exactly."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta, timezone
from itertools import count

import pytest
from sqlalchemy import select, update

from bot.clock import LOCAL_TZ
from bot.consultation.models import Clause, OpinionGroup
from bot.disclosure.models import DisclosureApplication
from bot.hotspots.models import HotspotTopic
from bot.publishing import approve, full_checklist, publish, submit
from bot.scorecard import build, drill_down, to_csv, trend
from bot.scorecard.card import refresh_past_months
from bot.tickets.models import Ticket
from tests.conftest import PROJECT_ROOT
from tests.unit.consultation_fixtures import AFTER_CLOSE, PARKING, publish_samples

pytest_plugins = ("tests.unit.consultation_fixtures",)

KNOWLEDGE = PROJECT_ROOT / "knowledge"
AS_OF = AFTER_CLOSE  # 2027-01-05 10:00 Beijing time
PUTUO, DINGHAI = "putuo.city_management", "dinghai.city_management"
numbers = count(1)
PARTLY = "部分公开"


def _at(day: str, hour: int = 10) -> datetime:
    return datetime.fromisoformat(f"{day}T{hour:02d}:00").replace(tzinfo=LOCAL_TZ)


def _ticket(department, created, *, signed=None, sign_by=None, replied=None, due=None,
            satisfaction=None, reopened=0, supervised=False) -> Ticket:  # fmt: skip
    return Ticket(
        number=f"T{next(numbers):06d}", created_at=created, channel="web", type="投诉",
        description="路灯不亮", status="signed" if replied is None else "visited",
        department_id=department, sign_by=sign_by, signed_at=signed, replied_at=replied,
        due_at=due, satisfaction=satisfaction, reopen_count=reopened, supervised=supervised,
        anonymous=False, urgent=False, co_department_ids=[],
    )  # fmt: skip


def _application(department, created, due, *, replied=None, reply_type=None, extended=False):
    return DisclosureApplication(
        number=f"YS{next(numbers):06d}", created_at=created, channel="web",
        applicant_kind="natural", applicant_name="张三", id_type="resident_id",
        id_masked="3309**********0011", id_digest="x" * 64, phone="13800000000",
        description="申请公开某文件", description_key=str(next(numbers)), medium="electronic",
        delivery="email", department_id=department,
        status="replied" if replied else "processing", clock_started_at=created, due_at=due,
        replied_at=replied, closed_at=replied, reply_type=reply_type, reply_detail={},
        extension_days=20 if extended else None,
    )  # fmt: skip


@pytest.fixture
def activity(db, synced, people, accounts):
    """Two months of tickets, applications, 舆情 and policies; the parking consultation."""
    publish_samples(db, synced[PARKING], people)
    nov = _at("2026-11-03")
    with db.session() as session:
        session.add_all([
            # November, 普陀: signed in time, replied on time, satisfied
            _ticket(PUTUO, nov, sign_by=nov + timedelta(hours=2), signed=nov + timedelta(hours=1),
                    due=nov + timedelta(days=5), replied=nov + timedelta(days=4),
                    satisfaction="满意"),
            # 普陀: signed late, replied late (overdue), dissatisfied and reopened, supervised
            _ticket(PUTUO, nov, sign_by=nov + timedelta(hours=2), signed=nov + timedelta(hours=5),
                    due=nov + timedelta(days=5), replied=nov + timedelta(days=7),
                    satisfaction="不满意", reopened=1, supervised=True),
            # 定海: never signed, deadline passed, still open (overdue)
            _ticket(DINGHAI, nov, sign_by=nov + timedelta(hours=2), due=nov + timedelta(days=5)),
            # not yet dispatched
            _ticket(None, nov),
            # December, 定海: the sign-for limit and the deadline are still ahead at AS_OF
            _ticket(DINGHAI, _at("2027-01-05", 9), sign_by=AS_OF + timedelta(hours=1),
                    due=AS_OF + timedelta(days=5)),
        ])  # fmt: skip
        session.add_all([
            _application(PUTUO, nov, nov + timedelta(days=28), replied=nov + timedelta(days=10),
                         reply_type="granted"),
            _application(PUTUO, nov, nov + timedelta(days=28), replied=nov + timedelta(days=40),
                         reply_type="state_secret", extended=True),
            _application(DINGHAI, nov, nov + timedelta(days=28), replied=nov + timedelta(days=3),
                         reply_type="partly"),
            _application(DINGHAI, _at("2027-01-04"), _at("2027-02-01")),
        ])  # fmt: skip
        for level, alert, responded in (
            ("一般", nov, nov + timedelta(hours=20)),
            ("重大", nov, nov + timedelta(hours=6)),
            ("重大", nov, None),
        ):
            session.add(HotspotTopic(title="某话题", status="alerted", level=level,
                                     responsible_id=PUTUO, first_seen=alert, last_seen=alert,
                                     alert_at=alert, responded_at=responded))  # fmt: skip
        for kind, reference, day in (
            ("policy", "policy:a", "2026-11-10"),
            ("policy_interpretation", "policy:a/a-jiedu", "2026-11-10"),
            ("policy", "policy:b", "2026-11-12"),
            ("policy_interpretation", "policy:b", "2026-11-13"),
        ):
            item = submit(session, kind, reference, f"{kind} {reference}", "city.government_office",
                          "staff:li", now=_at(day, 9))  # fmt: skip
            approve(session, item.id, reviewer="reviewer:wang", checklist=full_checklist())
            publish(session, item.id, publisher="staff:li", channels=["web"], now=_at(day, 9))


def _shown(figures) -> dict[str, tuple]:
    return {f.definition.key: (f.numerator, f.denominator, f.shown) for f in figures}


def test_november_city_figures(db, activity):
    with db.session() as session:
        card = build(session, "2026-11", KNOWLEDGE, as_of=AS_OF)
    city = _shown(card.city)
    assert city["signed_in_time"] == (1, 3, "33.3%")
    assert city["closed_on_time"] == (1, 3, "33.3%")
    assert city["overdue"] == (2, None, "2")
    assert city["supervised"] == (1, None, "1")
    assert city["reopened"] == (1, 2, "50.0%")
    assert city["satisfaction"] == (1, 2, "50.0%")
    assert city["answered_on_time"] == (2, 3, "66.7%")
    assert city["extended"] == (1, None, "1")
    assert city["refused"] == (2, None, "2")
    refused = next(f for f in card.city if f.definition.key == "refused")
    assert dict(refused.breakdown) == {"属于国家秘密": 1, PARTLY: 1}
    assert city["responded_24h"] == (2, 3, "66.7%")
    assert city["major_5h"] == (0, 2, "0.0%")
    assert city["major_24h"] == (1, 2, "50.0%")
    assert city["interpreted_same_day"] == (1, 2, "50.0%")
    assert city["summaries_published"] == (0, 0, "—")
    assert city["opinions_answered"] == (0, 0, "—")


def test_districts_and_departments(db, activity):
    with db.session() as session:
        card = build(session, "2026-11", KNOWLEDGE, as_of=AS_OF)
    districts = {name: _shown(figures) for _, name, figures in card.districts}
    assert districts["普陀区"]["signed_in_time"] == (1, 2, "50.0%")
    assert districts["定海区"]["signed_in_time"] == (0, 1, "0.0%")
    assert districts["定海区"]["satisfaction"] == (0, 0, "—")
    departments = {unit.name: _shown(figures) for unit, figures in card.departments}
    assert departments["普陀区综合行政执法局"]["overdue"] == (1, None, "1")
    assert departments["（未派单）"]["signed_in_time"] == (0, 0, "—")


def test_december_limits_not_yet_reached_are_not_counted_and_consultation(db, activity):
    with db.session() as session:
        card = build(session, "2026-12", KNOWLEDGE, as_of=AS_OF)
        not_adopted = session.execute(
            select(OpinionGroup.id)
            .join(Clause, Clause.id == OpinionGroup.clause_id)
            .where(Clause.label.in_(("第七条", "第九条")))
        ).all()
    city = _shown(card.city)
    assert city["signed_in_time"] == (0, 0, "—")
    assert city["closed_on_time"] == (0, 0, "—")
    assert city["overdue"] == (0, None, "0")
    assert city["summaries_published"] == (1, 2, "50.0%")  # parking published, ferry not
    assert city["opinions_answered"] == (5, 5, "100.0%")
    assert city["reasons_given"] == (len(not_adopted), len(not_adopted), "100.0%")
    assert city["responded_24h"] == (0, 0, "—")
    assert city["interpreted_same_day"] == (0, 0, "—")


def test_drill_down_lists_the_records_behind_a_figure(db, activity):
    with db.session() as session:
        late = drill_down(session, "2026-11", "overdue", "numerator", KNOWLEDGE, as_of=AS_OF)
        putuo = drill_down(session, "2026-11", "signed_in_time", "denominator", KNOWLEDGE,
                           unit=PUTUO, as_of=AS_OF)  # fmt: skip
        refused = drill_down(session, "2026-11", "refused", "numerator", KNOWLEDGE, as_of=AS_OF)
    assert len(late) == 2 and {row["unit"] for row in late} == {PUTUO, DINGHAI}
    assert len(putuo) == 2
    assert len(refused) == 2 and all(row["number"].startswith("YS") for row in refused)


def test_csv_and_trend(db, activity):
    with db.session() as session:
        card = build(session, "2026-11", KNOWLEDGE, as_of=AS_OF)
        months = trend(session, "2026-12", KNOWLEDGE, as_of=AS_OF)
    rows = list(csv.DictReader(io.StringIO(to_csv(card))))
    city = {row["figure"]: row for row in rows if row["level"] == "city"}
    assert city["按时签收率"]["numerator"] == "1" and city["按时签收率"]["denominator"] == "3"
    assert city["采纳情况公布率"]["shown"] == "—"
    assert [m.month for m in months][-2:] == ["2026-11", "2026-12"] and len(months) == 12
    assert _shown(months[-2].city) == _shown(card.city)
    assert _shown(months[0].city)["signed_in_time"] == (0, 0, "—")


def test_at_the_real_current_date(db, activity):
    with db.session() as session:
        card = build(session, "2026-11", KNOWLEDGE)
    assert _shown(card.city)["overdue"][0] == 2
    assert datetime.now(timezone.utc) - card.as_of < timedelta(minutes=5)


def test_stored_counts_give_the_same_figures_as_counting_live(db, activity):
    with db.session() as session:
        live = trend(session, "2026-12", KNOWLEDGE, as_of=AS_OF)
        assert refresh_past_months(session, as_of=AS_OF) > 0
    with db.session() as session:
        stored = trend(session, "2026-12", KNOWLEDGE, as_of=AS_OF)
        session.execute(update(Ticket).values(supervised=True))
        changed = trend(session, "2026-12", KNOWLEDGE, as_of=AS_OF)
    assert [_shown(card.city) for card in stored] == [_shown(card.city) for card in live]
    assert [c.departments for c in stored] == [c.departments for c in live]
    november = _shown(changed[-2].city)
    assert november["supervised"] == (1, None, "1"), "past months read from the stored counts"
