"""The fallback actions on recorded trackers: meaningless input gets "没看懂" and the menu,
an unsure guess offers its buttons with the numbers the citizen typed."""

from __future__ import annotations

import pytest

from actions.fallback import (
    ActionDefaultAskAffirmation,
    ActionDefaultAskRephrase,
    ActionOutOfScope,
    meaningless,
)
from tests.unit.recorded import run, user


@pytest.mark.parametrize("text", ["😀😀😀", "asdfghjkl", "？？？", "!!!", "啊啊啊啊", "qwer tyui"])
def test_meaningless_input_is_recognised(text):
    assert meaningless(text)


@pytest.mark.parametrize(
    "text", ["ZS20261207-0001", "hello", "ok", "路灯坏了", "1234", "/greet", "我要投诉😀"]
)
def test_meaningful_input_is_kept(text):
    assert not meaningless(text)


@pytest.mark.parametrize(
    "action", [ActionDefaultAskAffirmation(), ActionDefaultAskRephrase(), ActionOutOfScope()]
)
def test_meaningless_input_gets_not_understood_from_every_fallback(action):
    said, _ = run(action, [user("😀😀😀", "goodbye", 0.3)])
    assert [m["response"] for m in said] == ["utter_not_understood"]


def test_an_unsure_guess_keeps_the_ticket_number_on_its_buttons():
    message = user("查询 ZS20261207-0001", "check_status", 0.5, ticket_no="ZS20261207-0001")
    said, _ = run(ActionDefaultAskAffirmation(), [message])
    payloads = [b["payload"] for b in said[0]["buttons"]]
    assert payloads[0] == '/check_status{"ticket_no": "ZS20261207-0001"}'
    assert payloads[-1] == "/out_of_scope"


def test_out_of_scope_with_meaning_says_what_we_do():
    said, _ = run(ActionOutOfScope(), [user("明天舟山天气怎么样", "out_of_scope")])
    assert [m["response"] for m in said] == ["utter_out_of_scope"]
