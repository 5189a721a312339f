"""The Telegram webhook of our web service (`python -m bot web`), against a stand-in Bot API and
a fake Rasa: what is refused, what reaches Rasa, what the citizen gets back, and only once."""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import sys

import httpx
import pytest

from bot.channels.telegram import (
    BUSY,
    START_PAYLOAD,
    STORED_PAYLOAD_PREFIX,
    ProcessedUpdate,
    callback_data,
    payload_of,
    store_payloads,
)
from bot.cli import main
from bot.config import Settings
from bot.db import Database
from bot.dbcli import upgrade
from bot.localstack import free_port
from bot.runner import Service, Supervisor
from tests.telegram_standin import GREETING, BotApiStandIn, FakeRasa, button_update, message_update

SECRET = "s3cret-token_for-webhook"
LONG_PAYLOAD = GREETING[0]["buttons"][1]["payload"]
chats = itertools.count(4200)
update_ids = itertools.count(1)


@pytest.fixture(scope="module")
def bot_api() -> BotApiStandIn:
    standin = BotApiStandIn().start()
    yield standin
    standin.stop()


@pytest.fixture(scope="module")
def rasa() -> FakeRasa:
    fake = FakeRasa().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def web_settings(tmp_path_factory, bot_api: BotApiStandIn, rasa: FakeRasa) -> Settings:
    var_dir = tmp_path_factory.mktemp("telegram-web")
    web_port = free_port()
    settings = dataclasses.replace(
        Settings.from_env(),
        var_dir=var_dir,
        database_url=f"sqlite:///{var_dir / 'web.db'}",
        redis_url="",
        profile="dev",
        web_port=web_port,
        public_base_url=f"http://127.0.0.1:{web_port}",
        rasa_url=rasa.url,
        telegram_token=bot_api.token,
        telegram_secret=SECRET,
        telegram_api_url=bot_api.base_url,
    )
    upgrade(settings.database_url)
    return settings


@pytest.fixture(scope="module")
def web(web_settings: Settings) -> str:
    url = f"http://127.0.0.1:{web_settings.web_port}"
    env = {**web_settings.to_env(), "PYTHONUNBUFFERED": "1"}
    service = Service("web", [sys.executable, "-m", "bot", "web"], f"{url}/healthz", env)
    supervisor = Supervisor([service], web_settings.var_dir / "logs")
    supervisor.start(timeout=60)
    yield url
    supervisor.stop()


@pytest.fixture
def web_db(web_settings: Settings) -> Database:
    database = Database(web_settings.database_url)
    yield database
    database.dispose()


@pytest.fixture(autouse=True)
def fresh_records(bot_api: BotApiStandIn, rasa: FakeRasa) -> None:
    bot_api.calls.clear()
    rasa.requests.clear()
    rasa.status = 200


async def post_update(web: str, body, secret: str | None = SECRET) -> httpx.Response:
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
    async with httpx.AsyncClient(timeout=10) as client:
        if isinstance(body, bytes):
            return await client.post(f"{web}/telegram/webhook", content=body, headers=headers)
        return await client.post(f"{web}/telegram/webhook", json=body, headers=headers)


async def sent_messages(bot_api: BotApiStandIn, count: int) -> list[dict]:
    return await asyncio.to_thread(bot_api.wait_for, "sendMessage", count, 10)


async def test_forged_updates_are_refused_before_anything_is_processed(web, bot_api, rasa, web_db):
    update = message_update(next(update_ids), next(chats), "你好")
    for secret in (None, "", "wrong", SECRET + "x", SECRET.upper()):
        response = await post_update(web, update, secret=secret)
        assert response.status_code == 401, secret
    chat = next(chats)
    genuine = message_update(next(update_ids), chat, "你好")
    assert (await post_update(web, genuine)).status_code == 200
    await sent_messages(bot_api, 1)
    assert [r["sender"] for r in rasa.requests] == [f"telegram:{chat}"], "only the genuine one"
    assert len(bot_api.calls_to("sendMessage")) == 1
    with web_db.session() as session:
        assert session.get(ProcessedUpdate, update["update_id"]) is None


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"\xff\xfe",
        b"[]",
        b'"update"',
        b'{"message": {"text": "hi"}}',
        b'{"update_id": "1"}',
        b'{"update_id": true}',
        b'{"update_id": 1, "message": "hi"}',
        b'{"update_id": 1, "callback_query": {"id": "x"}}',
    ],
)
async def test_a_body_that_is_not_an_update_is_400(web, rasa, body):
    response = await post_update(web, body)
    assert response.status_code == 400
    assert "update_id" in response.json()["error"]
    assert rasa.requests == []


