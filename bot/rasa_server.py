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
so the results are the same objects dask would return (tests/unit/test_rasa_server.py).

Rasa finds an event's class by its name (`Event.resolve_by_type`) by walking every subclass of
`Event` and asking `inspect.isabstract` of each, for every event it reads: a tracker loaded from
the store and every event an action returns. That walk was about 85 % of loading a 58-event
conversation (3.6 ms → 0.4 ms). Here the class found for a name is remembered; a name not found
still goes to Rasa's own lookup (its default, its `topic` case, its error).

Rasa's featurizers put a message's sparse features side by side, and the intent classifier puts
them beside the (absent) dense ones and stacks the messages, each time with scipy's general block
assembly (`hstack`/`vstack` through `bmat`), about a fifth of a parse. Here the same matrices are
built directly from their coordinates: the same entries, shape, dtype and format.

Every tracker Rasa makes (a load, and a replay of the conversation for each policy's prediction)
copies each of the domain's slots with `copy.copy`, which goes through `__reduce_ex__`; a slot is
a plain object, and here it is copied as `copy.copy` copies one (a new instance with the same
attributes) without that detour: 35 slots 0.1 → 0.03 ms.

A button's payload (`/affirm`, `/deny`, `/ask_policy`…) went through the whole NLU pipeline
(tokenizer, featurizers, classifier, entity extractors) only for the graph's last node, Rasa's
`RegexMessageHandler`, to throw that work away and answer from the payload alone: its message is
made anew from the text and the domain. Here such a payload is answered by that same step directly
(`parse_payload`); a text the handler would leave as it is (no `/`, an intent the domain does not
know, a malformed payload) still goes through the graph. The confirmation of a complaint or an
opinion is a button, so this is on both of the heaviest steps of a conversation.

A form asks for a missing slot by running `action_ask_<slot>`; most of those (actions/prompts.py,
`AskSlotAction`) say a question of actions/prompts.yml and read nothing else: no database, no model,
not the conversation. Each was an HTTP call to the action server and back, three of them in a
complaint and three in an opinion. Here they run in Rasa's process (`InProcessAction`), on the
action server's own executor and classes, with the call Rasa would send and the answer going
through JSON as on the wire, then Rasa's own checks and events: the same messages and events as
over HTTP (tests/unit/test_rasa_server.py). Questions that read the conversation or the database
(the complaint's summary, the list of drafts, the clause buttons) still go to the action server.
prompts.yml is read once by each process, so a change to its wording needs Rasa restarted as well
as the action server (`make run` restarts both).

Each service loads what it keeps for its life (Rasa's model here, the library, the router and
jieba's dictionary in the action server) before it answers, and then moves it out of the cyclic
garbage collector's view (`bot.heap.settle`): a full collection of Rasa's half a million
long-lived objects took about 0.35 s, a pause for whoever was being answered.

Started by `bot/runner.py` instead of the `rasa` script; takes the same arguments.
"""

from __future__ import annotations

import asyncio
import copy
import json
from functools import lru_cache
from typing import Any

import aiohttp
import numpy as np
import rasa.core.actions.action
import rasa.core.processor
import rasa.core.run
import rasa.shared.utils.common
from jsonschema import ValidationError
from jsonschema.exceptions import best_match
from jsonschema.protocols import Validator
from jsonschema.validators import validator_for
from rasa.__main__ import main as rasa_main
from rasa.core.actions.action import RemoteAction
from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.nlu.classifiers.regex_message_handler import RegexMessageHandler
from rasa.shared.constants import DOCS_BASE_URL, INTENT_MESSAGE_PREFIX
from rasa.shared.core.events import Event, deserialise_events
from rasa.shared.core.slots import Slot
from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader
from rasa.shared.nlu.constants import (
    ENTITIES,
    INTENT,
    INTENT_NAME_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT, EndpointConfig
from scipy import sparse

from bot.channels.rasa_client import KEEPALIVE_SECONDS
from bot.heap import settle


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


_EVENT_CLASSES: dict[str, type[Event]] = {}
_rasa_resolve_by_type = Event.resolve_by_type


def resolve_event_class(type_name: str, default: type[Event] | None = None) -> type[Event] | None:
    """`Event.resolve_by_type`, remembering the class found for each name: the first subclass
    with that `type_name`, in the order Rasa's own walk meets them (a subclass defined later
    comes later in that walk, so it never changes what was found)."""
    found = _EVENT_CLASSES.get(type_name)
    if found is None:
        for candidate in rasa.shared.utils.common.all_subclasses(Event):
            if candidate.type_name == type_name:
                found = _EVENT_CLASSES[type_name] = candidate
                break
        else:
            return _rasa_resolve_by_type(type_name, default)
    return found


def side_by_side(left: sparse.spmatrix, right: sparse.spmatrix) -> sparse.spmatrix:
    """`scipy.sparse.hstack([left, right])`: a COO matrix with `left`'s entries, then `right`'s
    moved past `left`'s columns, in the dtype both fit in. Two compressed matrices of one format
    keep scipy's own path, which keeps their format (the featurizers give COO)."""
    if left.format == right.format and left.format in ("csr", "csc"):
        return sparse.hstack([left, right])
    left, right = left.tocoo(), right.tocoo()
    dtype = np.result_type(left.dtype, right.dtype)
    return sparse.coo_matrix(
        (
            np.concatenate((left.data, right.data)).astype(dtype, copy=False),
            (
                np.concatenate((left.row, right.row)),
                np.concatenate((left.col, right.col + left.shape[1])),
            ),
        ),
        shape=(left.shape[0], left.shape[1] + right.shape[1]),
    )


def combine_sparse_features(self: Features, additional_features: Features) -> None:
    """`Features._combine_sparse_features` with `side_by_side` for scipy's `hstack`."""
    if self.features.shape[0] != additional_features.features.shape[0]:
        raise ValueError(
            f"Cannot combine sparse features as sequence dimensions do not "
            f"match: {self.features.shape[0]} != "
            f"{additional_features.features.shape[0]}."
        )
    self.features = side_by_side(self.features, additional_features.features)
    self._cached_fingerprint = None


_rasa_create_x = LogisticRegressionClassifier._create_X


def classifier_input(self: LogisticRegressionClassifier, messages: list) -> sparse.csr_matrix:
    """The classifier's `_create_X` for messages that have sentence-level sparse features and no
    dense ones (this pipeline's): their rows stacked, as `vstack(hstack([sparse, []]))` gives
    them, in CSR and float64. Anything else goes to Rasa's own."""
    rows = []
    for message in messages:
        dense = message.get_dense_features(attribute=TEXT)[1]
        found = message.get_sparse_features(attribute=TEXT)[1]
        if dense is not None or found is None:
            return _rasa_create_x(self, messages)
        rows.append(found.features.tocsr().astype(np.float64, copy=False))
    if len(rows) == 1:
        return rows[0]
    return sparse.vstack(rows, format="csr")


def copy_slot(self: Slot) -> Slot:
    """`copy.copy(slot)` as Python does it for an object without `__slots__` or its own state:
    an instance of the same class whose attributes are the same objects."""
    copied = self.__class__.__new__(self.__class__)
    copied.__dict__.update(self.__dict__)
    return copied


_rasa_parse_with_graph = rasa.core.processor.MessageProcessor._parse_message_with_graph


def parse_payload(
    self: rasa.core.processor.MessageProcessor,
    message: Any,
    tracker: Any,
    only_output_properties: bool = True,
) -> dict[str, Any]:
    """`MessageProcessor._parse_message_with_graph` for an intent payload such as `/affirm`: what
    the graph's `RegexMessageHandler` node makes of it, without the pipeline before it, whose
    output that node discards (it returns a new message built from the text and the domain alone).
    A text it would leave as it is goes through the graph."""
    text = message.text
    if isinstance(text, str) and text.strip().startswith(INTENT_MESSAGE_PREFIX):
        given = Message(data={TEXT: text})
        unpacked = YAMLStoryReader.unpack_regex_message(
            given, self.domain, entity_extractor_name=RegexMessageHandler.__name__
        )
        if unpacked is not given:
            parse_data = {
                TEXT: "",
                INTENT: {INTENT_NAME_KEY: None, PREDICTED_CONFIDENCE_KEY: 0.0},
                ENTITIES: [],
            }
            parse_data.update(unpacked.as_dict(only_output_properties=only_output_properties))
            return parse_data
    return _rasa_parse_with_graph(self, message, tracker, only_output_properties)


@lru_cache(maxsize=1)
def in_process_executor() -> Any:
    """rasa_sdk's executor with the actions that only say a question of prompts.yml (each
    `AskSlotAction` subclass of actions/prompts.py), their wording read and checked now."""
    from rasa_sdk.executor import ActionExecutor

    from actions.prompts import AskSlotAction
    from actions.wording import prompts

    prompts()
    executor = ActionExecutor()
    pending = list(AskSlotAction.__subclasses__())
    while pending:
        kind = pending.pop()
        pending.extend(kind.__subclasses__())
        if kind.slot:
            executor.register_action(kind)
    return executor


class InProcessAction(RemoteAction):
    """A custom action of `in_process_executor`, run as `RemoteAction.run` runs one without the
    HTTP round trip: the same call body, the action server's executor, the answer through JSON,
    Rasa's validation of it, its messages and events made by Rasa's own code."""

    async def run(self, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> list:
        from rasa_sdk.interfaces import ActionExecutionRejection as Rejected

        try:
            answer = await in_process_executor().run(self._action_call_format(tracker, domain))
        except Rejected as rejected:  # over HTTP a 400, which RemoteAction raises as Rasa's own
            raise rasa.core.actions.action.ActionExecutionRejection(
                rejected.action_name, rejected.message
            ) from rejected
        response = json.loads(json.dumps(answer))
        self._validate_action_result(response)
        bot_messages = await self._utter_responses(
            response.get("responses", []), output_channel, nlg, tracker
        )
        return [*bot_messages, *deserialise_events(response.get("events", []))]


_rasa_action_for_name_or_text = rasa.core.actions.action.action_for_name_or_text


def action_for_name_or_text(name: str, domain: Any, action_endpoint: Any) -> Any:
    """Rasa's `action_for_name_or_text`, with `InProcessAction` for a custom action that the
    in-process executor has (anything else as Rasa gives it)."""
    found = _rasa_action_for_name_or_text(name, domain, action_endpoint)
    if type(found) is RemoteAction and name in in_process_executor().actions:
        return InProcessAction(name, action_endpoint)
    return found


_rasa_load_agent_on_start = rasa.core.run.load_agent_on_start


async def load_agent_and_settle(*args: Any, **kwargs: Any) -> Any:
    """Rasa's `load_agent_on_start`, then the loaded model out of the collector's view."""
    agent = await _rasa_load_agent_on_start(*args, **kwargs)
    settle()
    return agent


def install() -> None:
    """Put this module's equivalents in place of Rasa's (what `main` runs Rasa with)."""
    RemoteAction._validate_action_result = validate_action_result
    EndpointConfig.session = kept_session
    rasa.core.processor.DaskGraphRunner = SequentialGraphRunner
    Event.resolve_by_type = staticmethod(resolve_event_class)
    Features._combine_sparse_features = combine_sparse_features
    LogisticRegressionClassifier._create_X = classifier_input
    Slot.__copy__ = copy_slot
    rasa.core.processor.MessageProcessor._parse_message_with_graph = parse_payload
    rasa.core.actions.action.action_for_name_or_text = action_for_name_or_text
    in_process_executor()
    rasa.core.run.load_agent_on_start = load_agent_and_settle


def main() -> None:
    install()
    rasa_main()


if __name__ == "__main__":
    main()
