"""`python -m bot.rasa_server run …`: Rasa's own command line, without a cost it pays per action.

Rasa checks every action server response with `jsonschema.validate`, which first validates the
response *schema* against the JSON Schema meta-schema and builds a new validator, on every call,
on the event loop. Profiled under 32 conversations (bench/PROFILE.md) that was about 30% of a Rasa
worker's busy time. Here the schema is checked once and its validator reused; every response is
still validated, and an invalid one still raises the same `ValidationError`. Started by
`bot/runner.py` instead of the `rasa` script; takes the same arguments.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jsonschema import ValidationError
from jsonschema.exceptions import best_match
from jsonschema.protocols import Validator
from jsonschema.validators import validator_for
from rasa.__main__ import main as rasa_main
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL


@lru_cache(maxsize=1)
def response_validator() -> Validator:
    schema = RemoteAction.action_response_format_spec()
    kind = validator_for(schema)
    kind.check_schema(schema)
    return kind(schema)


def validate_action_result(_action: RemoteAction, result: dict[str, Any]) -> bool:
    """What `RemoteAction._validate_action_result` does, with the validator built once."""
    error: ValidationError | None = best_match(response_validator().iter_errors(result))
    if error is None:
        return True
    error.message += (
        ". Failed to validate Action server response from API, make sure your response from the "
        f"Action endpoint is valid. For more information about the format visit "
        f"{DOCS_BASE_URL}/custom-actions"
    )
    raise error


def main() -> None:
    RemoteAction._validate_action_result = validate_action_result
    rasa_main()


if __name__ == "__main__":
    main()