async def test_a_message_goes_to_rasa_and_its_reply_comes_back_with_buttons(web, bot_api, rasa):
    chat, update_id = next(chats), next(update_ids)
    response = await post_update(web, message_update(update_id, chat, "請問 <b>社保</b>"))
    assert response.status_code == 200

    [sent] = await sent_messages(bot_api, 1)
    assert rasa.requests == [
        {
            "sender": f"telegram:{chat}",
            "message": "请问 社保",
            "input_channel": "telegram",
            "metadata": {"channel": "telegram", "user_id": chat, "message_id": update_id * 10},
        }
    ]
    assert int(sent["chat_id"]) == chat
    assert sent["text"] == GREETING[0]["text"]
    rows = sent["reply_markup"]["inline_keyboard"]
    assert [row[0]["text"] for row in rows] == ["政策咨询", "长按钮"]
    assert rows[0][0]["callback_data"] == "/ask_policy"
    shortened = rows[1][0]["callback_data"]
    assert shortened.startswith(STORED_PAYLOAD_PREFIX)
    assert len(shortened.encode()) <= 64 < len(LONG_PAYLOAD.encode())


async def test_a_pressed_button_sends_its_full_payload_and_is_answered(web, bot_api, rasa):
    chat = next(chats)
    await post_update(web, message_update(next(update_ids), chat, "你好"))
    [greeting] = await sent_messages(bot_api, 1)
    long_button = greeting["reply_markup"]["inline_keyboard"][1][0]["callback_data"]

    pressed = button_update(next(update_ids), chat, long_button)
    assert (await post_update(web, pressed)).status_code == 200
    await sent_messages(bot_api, 2)
    answered = [call["callback_query_id"] for call in bot_api.calls_to("answerCallbackQuery")]
    assert answered == [pressed["callback_query"]["id"]]
    assert rasa.requests[-1]["message"] == LONG_PAYLOAD
    assert rasa.requests[-1]["sender"] == f"telegram:{chat}"


async def test_a_repeated_delivery_of_one_update_has_one_effect(web, bot_api, rasa, web_db):
    update = message_update(next(update_ids), next(chats), "你好")
    responses = await asyncio.gather(*(post_update(web, update) for _ in range(3)))
    responses.append(await post_update(web, update))
    assert [r.status_code for r in responses] == [200] * 4

    await sent_messages(bot_api, 1)
    following = message_update(next(update_ids), next(chats), "你好")
    assert (await post_update(web, following)).status_code == 200
    await sent_messages(bot_api, 2)
    assert len(rasa.requests) == 2, "one request for the repeated update, one for the next"
    assert len(bot_api.calls_to("sendMessage")) == 2
    with web_db.session() as session:
        assert session.get(ProcessedUpdate, update["update_id"]) is not None


async def test_start_greets_and_typed_text_cannot_pose_as_an_intent(web, bot_api, rasa):
    chat = next(chats)
    await post_update(web, message_update(next(update_ids), chat, "/start"))
    await sent_messages(bot_api, 1)
    await post_update(web, message_update(next(update_ids), chat, '/inform{"ticket_no": "1"}'))
    await sent_messages(bot_api, 2)
    assert [r["message"] for r in rasa.requests] == [START_PAYLOAD, 'inform{"ticket_no": "1"}']


async def test_when_rasa_is_down_the_citizen_is_told_to_try_later(web, bot_api, rasa):
    rasa.status = 500
    await post_update(web, message_update(next(update_ids), next(chats), "你好"))
    [sent] = await sent_messages(bot_api, 1)
    assert sent["text"] == BUSY


def test_callback_data_fits_telegram_and_leads_back_to_the_payload(db):
    assert callback_data("/ask_policy") == "/ask_policy"
    key = callback_data(LONG_PAYLOAD)
    assert key == callback_data(LONG_PAYLOAD)
    assert len(key.encode()) <= 64
    lookalike = STORED_PAYLOAD_PREFIX + "short"
    assert callback_data(lookalike) != lookalike

    store_payloads(db, [LONG_PAYLOAD, LONG_PAYLOAD, lookalike, "/ask_policy"])
    assert payload_of(db, key) == LONG_PAYLOAD
    assert payload_of(db, callback_data(lookalike)) == lookalike
    assert payload_of(db, "/ask_policy") == "/ask_policy"
    assert payload_of(db, STORED_PAYLOAD_PREFIX + "unknown") is None


def test_set_webhook_gives_telegram_our_url_and_the_secret(web_settings, bot_api, monkeypatch):
    for name, value in web_settings.to_env().items():
        monkeypatch.setenv(name, value)
    assert main(["telegram", "set-webhook"]) == 0
    [call] = bot_api.calls_to("setWebhook")
    assert call["url"] == f"{web_settings.public_base_url}/telegram/webhook"
    assert call["secret_token"] == SECRET
    assert call["allowed_updates"] == ["message", "callback_query"]
