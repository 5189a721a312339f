"""The monitor and the handling of a topic on a real (SQLite) database: items from tickets and chat
events become topics, alerts are assessed once, and nothing is published without another
person's review; publishing tells the citizens who raised the matter."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import create_engine, select, text

from bot import notices, publishing
from bot.accounts import Principal
from bot.audit import AuditEvent
from bot.hotspots import service
from bot.hotspots.models import (
    ALERTED,
    CLOSED,
    JUDGED,
    PUBLISHED,
    REFUSED,
    RESPONDED,
    HotspotCursor,
    HotspotItem,
    HotspotTopic,
)
from bot.hotspots.monitor import Monitor, rasa_events_db, store_queue_events
from bot.publishing import register

CST = timezone(timedelta(hours=8))
T0 = datetime(2026, 12, 7, 9, 0, tzinfo=CST)
ALL_CHECKED = [item.id for item in publishing.checklist_items()]
DRAFTER = Principal(1, "zhang", "staff", None)
REVIEWER = Principal(2, "li", "reviewer", None)

WATER = [
    "临港路这边一早就停水了",
    "我家在临港路，水龙头一滴水都没有",
    "临港路的水管爆了，路上全是水",
    "请问临港路什么时候恢复供水",
    "定海临港路停水三个小时了",
    "临港路自来水停了，老人做不了饭",
]


def add(db, texts, start=T0, channel="telegram", source="chat"):
    with db.session() as session:
        for n, words in enumerate(texts):
            service.add_item(
                session,
                service.ItemIn(
                    source=source,
                    external_id=f"{start.isoformat()}-{n}",
                    text=words,
                    received_at=start + timedelta(minutes=5 * n),
                    channel=channel,
                    sender_id=f"{channel}:{1000 + n}",
                ),
            )


@pytest.fixture
def monitor(settings, db) -> Monitor:
    found = Monitor(settings, db)
    found.start(now=T0)
    return found


def alerted_topic(db) -> HotspotTopic:
    with db.session() as session:
        [topic] = session.execute(select(HotspotTopic)).scalars().all()
        return topic


def test_items_become_one_alerted_topic_with_its_clock(db, monitor):
    add(db, WATER)
    assert monitor.step(now=T0 + timedelta(minutes=30)) == 6
    topic = alerted_topic(db)
    assert topic.status == ALERTED and topic.messages == 6
    # the fourth within half an hour
    assert topic.alert_at == T0 + timedelta(minutes=15)
    assert topic.respond_by == topic.alert_at + timedelta(hours=24)
    assert topic.district_name == "定海区" and topic.responsible
    with db.session() as session:
        members = session.execute(select(HotspotItem.topic_id)).scalars().all()
        assert members == [topic.id] * 6
        alerts = session.execute(select(AuditEvent).where(AuditEvent.action == "alert")).scalars()
        assert len(alerts.all()) == 1
    assert monitor.step() == 0, "nothing new: nothing read again"


def test_a_restarted_monitor_continues_the_same_topic(settings, db, monitor):
    add(db, WATER[:4])
    monitor.step(now=T0 + timedelta(minutes=20))
    restarted = Monitor(settings, db)
    restarted.start(now=T0 + timedelta(minutes=21))
    add(db, WATER[4:], start=T0 + timedelta(minutes=20))
    restarted.step(now=T0 + timedelta(minutes=30))
    topic = alerted_topic(db)
    assert topic.messages == 6 and topic.status == ALERTED


def test_what_came_in_while_no_monitor_ran_forms_its_topics_when_one_starts(settings, db):
    add(db, WATER[:2])
    earlier = Monitor(settings, db)
    earlier.start(now=T0 + timedelta(minutes=6))
    earlier.step(now=T0 + timedelta(minutes=6))
    add(db, WATER[2:], start=T0 + timedelta(minutes=10))  # the monitor is down meanwhile
    restarted = Monitor(settings, db)
    restarted.start(now=T0 + timedelta(minutes=40))
    topic = alerted_topic(db)
    assert topic.status == ALERTED and topic.messages == 6
    with db.session() as session:
        assert session.execute(select(HotspotItem.topic_id)).scalars().all() == [topic.id] * 6
    assert restarted.step(now=T0 + timedelta(minutes=41)) == 0


def test_a_growing_topic_stores_each_member_once_not_all_of_them_each_step(db, monitor):
    from sqlalchemy import event

    written: list[int] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith("UPDATE hotspot_items SET topic_id"):
            written.append(len(parameters) - 1)  # the ids, beside the new topic id

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        for n, words in enumerate(WATER):
            add(db, [words], start=T0 + timedelta(minutes=5 * n))
            monitor.step(now=T0 + timedelta(minutes=5 * n + 1))
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    topic = alerted_topic(db)
    assert topic.messages == 6
    assert sum(written) == 6, written  # each member once, whenever the topic was written
    with db.session() as session:
        assert session.execute(select(HotspotItem.topic_id)).scalars().all() == [topic.id] * 6


def test_chat_lines_from_rasas_sql_event_broker_are_read_once(settings, db, monitor):
    events = create_engine(f"sqlite:///{rasa_events_db(settings)}")
    with events.begin() as connection:
        connection.execute(text("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255), data TEXT)"))
        for n, words in enumerate(["临港路停水了", "/affirm", "临港路还是没水"]):
            event = {"event": "user", "text": words, "timestamp": T0.timestamp() + n, "input_channel": "wechat"}
            connection.execute(
                text("INSERT INTO events (sender_id, data) VALUES (:s, :d)"),
                {"s": f"wechat:o{n}", "d": json.dumps(event, ensure_ascii=False)},
            )
        for reply in ["您好", 'you said "event": "user"']:  # the marker inside a value is escaped
            connection.execute(
                text("INSERT INTO events (sender_id, data) VALUES ('x', :d)"),
                {"d": json.dumps({"event": "bot", "text": reply})},
            )
    events.dispose()
    monitor.step()
    monitor.step()
    with db.session() as session:
        assert session.get(HotspotCursor, "rasa_sql_events").position == 5, "past the bot's too"
    with db.session() as session:
        items = session.execute(select(HotspotItem).order_by(HotspotItem.id)).scalars().all()
        assert [(i.text, i.channel, i.sender_id) for i in items] == [
            ("临港路停水了", "wechat", "wechat:o0"),
            ("临港路还是没水", "wechat", "wechat:o2"),
        ]


def test_queue_events_are_stored_once(db):
    event = {"event": "user", "text": "临港路停水了", "timestamp": T0.timestamp(), "sender_id": "telegram:7", "input_channel": "telegram"}
    body = json.dumps(event, ensure_ascii=False).encode()
    assert store_queue_events(db, [body, body, b"not json"]) == 1


def handled(db, monitor) -> int:
    add(db, WATER)
    monitor.step(now=T0 + timedelta(minutes=30))
    topic_id = alerted_topic(db).id
    with db.session() as session:
        service.record_judgement(session, topic_id, DRAFTER, "停水影响约两千户，需自来水公司说明抢修进度")
    return topic_id


def test_nothing_is_published_without_another_persons_review(db, monitor):
    topic_id = handled(db, monitor)
    with db.session() as session:
        response = service.draft_response(
            session, topic_id, DRAFTER, "authoritative_information", "临港路供水管道已于今日14时修复。"
        )
        response_id = response.id
    with pytest.raises(service.HotspotError, match="审查"), db.session() as session:
        service.publish_response(session, response_id, DRAFTER)
    with pytest.raises(service.HotspotForbidden, match="起草人不能审查"), db.session() as session:
        service.review_response(session, response_id, DRAFTER, approve=True, checklist=ALL_CHECKED)
    with pytest.raises(service.HotspotError, match="保密审查未完成"), db.session() as session:
        service.review_response(session, response_id, REVIEWER, approve=True, checklist=[])
    with db.session() as session:
        service.review_response(session, response_id, REVIEWER, approve=True, checklist=ALL_CHECKED)
        published = service.publish_response(session, response_id, DRAFTER)
        assert published.state == PUBLISHED
        assert service.get_topic(session, topic_id).status == RESPONDED
        told = session.execute(select(notices.Notice).where(notices.Notice.channel == "telegram")).scalars().all()
        assert sorted(n.recipient for n in told) == [f"telegram:{1000 + n}" for n in range(6)]
        assert all("临港路供水管道已于今日14时修复" in n.message for n in told)
        [(shown, _)] = service.published_responses(session)
        assert shown.id == response_id
        record = register.latest(session, "hotspot_response", f"hotspot:{topic_id}")
        assert record.version == 1 and record.publisher.endswith("zhang")
        assert record.reviewer.endswith("li") and "临港路供水管道已于今日14时修复" in record.content


def test_a_refusal_needs_its_reason_and_a_follow_up_continues_the_record(db, monitor):
    topic_id = handled(db, monitor)
    with db.session() as session:
        first = service.draft_response(session, topic_id, DRAFTER, "publish_solution", "正在抢修。")
    with pytest.raises(service.HotspotError, match="理由"), db.session() as session:
        service.review_response(session, first.id, REVIEWER, approve=False, reason="")
    with db.session() as session:
        refused = service.review_response(session, first.id, REVIEWER, approve=False, reason="未写明恢复供水时间")
        assert refused.state == REFUSED and refused.refusal_reason == "未写明恢复供水时间"
        second = service.draft_response(session, topic_id, DRAFTER, "publish_solution", "预计16时恢复供水。")
        assert second.version == 2
        assert service.get_topic(session, topic_id).status == JUDGED


def test_an_overdue_topic_is_supervised_once_and_closes_with_an_evaluation(db, monitor):
    topic_id = handled(db, monitor)
    late = T0 + timedelta(hours=30)
    with db.session() as session:
        [topic] = service.supervise_overdue(session, now=late)
        assert topic.id == topic_id and topic.supervised_at == late
        assert service.supervise_overdue(session, now=late + timedelta(hours=1)) == []
        [notice] = session.execute(select(notices.Notice).where(notices.Notice.channel == "department")).scalars()
        assert "舆情督办" in notice.message
    with pytest.raises(service.HotspotError), db.session() as session:
        service.close_topic(session, topic_id, DRAFTER, "回应及时")
    with db.session() as session:
        response = service.draft_response(session, topic_id, DRAFTER, "publish_investigation", "已查明原因。")
        service.review_response(session, response.id, REVIEWER, approve=True, checklist=ALL_CHECKED)
        service.publish_response(session, response.id, REVIEWER)
        closed = service.close_topic(session, topic_id, REVIEWER, "回应后未再有新的反映")
        assert closed.status == CLOSED


def test_a_major_level_waits_for_a_person(db, monitor):
    fire = [f"沈家门渔港路那家饭店着火了，浓烟很大，第{n}个人反映" for n in range(16)]
    add(db, fire)
    monitor.step(now=T0 + timedelta(hours=2))
    topic = alerted_topic(db)
    assert topic.level == "重大" and topic.needs_confirmation
    assert topic.press_conference_by == topic.alert_at + timedelta(hours=24)
    with pytest.raises(service.HotspotError, match="确认级别"), db.session() as session:
        service.record_judgement(session, topic.id, DRAFTER, "火灾已扑灭")
    with db.session() as session:
        service.confirm_level(session, topic.id, REVIEWER, "重大")
        service.record_judgement(session, topic.id, DRAFTER, "火灾已扑灭，无人员伤亡")
