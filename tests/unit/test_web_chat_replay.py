"""The portal's history replay from Rasa's tracker: what the citizen saw, buttons as titles."""

from __future__ import annotations

from bot.web.chat import replay

BUTTONS = [{"title": "投诉求助", "payload": "/file_complaint"}, {"title": "转人工", "payload": "/human"}]


def test_replay_shows_button_titles_even_of_older_buttons_and_leaves_out_the_greeting():
    tracker = {
        "events": [
            {"event": "action", "name": "action_listen", "timestamp": 1},
            {"event": "user", "text": "/greet", "timestamp": 2},
            {"event": "bot", "text": "您好！", "data": {"buttons": BUTTONS}, "timestamp": 3},
            {"event": "user", "text": "/file_complaint", "timestamp": 4},
            {"event": "bot", "text": "请描述问题", "data": {}, "timestamp": 5},
            {"event": "user", "text": "路灯坏了", "timestamp": 6},
            {"event": "user", "text": "/human", "timestamp": 7},
        ]
    }
    lines = replay(tracker)
    assert [(line["author"], line["text"]) for line in lines] == [
        ("bot", "您好！"),
        ("user", "投诉求助"),
        ("bot", "请描述问题"),
        ("user", "路灯坏了"),
        ("user", "转人工"),
    ]
    assert lines[0]["buttons"] == BUTTONS
    assert lines[0]["at"] < lines[1]["at"]


def test_replay_of_an_empty_or_odd_tracker_is_empty():
    assert replay({}) == []
    assert replay({"events": [{"event": "bot", "text": "", "data": None, "timestamp": 1}]}) == []
