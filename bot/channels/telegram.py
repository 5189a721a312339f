"""The Telegram channel: citizens chat with the assistant in Telegram, through Rasa's REST channel.

Updates reach one `Application` either from our webhook (`bot/web/telegram.py`, production) or by
polling (development). Its handlers send the typed text, or the payload of a pressed button, to
Rasa as `telegram:<chat id>` and Rasa's replies back to the chat, buttons as an inline keyboard.
Every update is first claimed in `telegram_updates`, so an update Telegram delivers twice has one
effect. Only private chats are served: a group would mix several citizens' matters.

    python -m bot telegram poll                 fetch updates with getUpdates (development)
    python -m bot telegram set-webhook [URL]    have Telegram POST updates to our web service
    python -m bot telegram deliver              send pending notices (ticket answered, ...)
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import logging
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator, Awaitable, Iterable, Optional

from sqlalchemy import BigInteger, Column, DateTime, String, Text
from sqlalchemy.exc import IntegrityError
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import InlineKeyboardButtonLimit, MessageLimit
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    BaseUpdateProcessor,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot import notices
from bot.channels.rasa_client import BotMessage, RasaClient, RasaUnavailable
from bot.config import Settings
from bot.db import Base, Database, utcnow
from bot.text import clean
from bot.threads import in_thread

CHANNEL = "telegram"
WEBHOOK_PATH = "/telegram/webhook"
TELEGRAM_API_URL = "https://api.telegram.org/bot"
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]
START_PAYLOAD = "/greet"
STORED_PAYLOAD_PREFIX = "~"
CHOOSE = "请选择："
BUSY = "系统繁忙，请稍后再试，或拨打12345政务服务热线。"

logger = logging.getLogger(__name__)
logging.getLogger("httpx").setLevel(logging.WARNING)  # its request log shows the token in URLs


class ProcessedUpdate(Base):
    """An update already taken on; inserting the same `update_id` again fails."""

    __tablename__ = "telegram_updates"

    update_id = Column(BigInteger, primary_key=True, autoincrement=False)
    received_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class StoredPayload(Base):
    """A button payload longer than Telegram's 64-byte callback data, under a short key."""

    __tablename__ = "telegram_callbacks"

    key = Column(String(32), primary_key=True)
    payload = Column(Text, nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


def api_url(settings: Settings) -> str:
    """The Bot API's base URL, to which the token is appended; a stand-in's in tests."""
    return settings.telegram_api_url or TELEGRAM_API_URL


def make_bot(settings: Settings) -> Bot:
    return Bot(settings.telegram_token, base_url=api_url(settings))


def sender_id(chat_id: int) -> str:
    return f"{CHANNEL}:{chat_id}"


def chat_id(sender: str) -> int:
    """The chat of a `telegram:<chat id>` sender; ValueError for any other sender."""
    channel, _, chat = sender.partition(":")
    if channel != CHANNEL:
        raise ValueError(f"not a Telegram sender: {channel}")
    return int(chat)


def claim(db: Database, update_id: int) -> bool:
    """Record `update_id` as taken; False when it already was (a repeated delivery)."""
    try:
        with db.session() as session:
            session.add(ProcessedUpdate(update_id=update_id))
    except IntegrityError:
        return False
    return True


def callback_data(payload: str) -> str:
    """What a button carries: the payload itself when it fits, else a key derived from it.

    The key is a digest, so the same payload always gets the same key and storing it again is
    harmless. A short payload that happens to start like a key is stored too.
    """
    fits = len(payload.encode()) <= InlineKeyboardButtonLimit.MAX_CALLBACK_DATA
    if fits and not payload.startswith(STORED_PAYLOAD_PREFIX):
        return payload
    digest = hashlib.sha256(payload.encode()).digest()[:18]
    return STORED_PAYLOAD_PREFIX + base64.urlsafe_b64encode(digest).decode()


def store_payloads(db: Database, payloads: Iterable[str]) -> None:
    """Keep every payload that travels as a key, so a pressed button can be resolved."""
    for payload in payloads:
        key = callback_data(payload)
        if key == payload:
            continue
        try:
            with db.session() as session:
                if session.get(StoredPayload, key) is None:
                    session.add(StoredPayload(key=key, payload=payload))
        except IntegrityError:
            continue  # another process stored the same payload under the same key meanwhile


def payload_of(db: Database, data: str) -> Optional[str]:
    """The payload behind a pressed button's callback data; None for an unknown key."""
    if not data.startswith(STORED_PAYLOAD_PREFIX):
        return data
    with db.session() as session:
        stored = session.get(StoredPayload, data)
        return stored.payload if stored else None


def telegram_messages(reply: BotMessage) -> list[tuple[str, Optional[InlineKeyboardMarkup]]]:
    """One Rasa message as Telegram messages: the text in parts Telegram accepts, the buttons as
    an inline keyboard (one a row) under the last part."""
    text = reply.text or (CHOOSE if reply.buttons else "")
    limit = MessageLimit.MAX_TEXT_LENGTH
    parts = [text[start : start + limit] for start in range(0, len(text), limit)]
    if not parts:
        return []
    keyboard = None
    if reply.buttons:
        keyboard = InlineKeyboardMarkup(
            [
                [InlineKeyboardButton(b.title or b.payload, callback_data=callback_data(b.payload))]
                for b in reply.buttons
            ]
        )
    return [(part, None) for part in parts[:-1]] + [(parts[-1], keyboard)]


def _db(context: ContextTypes.DEFAULT_TYPE) -> Database:
    return context.bot_data["db"]


def _rasa(context: ContextTypes.DEFAULT_TYPE) -> RasaClient:
    return context.bot_data["rasa"]


async def converse(update: Update, context: ContextTypes.DEFAULT_TYPE, message: str) -> None:
    """Send `message` to Rasa as this chat, and Rasa's replies back to the chat."""
    chat = update.effective_chat.id
    metadata = {
        "channel": CHANNEL,
        "user_id": update.effective_user.id,
        "message_id": update.effective_message.message_id,
    }
    try:
        replies = await _rasa(context).send(
            sender_id(chat), message, input_channel=CHANNEL, metadata=metadata
        )
    except RasaUnavailable as error:
        logger.warning("update %s: %s", update.update_id, error)
        replies = [BotMessage(BUSY)]
    payloads = [button.payload for reply in replies for button in reply.buttons]
    if any(callback_data(payload) != payload for payload in payloads):
        await in_thread(store_payloads, _db(context), payloads)
    for reply in replies:
        for text, keyboard in telegram_messages(reply):
            await context.bot.send_message(chat, text, reply_markup=keyboard)


async def claim_update(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Runs first for every update: a repeated delivery stops here."""
    if not await in_thread(claim, _db(context), update.update_id):
        logger.info("update %s was already processed", update.update_id)
        raise ApplicationHandlerStop


async def on_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`/start` opens every new chat: greet."""
    await converse(update, context, START_PAYLOAD)


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Typed text, cleaned; a leading `/` is dropped so only our buttons send intent payloads."""
    text = clean(update.effective_message.text).lstrip("/").strip()
    if text:
        await converse(update, context, text)


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A pressed inline button: stop its spinner, then send its payload."""
    query = update.callback_query
    await query.answer()
    payload = await in_thread(payload_of, _db(context), query.data or "")
    if payload:
        await converse(update, context, payload)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log a failed update by its id only: its text may hold personal data."""
    update_id = update.update_id if isinstance(update, Update) else None
    logger.error("Telegram update %s failed", update_id, exc_info=context.error)


class OneChatAtATime(BaseUpdateProcessor):
    """Different chats are served concurrently, each chat's updates in the order they came: a
    slow answer to one citizen delays nobody else, and a button pressed just before a typed
    message reaches Rasa first."""

    def __init__(self, max_concurrent_updates: int = 64) -> None:
        super().__init__(max_concurrent_updates)
        self._chats: dict[Optional[int], tuple[asyncio.Lock, int]] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        key = chat.id if chat else None
        lock, waiting = self._chats.get(key, (asyncio.Lock(), 0))
        self._chats[key] = (lock, waiting + 1)
        try:
            async with lock:
                await coroutine
        finally:
            lock, waiting = self._chats[key]
            if waiting == 1:
                del self._chats[key]
            else:
                self._chats[key] = (lock, waiting - 1)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""


async def close_rasa(application: Application) -> None:
    await application.bot_data["rasa"].aclose()


def build_application(settings: Settings, db: Database, *, polling: bool = False) -> Application:
    """The Telegram application: the bot, our handlers and a Rasa client.

    Without `polling` it has no updater: the webhook puts updates on its `update_queue`. Whoever
    starts it without `run_polling` calls `close_rasa` after `shutdown`.
    """
    builder = (
        Application.builder()
        .token(settings.telegram_token)
        .base_url(api_url(settings))
        .concurrent_updates(OneChatAtATime())
        .job_queue(None)
        .post_shutdown(close_rasa)
    )
    if not polling:
        builder = builder.updater(None)
    application = builder.build()
    application.bot_data.update(db=db, rasa=RasaClient(settings.rasa_url))
    private = filters.ChatType.PRIVATE
    application.add_handler(TypeHandler(Update, claim_update), group=-1)
    application.add_handlers(
        [
            CommandHandler("start", on_start, filters=private),
            MessageHandler(private & filters.TEXT, on_text),
            CallbackQueryHandler(on_button),
        ]
    )
    application.add_error_handler(on_error)
    return application


def parse_update(data: Any, bot: Bot) -> Update:
    """A webhook body (parsed JSON) as an `Update`; ValueError when it is not one."""
    if not isinstance(data, dict) or type(data.get("update_id")) is not int:
        raise ValueError("an update is an object with an integer update_id")
    try:
        return Update.de_json(data, bot)
    except (TypeError, KeyError, AttributeError, ValueError) as error:
        raise ValueError(f"not a Telegram update: {type(error).__name__}") from error


@asynccontextmanager
async def open_sender(settings: Settings) -> AsyncIterator[notices.Send]:
    """The Telegram sender of the notice outbox: one Bot API connection per delivery run."""
    async with make_bot(settings) as bot:

        async def send(recipient: str, text: str) -> None:
            try:
                await bot.send_message(chat_id(recipient), text)
            except (TelegramError, ValueError) as error:
                raise notices.NotDelivered(str(error)) from error

        yield send


notices.register_channel(CHANNEL, open_sender)


async def deliver_notices(settings: Settings, db: Database) -> notices.Delivery:
    """Send the pending notices of citizens who wrote to us on Telegram."""
    return await notices.deliver(settings, db, CHANNEL)


def _configured(settings: Settings) -> bool:
    if not settings.telegram_token:
        print("未配置 TELEGRAM_TOKEN，Telegram 渠道未启用")
    return bool(settings.telegram_token)


def _poll(args: argparse.Namespace, settings: Settings) -> int:
    if not _configured(settings):
        return 2
    db = Database(settings.database_url)
    print("正在轮询 Telegram 更新，按 Ctrl-C 停止", flush=True)
    try:
        build_application(settings, db, polling=True).run_polling(allowed_updates=ALLOWED_UPDATES)
    finally:
        db.dispose()
    return 0


async def _set_webhook(settings: Settings, url: str) -> None:
    async with make_bot(settings) as bot:
        await bot.set_webhook(
            url, secret_token=settings.telegram_secret, allowed_updates=ALLOWED_UPDATES
        )


def _set_webhook_command(args: argparse.Namespace, settings: Settings) -> int:
    if not _configured(settings):
        return 2
    if not settings.telegram_secret:
        print("未配置 TELEGRAM_SECRET：没有密钥的 webhook 会被我们的服务拒绝")
        return 2
    url = args.url or settings.public_base_url.rstrip("/") + WEBHOOK_PATH
    asyncio.run(_set_webhook(settings, url))
    print(f"Telegram 将把更新发送到 {url}")
    return 0


def _deliver(args: argparse.Namespace, settings: Settings) -> int:
    if not _configured(settings):
        return 2
    db = Database(settings.database_url)
    try:
        delivery = asyncio.run(deliver_notices(settings, db))
    except TelegramError as error:
        print(f"无法连接 Telegram Bot API：{error}")
        return 1
    finally:
        db.dispose()
    print(f"已发送 {delivery.sent} 条通知，{delivery.failed} 条未送达")
    return 0


def register(commands) -> None:
    telegram = commands.top.add_parser("telegram", help="the Telegram channel")
    sub = telegram.add_subparsers(dest="telegram_command", metavar="ACTION")
    sub.required = True
    sub.add_parser("poll", help="fetch updates by polling (development)").set_defaults(
        handler=_poll
    )
    webhook = sub.add_parser("set-webhook", help="have Telegram POST updates to our web service")
    webhook.add_argument("url", nargs="?", help=f"default: PUBLIC_BASE_URL{WEBHOOK_PATH}")
    webhook.set_defaults(handler=_set_webhook_command)
    sub.add_parser("deliver", help="send pending notices to Telegram chats once").set_defaults(
        handler=_deliver
    )
