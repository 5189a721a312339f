"""The staff console's breakdown by district (属地): open alerted topics, overdue ones, 督办 and
the nearest response deadline, on a real (SQLite) database, at a fixed moment and now."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bot.db import utcnow
from bot.hotspots.models import ALERTED, CLOSED, RESPONDED, WATCHING, HotspotTopic
from bot.web.hotspots import district_breakdown

FIXED = datetime(2026, 12, 7, 9, 0, tzinfo=timezone.utc)


def topic(district, status, now, hours_left, *, responded=False, supervised=False, alerted=True):
    return HotspotTopic(
        title=f"{district}话题",
        status=status,
        district_name=district,
        first_seen=now - timedelta(hours=2),
        last_seen=now - timedelta(hours=1),
        alert_at=now - timedelta(hours=1) if alerted else None,
        respond_by=now + timedelta(hours=hours_left) if alerted else None,
        responded_at=now if responded else None,
        supervised_at=now if supervised else None,
        messages=6,
        citizens=6,
        heat="[]",
        updated_at=now,
    )


@pytest.mark.parametrize("now", [FIXED, None], ids=["fixed", "today"])
def test_open_alerts_per_district_with_overdue_and_the_nearest_clock(db, now):
    now = now or utcnow()
    with db.session() as session:
        session.add_all(
            [
                topic("定海区", ALERTED, now, 20),
                topic("定海区", ALERTED, now, -2, supervised=True),
                topic("定海区", RESPONDED, now, -5, responded=True),
                topic("普陀区", ALERTED, now, 3.5),
                topic("普陀区", CLOSED, now, -30),
                topic("岱山县", WATCHING, now, 0, alerted=False),
                topic(None, ALERTED, now, 10),
            ]
        )
    with db.session() as session:
        rows = {row["name"]: row for row in district_breakdown(session, now)}

    assert list(rows) == ["定海区", "普陀区", "未指明"]
    dinghai, putuo = rows["定海区"], rows["普陀区"]
    assert (dinghai["open"], dinghai["overdue"], dinghai["supervised"]) == (3, 1, 1)
    assert dinghai["nearest_overdue"] and dinghai["left"] == "已超时 2小时0分"
    assert dinghai["share"] == 100 and putuo["share"] == 33
    assert (putuo["open"], putuo["overdue"], putuo["left"]) == (1, 0, "剩余 3小时30分")
    assert not putuo["nearest_overdue"]
