"""Rasa behind `bot.rasa_server` validates action responses exactly as Rasa does."""

from __future__ import annotations

import pytest
from jsonschema import ValidationError, validate
from rasa.core.actions.action import RemoteAction

from bot.rasa_server import validate_action_result

VALID = {
    "events": [{"event": "slot", "name": "phone", "value": "13900000000"}],
    "responses": [{"text": "请确认", "buttons": [{"title": "确认", "payload": "/affirm"}]}],
}
INVALID = [
    {"events": [{"event": 3}], "responses": []},
    {"events": [], "responses": "请确认"},
    {"events": "slot", "responses": []},
]


def test_a_valid_response_passes() -> None:
    assert validate_action_result(None, VALID) is True


@pytest.mark.parametrize("response", INVALID)
def test_an_invalid_response_fails_as_rasa_would(response) -> None:
    with pytest.raises(ValidationError) as rasa_error:
        validate(response, RemoteAction.action_response_format_spec())
    with pytest.raises(ValidationError, match="Failed to validate Action server response") as ours:
        validate_action_result(None, response)
    assert ours.value.message.startswith(rasa_error.value.message)
    assert list(ours.value.path) == list(rasa_error.value.path)
