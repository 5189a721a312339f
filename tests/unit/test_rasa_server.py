"""Rasa behind `bot.rasa_server` validates action responses exactly as Rasa does."""

from __future__ import annotations

import pytest
from jsonschema import ValidationError, validate
from rasa.core.actions.action import RemoteAction

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
