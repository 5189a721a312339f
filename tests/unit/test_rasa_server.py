"""Rasa behind `bot.rasa_server` validates action responses exactly as Rasa does."""

from __future__ import annotations

import pytest
from jsonschema import ValidationError, validate
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.trackers import DialogueStateTracker

from bot.rasa_server import plainly_valid, validate_action_result

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


def test_action_calls_reuse_one_session_and_its_connections() -> None:
    """Two calls through Rasa's `EndpointConfig.request`, patched as `main` patches it: one
    session, one TCP connection, both answers right."""
    import asyncio

    from aiohttp import web
    from rasa.utils.endpoints import EndpointConfig

    from bot.rasa_server import kept_session

    async def scenario() -> tuple[list, int, int]:
        peers = set()

        async def answer(request: web.Request) -> web.Response:
            peers.add(request.transport.get_extra_info("peername"))
            return web.json_response(await request.json())

        app = web.Application()
        app.router.add_post("/webhook", answer)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        original = EndpointConfig.session
        EndpointConfig.session = kept_session
        try:
            endpoint = EndpointConfig(f"http://127.0.0.1:{port}/webhook")
            answers = [await endpoint.request(json={"n": n}) for n in range(2)]
            sessions = {id(await kept_session(endpoint).__aenter__()) for _ in range(2)}
            session = await kept_session(endpoint).__aenter__()
            await session.close()
        finally:
            EndpointConfig.session = original
            await runner.cleanup()
        return answers, len(sessions), len(peers)

    answers, sessions, connections = asyncio.run(scenario())
    assert answers == [{"n": 0}, {"n": 1}]
    assert (sessions, connections) == (1, 1)


def _events_of_every_kind() -> list[dict]:
    """Each kind of event Rasa's schema knows, bare and with fields right and wrong."""
    schema = RemoteAction.action_response_format_spec()
    alternatives = schema["properties"]["events"]["items"]["oneOf"]
    kinds = [alternative["properties"]["event"]["const"] for alternative in alternatives]
    extra = [
        {},
        {"name": "phone", "value": "139"},
        {"name": 3},
        {"text": "你好", "data": {"buttons": []}},
        {"text": 5},
        {"timestamp": "soon"},
        {"entities": [{"entity": "place", "value": "定海"}]},
        {"entities": [{"value": "定海"}]},
    ]
    return [{"event": kind, **fields} for kind in [*kinds, "nonsense"] for fields in extra]


@pytest.mark.parametrize("event", _events_of_every_kind())
def test_each_event_checked_by_its_kind_agrees_with_rasas_full_validation(event) -> None:
    response = {"events": [{"event": "slot", "name": "phone", "value": "139"}, event]}
    try:
        validate(response, RemoteAction.action_response_format_spec())
        valid = True
    except ValidationError:
        valid = False
    assert plainly_valid(response) is valid
    if valid:
        assert validate_action_result(None, response) is True
    else:
        with pytest.raises(ValidationError, match="Failed to validate Action server response"):
            validate_action_result(None, response)


@pytest.mark.parametrize("token", ["-Jq3x" + "a" * 40, "--" + "b" * 44, "plain" + "c" * 40])
def test_rasa_reads_any_token_the_installation_can_draw(tmp_path, token) -> None:
    """`secrets.token_urlsafe` begins with "-" one time in 64: the argument Rasa gets must still
    be the token, not an option (CI once saw every stack's Rasa exit with 2 on such a token)."""
    import dataclasses

    from rasa.__main__ import create_argument_parser

    from bot.config import Settings
    from bot.runner import service_specs

    settings = dataclasses.replace(Settings(), var_dir=tmp_path, rasa_token=token)
    rasa = next(s for s in service_specs(settings, tmp_path / "m.tar.gz", tmp_path / "e.yml")
                if s.name == "rasa")
    arguments = rasa.argv[rasa.argv.index("bot.rasa_server") + 1:]
    parsed = create_argument_parser().parse_args(arguments)
    assert parsed.auth_token == token
    assert parsed.enable_api and parsed.port == settings.rasa_port


