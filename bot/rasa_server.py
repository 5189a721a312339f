"""`python -m bot.rasa_server run …`: Rasa's own command line, without a cost it pays per action.

Rasa checks every action server response with `jsonschema.validate`, which first validates the
response *schema* against the JSON Schema meta-schema and builds a new validator, on every call,
on the event loop. Profiled under 32 conversations (bench/PROFILE.md) that was about 30% of a Rasa
worker's busy time. Here the schema is checked once and its validator reused, and each event is
checked against the schema of its own kind rather than tried against all 23 (`oneOf`); every
response is still validated, and an invalid one still raises the same `ValidationError`.

Rasa also opens a new HTTP session, and so a new TCP connection, for every call to the action
server (`EndpointConfig.request`): profiled at one conversation, about a tenth of a Rasa worker's
busy time went to setting them up. Here each event loop keeps one session per endpoint settings,
whose idle connections are reused for `KEEPALIVE_SECONDS`, less than the action server (Sanic)
keeps them open, so a reused connection is never one the server is closing.

Rasa runs its model graph (the NLU pipeline once a message, the policies once a predicted action)
through dask's synchronous scheduler, which rebuilds the graph, orders it and keeps its own
bookkeeping on every run: about a quarter of a parse's CPU time and of a prediction's. Here each
target set's order is worked out once and the same nodes are called in it with the same inputs,
so the results are the same objects dask would return (tests/unit/test_rasa_server.py). Started
by `bot/runner.py` instead of the `rasa` script; takes the same arguments.
"""

from __future__ import annotations

import asyncio
import copy
import json
from functools import lru_cache
from typing import Any

import aiohttp
import rasa.core.processor
from jsonschema import ValidationError
from jsonschema.exceptions import best_match
from jsonschema.protocols import Validator
from jsonschema.validators import validator_for
from rasa.__main__ import main as rasa_main
from rasa.core.actions.action import RemoteAction
from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.shared.constants import DOCS_BASE_URL
from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT, EndpointConfig

from bot.channels.rasa_client import KEEPALIVE_SECONDS


@lru_cache(maxsize=1)
def response_validator() -> Validator:
    schema = RemoteAction.action_response_format_spec()
    kind = validator_for(schema)
    kind.check_schema(schema)
    return kind(schema)


@lru_cache(maxsize=1)
def event_validators() -> tuple[Validator, dict[str, Validator]]:
    """The response schema without its events' `oneOf`, and a validator per event name.

    Each of the `oneOf`'s alternatives fixes `event` to one name (`const`), so an event is valid
    against the `oneOf` exactly when it is valid against the alternative of its own name: that
    one is checked instead of trying all twenty-three (most of the validation's time)."""
    schema = copy.deepcopy(RemoteAction.action_response_format_spec())
    items = schema["properties"]["events"]["items"]
    alternatives = items.pop("oneOf")
    kind = validator_for(schema)
    by_name = {}
    for alternative in alternatives:
        name = alternative["properties"]["event"]["const"]
        by_name[name] = kind({**alternative, "type": "object"})
    if len(by_name) != len(alternatives):
        raise ValueError("Rasa's action response schema no longer names each event once")
    return kind(schema), by_name


def plainly_valid(result: Any) -> bool:
    """Whether `result` is valid, checked as `event_validators` says; False can also mean that
    the full validation must decide."""
    shallow, by_name = event_validators()
    if not shallow.is_valid(result):
        return False
    events = result.get("events") if isinstance(result, dict) else None
    for event in events if isinstance(events, list) else ():
        validator = by_name.get(event.get("event"))
        if validator is None or not validator.is_valid(event):
            return False
    return True


def validate_action_result(_action: RemoteAction, result: dict[str, Any]) -> bool:
    """What `RemoteAction._validate_action_result` does, with the validator built once and each
    event checked against its own kind; anything not plainly valid gets Rasa's full validation,
    so an invalid response raises the same error."""
    if plainly_valid(result):
        return True
    error: ValidationError | None = best_match(response_validator().iter_errors(result))
    if error is None:
        return True
    error.message += (
        ". Failed to validate Action server response from API, make sure your response from the "
        f"Action endpoint is valid. For more information about the format visit "
        f"{DOCS_BASE_URL}/custom-actions"
    )
    raise error


class KeptSession:
    """What `async with endpoint.session()` gets: a session that outlives the block."""

    _sessions: dict[tuple, aiohttp.ClientSession] = {}

    def __init__(self, endpoint: EndpointConfig) -> None:
        auth = endpoint.basic_auth or {}
        self.key = (
            asyncio.get_running_loop(),
            json.dumps(endpoint.headers or {}, sort_keys=True),
            auth.get("username"),
            auth.get("password"),
        )
        self.endpoint = endpoint

    async def __aenter__(self) -> aiohttp.ClientSession:
        session = self._sessions.get(self.key)
        if session is None or session.closed:
            auth = self.endpoint.basic_auth
            session = aiohttp.ClientSession(
                headers=self.endpoint.headers,
                auth=aiohttp.BasicAuth(auth["username"], auth["password"]) if auth else None,
                timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
                connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_SECONDS),
            )
            self._sessions[self.key] = session
        return session

    async def __aexit__(self, *_: object) -> None:
        return None


def kept_session(endpoint: EndpointConfig) -> KeptSession:
    return KeptSession(endpoint)


class SequentialGraphRunner(DaskGraphRunner):
    """Rasa's graph runner without dask: the nodes a run's targets need, each once, in an order
    worked out once per target set, every node called as dask calls it (its inputs the
    `(name, value)` pairs of the nodes it needs) and a `RuntimeError` reported as Rasa does."""

    def run(
        self,
        inputs: dict[str, Any] | None = None,
        targets: list[str] | None = None,
    ) -> dict[str, Any]:
        run_targets = tuple(targets) if targets else tuple(self._graph_schema.target_names)
        order = self._order(run_targets)
        results: dict[str, Any] = {}
        for name, value in (inputs or {}).items():
            if isinstance(value, str) and (value in results or any(n == value for n, _ in order)):
                raise GraphRunError(
                    f"Input value '{value}' clashes with a node name. Make sure that none of the "
                    f"input names passed to the `run` method are the same as node names in the "
                    f"graph schema."
                )
            results[name] = (name, value)
        try:
            for name, needs in order:
                if name not in results:
                    node = self._instantiated_nodes[name]
                    # an input nobody gave is passed by name, as dask does (the node then says so)
                    results[name] = node(*(results.get(need, need) for need in needs))
        except RuntimeError as error:
            raise GraphRunError("Error running runner.") from error
        return dict(results[target] for target in run_targets)

    def _order(self, targets: tuple[str, ...]) -> list[tuple[str, tuple[str, ...]]]:
        # kept on the instance's dict: a runner whose class was swapped in has had no __init__
        orders = self.__dict__.setdefault("_orders", {})
        order = orders.get(targets)
        if order is None:
            schema = self._graph_schema.minimal_graph_schema(list(targets))
            seen: set[str] = set()
            order = []

            def visit(name: str) -> None:
                if name in seen:
                    return
                seen.add(name)
                node = schema.nodes.get(name)
                if node is None:  # an input placeholder
                    return
                for need in node.needs.values():
                    visit(need)
                order.append((name, tuple(node.needs.values())))

            for target in targets:
                visit(target)
            orders[targets] = order
        return order


def main() -> None:
    RemoteAction._validate_action_result = validate_action_result
    EndpointConfig.session = kept_session
    rasa.core.processor.DaskGraphRunner = SequentialGraphRunner
    rasa_main()


if __name__ == "__main__":
    main()
