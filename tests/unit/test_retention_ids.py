"""Retention masks what citizens said, never the identifiers Rasa gives events.

A random hex id holds eleven digits in a row about once in 120 ids (…13955554444…), which read as a
phone number: retention "masked" it, changing the id, and a conversation masked a moment before
had "a number" again as soon as it went on (the e2e retention test failed now and then on it)."""

from __future__ import annotations

import uuid

from bot.privacy import mask
from bot.retention import masked_value

PHONE = "13955554444"


def test_ids_are_left_alone_and_what_was_said_is_masked():
    event = {
        "event": "user",
        "text": f"我的电话{PHONE}",
        "message_id": f"ab{PHONE}cd0123456789abcdef0",
        "parse_data": {"text": f"我的电话{PHONE}", "entities": [{"entity": "phone", "value": PHONE}]},
        "metadata": {"model_id": f"{PHONE}ffff", "note": f"回拨{PHONE}"},
    }
    masked = masked_value(event)
    assert masked["message_id"] == event["message_id"]
    assert masked["metadata"]["model_id"] == event["metadata"]["model_id"]
    assert PHONE not in masked["text"] and PHONE not in masked["parse_data"]["text"]
    assert masked["parse_data"]["entities"][0]["value"] == "139****4444"
    assert PHONE not in masked["metadata"]["note"]


def test_an_event_without_personal_data_is_unchanged_whatever_its_random_ids():
    ids = [uuid.uuid4().hex for _ in range(3000)]
    assert any(mask(i) != i for i in ids), "some random ids read as numbers: the case tested"
    for message_id in ids:
        event = {"event": "user", "text": "你好", "message_id": message_id, "input_channel": "rest"}
        assert masked_value(event) == event