@pytest.mark.parametrize(
    "kinds", ["int64 int64 coo coo", "int64 float64 coo csr", "float32 int64 csr coo", "int64 int64 csr csr"]
)
def test_features_side_by_side_are_scipys_hstack(kinds: str) -> None:
    left_dtype, right_dtype, left_format, right_format = kinds.split()
    import numpy as np
    from scipy import sparse

    from bot.rasa_server import side_by_side

    rng = np.random.default_rng(7)
    for rows, left_cols, right_cols in [(1, 5, 3), (4, 6000, 8000), (3, 7, 0), (2, 0, 4)]:
        left = sparse.random(rows, left_cols, density=0.3, format=left_format, random_state=rng)
        right = sparse.random(rows, right_cols, density=0.3, format=right_format, random_state=rng)
        left, right = (m.astype(d) for m, d in ((left, left_dtype), (right, right_dtype)))
        ours, theirs = side_by_side(left, right), sparse.hstack([left, right])
        assert (ours.format, ours.shape, ours.dtype) == (theirs.format, theirs.shape, theirs.dtype)
        assert (ours != theirs).nnz == 0
        assert ours.tocsr().indices.tolist() == theirs.tocsr().indices.tolist()


def test_features_of_different_lengths_are_refused_as_rasa_refuses_them() -> None:
    from rasa.shared.nlu.training_data.features import Features
    from scipy import sparse

    from bot.rasa_server import combine_sparse_features

    one = Features(sparse.coo_matrix((2, 3)), "sequence", "text", "a")
    other = Features(sparse.coo_matrix((3, 3)), "sequence", "text", "b")
    with pytest.raises(ValueError, match="sequence dimensions do not match"):
        combine_sparse_features(one, other)


def test_event_classes_are_found_as_rasa_finds_them() -> None:
    from rasa.shared.core.events import Event, UserUttered
    from rasa.shared.utils.common import all_subclasses

    from bot.rasa_server import _rasa_resolve_by_type, resolve_event_class

    for name in {kind.type_name for kind in all_subclasses(Event)}:
        assert resolve_event_class(name) is _rasa_resolve_by_type(name), name
        assert resolve_event_class(name) is _rasa_resolve_by_type(name), name  # remembered
    assert resolve_event_class("topic") is None
    assert resolve_event_class("no such event", UserUttered) is UserUttered
    with pytest.raises(ValueError, match="Unknown event name"):
        resolve_event_class("no such event")


def test_a_conversation_loads_the_same_with_classes_remembered(monkeypatch) -> None:
    from rasa.shared.core.events import Event
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.rasa_server import resolve_event_class

    events = [
        {"event": "action", "name": "action_session_start", "timestamp": 1.0},
        {"event": "session_started", "timestamp": 1.0},
        {"event": "user", "text": "你好", "parse_data": {"intent": {"name": "greet"}}, "timestamp": 2.0},
        {"event": "slot", "name": "phone", "value": "13900000000", "timestamp": 3.0},
        {"event": "active_loop", "name": "complaint_form", "timestamp": 3.0},
        {"event": "bot", "text": "请确认", "timestamp": 4.0},
    ]
    stock = DialogueStateTracker.from_dict("s", events, []).current_state()
    monkeypatch.setattr(Event, "resolve_by_type", staticmethod(resolve_event_class))
    assert DialogueStateTracker.from_dict("s", events, []).current_state() == stock


def test_slots_are_copied_as_copy_copies_them() -> None:
    import copy
    from pathlib import Path

    from rasa.shared.core.domain import Domain
    from rasa.shared.core.slots import Slot

    from bot.rasa_server import copy_slot

    assert "__slots__" not in vars(Slot) and "__getstate__" not in vars(Slot)
    for slot in Domain.load(Path(__file__).parents[2] / "domain.yml").slots:
        slot.value = ["a value"]
        stock, ours = copy.copy(slot), copy_slot(slot)
        assert type(ours) is type(stock) and ours is not slot
        assert vars(ours) == vars(stock) and ours.value is slot.value  # shallow, as copy.copy


