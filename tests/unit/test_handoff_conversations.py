"""Hand-over conversations: claim, talk both ways, hand back; transcripts from Rasa's tracker."""

from __future__ import annotations

import pytest

from bot.accounts import Principal
from bot.handoff import Handoff, conversations, request_handoff
from bot.handoff.conversations import ConversationError

WANG = Principal(1, "wang", "operator", None)
LI = Principal(2, "li", "operator", None)
SENDER = "0123456789abcdef0123456789abcdef"


@pytest.fixture
def handoff_id(db) -> int:
    with db.session() as session:
        return request_handoff(
            session, sender_id=SENDER, channel="portal", last_message="我要找人工"
        ).id


def test_an_operator_claims_talks_and_hands_back(db, handoff_id):
    with db.session() as session:
        assert [h.id for h in conversations.open_requests(session)] == [handoff_id]
        claimed = conversations.claim(session, handoff_id, WANG)
        assert (claimed.status, claimed.claimed_by) == ("active", "operator:wang")
        assert conversations.claim(session, handoff_id, WANG).status == "active"
        conversations.operator_says(session, handoff_id, WANG, "您好，请讲")
        conversations.citizen_says(session, SENDER, "<b>路灯</b>坏了")
    with db.session() as session:
        view = conversations.citizen_view(session, SENDER)
        assert view["status"] == "active"
        assert [m["text"] for m in view["messages"]] == ["您好，请讲"]
        lines = conversations.messages(session, handoff_id)
        assert [(m.author, m.text) for m in lines] == [
            ("operator", "您好，请讲"),
            ("citizen", "<b>路灯</b>坏了"),
        ], "a citizen's line is kept as typed (it is shown as text)"
        assert conversations.citizen_view(session, SENDER, after=lines[0].id)["messages"] == []
        conversations.close(session, handoff_id, WANG)
    with db.session() as session:
        assert conversations.citizen_view(session, SENDER)["status"] == "closed"
        assert conversations.open_requests(session) == []
        with pytest.raises(ConversationError):
            conversations.citizen_says(session, SENDER, "还在吗")


def test_only_the_claiming_operator_talks_and_closes(db, handoff_id):
    with db.session() as session:
        with pytest.raises(ConversationError) as not_claimed:
            conversations.operator_says(session, handoff_id, WANG, "您好")
        assert not_claimed.value.status == 409
        conversations.claim(session, handoff_id, WANG)
        with pytest.raises(ConversationError) as taken:
            conversations.claim(session, handoff_id, LI)
        assert "operator:wang" in str(taken.value)
        with pytest.raises(ConversationError) as forbidden:
            conversations.close(session, handoff_id, LI)
        assert forbidden.value.status == 403


def test_empty_messages_and_unknown_requests_are_refused(db, handoff_id):
    with db.session() as session:
        conversations.claim(session, handoff_id, WANG)
        with pytest.raises(ConversationError) as empty:
            conversations.operator_says(session, handoff_id, WANG, "  \x00 ")
        assert empty.value.status == 400
        with pytest.raises(ConversationError) as missing:
            conversations.claim(session, handoff_id + 1, WANG)
        assert missing.value.status == 404


def test_chat_lines_lose_only_control_characters():
    assert conversations.as_typed("a\x07b\u200b\n c ") == "ab\n c"


def test_no_handoff_reads_as_none(db):
    with db.session() as session:
        assert conversations.citizen_view(session, SENDER) == {"status": "none", "messages": []}


def test_tracker_events_become_transcript_lines():
    tracker = {
        "events": [
            {"event": "action", "name": "action_listen", "timestamp": 1.0},
            {"event": "user", "text": "/request_human", "timestamp": 2.0},
            {"event": "bot", "text": "已为您转接人工客服", "timestamp": 3.0},
            {"event": "user", "text": "  ", "timestamp": 4.0},
        ]
    }
    entries = conversations.tracker_entries(tracker)
    assert [(e.author, e.text) for e in entries] == [
        ("citizen", "（点击了按钮：要求人工服务）"),
        ("assistant", "已为您转接人工客服"),
    ]


def test_button_clicks_read_as_the_button_title_never_the_payload():
    confirm = {"title": "确认提交", "payload": "/affirm"}
    policy = {"title": "政务公开的范围", "payload": '/ask_policy{"policy_topic": "scope"}'}
    draft = {"title": "舟山市养犬管理办法", "payload": "3"}
    tracker = {
        "events": [
            {"event": "bot", "text": "请确认", "timestamp": 1.0, "data": {"buttons": [confirm]}},
            {"event": "user", "text": "/affirm", "timestamp": 2.0},
            {"event": "bot", "text": "您想了解", "timestamp": 3.0, "data": {"buttons": [policy, draft]}},
            {"event": "user", "text": policy["payload"], "timestamp": 4.0},
            {"event": "user", "text": "3", "timestamp": 5.0},
            {
                "event": "user",
                "text": '/ask_policy{"policy_topic": "other"}',
                "timestamp": 6.0,
                "parse_data": {"intent": {"name": "ask_policy"}},
            },
        ]
    }
    citizen = [e.text for e in conversations.tracker_entries(tracker) if e.author == "citizen"]
    assert citizen == [
        "（点击了按钮：确认提交）",
        "（点击了按钮：政务公开的范围）",
        "（点击了按钮：舟山市养犬管理办法）",
        "（点击了按钮：政策咨询）",
    ]
    assert not any("/" in line or "{" in line for line in citizen)


def test_telegram_senders_are_delivered_through_the_telegram_channel():
    telegram = Handoff(sender_id="telegram:42", channel="rest")
    portal = Handoff(sender_id=SENDER, channel="portal")
    assert conversations.delivery_channel(telegram) == "telegram"
    assert conversations.delivery_channel(portal) == "portal"


def test_the_look_made_on_every_message_sees_what_open_handoff_sees(db, handoff_id):
    """`Database.first(OPEN_FOR_SENDER)` (the portal's look, without a session) agrees with
    `open_handoff` while the hand-over waits, is active, and once it is closed."""
    from bot.handoff import open_handoff
    from bot.handoff.queue import OPEN_FOR_SENDER

    def both() -> tuple[bool, bool]:
        with db.session() as session:
            seen = open_handoff(session, SENDER) is not None
        return seen, db.first(OPEN_FOR_SENDER, sender=SENDER) is not None

    assert both() == (True, True)
    assert db.first(OPEN_FOR_SENDER, sender="someone else") is None
    with db.session() as session:
        conversations.claim(session, handoff_id, WANG)
    assert both() == (True, True)
    with db.session() as session:
        conversations.close(session, handoff_id, WANG)
    assert both() == (False, False)