def test_the_domain_goes_only_to_the_form_validators(settings) -> None:
    """Rasa sends the domain (13 kB of JSON) with an action call only when the action asks for
    it; rasa_sdk's form validators read the form's required slots from it, nothing else does."""
    from pathlib import Path

    from rasa.shared.core.domain import Domain
    from rasa.utils.endpoints import EndpointConfig

    from bot.runner import render_endpoints

    domain = Domain.load(Path(__file__).parents[2] / "domain.yml")
    endpoint = EndpointConfig.from_dict(render_endpoints(settings)["action_endpoint"])
    sent = {
        name
        for name in domain.user_actions
        if "domain" in RemoteAction(name, endpoint)._action_call_format(
            DialogueStateTracker("s", domain.slots), domain
        )
    }
    assert sent == {name for name in domain.user_actions if name.startswith("validate_")}
    assert len(sent) == 5


def test_a_question_said_in_rasa_is_what_the_action_server_says(settings, monkeypatch) -> None:
    """Each form question of prompts.yml (`AskSlotAction`) run in Rasa's process gives the
    messages and events that the same action gives over HTTP from the action server's executor
    (every action of the `actions` package registered, the call and the answer through JSON)."""
    import asyncio
    import json as wire
    from pathlib import Path

    from rasa.core.channels.channel import CollectingOutputChannel
    from rasa.core.nlg import TemplatedNaturalLanguageGenerator
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
    from rasa.utils.endpoints import EndpointConfig
    from rasa_sdk.executor import ActionExecutor

    from actions.wording import prompts
    from bot.rasa_server import InProcessAction, action_for_name_or_text, in_process_executor
    from bot.runner import render_endpoints

    domain = Domain.load(Path(__file__).parents[2] / "domain.yml")
    endpoint = EndpointConfig.from_dict(render_endpoints(settings)["action_endpoint"])
    server = ActionExecutor()
    server.register_package("actions")

    async def over_http(json=None, **_):  # noqa: A002 - EndpointConfig.request's keyword
        return wire.loads(wire.dumps(await server.run(wire.loads(wire.dumps(json)))))

    monkeypatch.setattr(endpoint, "request", over_http)
    tracker = DialogueStateTracker.from_events(
        "prompts",
        [
            ActionExecuted("action_listen"),
            UserUttered("我要投诉", {"name": "file_complaint", "confidence": 1.0}, input_channel="portal"),
            SlotSet("complaint_text", "楼下噪音"),
        ],
        domain.slots,
    )
    names = set(in_process_executor().actions)
    assert names == {f"action_ask_{slot}" for slot in prompts()} and names <= set(domain.user_actions)
    nlg = TemplatedNaturalLanguageGenerator(domain.responses)

    def said(action) -> list[dict]:
        events = asyncio.run(action.run(CollectingOutputChannel(), nlg, tracker, domain))
        return [{k: v for k, v in e.as_dict().items() if k != "timestamp"} for e in events]

    for name in names:
        ours = action_for_name_or_text(name, domain, endpoint)
        assert type(ours) is InProcessAction
        stock = said(RemoteAction(name, endpoint))
        assert stock and said(ours) == stock, name
    for name in ("action_ask_complaint_confirmed", "action_ask_opinion_clause", "action_submit_complaint"):
        assert type(action_for_name_or_text(name, domain, endpoint)) is RemoteAction
    assert type(action_for_name_or_text("complaint_form", domain, endpoint)).__name__ == "FormAction"


def test_a_question_refused_in_rasa_is_refused_as_over_http(monkeypatch) -> None:
    """rasa_sdk's `ActionExecutionRejection` (a 400 over HTTP) reaches Rasa as Rasa's own, with
    the action's name and message, as `RemoteAction` raises it."""
    import asyncio
    from pathlib import Path

    from rasa.core.actions.action import ActionExecutionRejection
    from rasa.shared.core.domain import Domain
    from rasa_sdk.interfaces import ActionExecutionRejection as Rejected

    from bot.rasa_server import InProcessAction, in_process_executor

    async def refuse(_call):
        raise Rejected("action_ask_opinion_text", "不行")

    monkeypatch.setattr(in_process_executor(), "run", refuse)
    domain = Domain.load(Path(__file__).parents[2] / "domain.yml")
    action = InProcessAction("action_ask_opinion_text", None)
    with pytest.raises(ActionExecutionRejection) as raised:
        asyncio.run(action.run(None, None, DialogueStateTracker("s", domain.slots), domain))
    assert (raised.value.action_name, raised.value.message) == ("action_ask_opinion_text", "不行")
