"""`POST /telegram/webhook`: updates from Telegram, checked here and handed to the Telegram channel.

Telegram signs nothing: it repeats the secret we gave `setWebhook` in the
`X-Telegram-Bot-Api-Secret-Token` header, so a request without it is forged and is refused before
its body is parsed. An accepted update is queued for the channel's `Application` and answered 200
at once; the Rasa round trip happens after. The application starts with the first update, so the
web service comes up even while the Bot API is unreachable.
"""

from __future__ import annotations

import asyncio
import hmac
import json as jsonlib
from functools import partial

from sanic import Blueprint, Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, json
from telegram.error import TelegramError
from telegram.ext import Application

from bot.channels.telegram import (
    WEBHOOK_PATH,
    build_application,
    chat_id,
    close_rasa,
    parse_update,
)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
NOT_ENABLED = "Telegram 渠道未启用：需要配置 TELEGRAM_TOKEN 和 TELEGRAM_SECRET"
WRONG_SECRET = "缺少或错误的 X-Telegram-Bot-Api-Secret-Token"
NOT_AN_UPDATE = "请求内容不是 Telegram Update（JSON 对象，含整数 update_id）"
BOT_API_DOWN = "暂时无法连接 Telegram Bot API，请稍后重试"

blueprint = Blueprint("telegram")


def register(app: Sanic) -> None:
    """Mount the webhook on `app`; it answers 404 until the token and the secret are set."""
    settings = app.ctx.settings
    enabled = bool(settings.telegram_token and settings.telegram_secret)
    app.ctx.telegram = build_application(settings, app.ctx.services.db) if enabled else None
    app.ctx.telegram_starting = asyncio.Lock()
    if enabled:
        app.ctx.handoff_delivery["telegram"] = partial(_deliver_operator_message, app)
    app.blueprint(blueprint)


async def _deliver_operator_message(app: Sanic, sender: str, text: str) -> None:
    """An operator's reply during a hand-over, sent into the citizen's own Telegram chat."""
    application = await _started(app)
    await application.bot.send_message(chat_id=chat_id(sender), text=text)


async def _started(app: Sanic) -> Application:
    application: Application = app.ctx.telegram
    async with app.ctx.telegram_starting:
        if not application.running:
            await application.initialize()
            await application.start()
    return application


@blueprint.post(WEBHOOK_PATH)
async def webhook(request: Request) -> HTTPResponse:
    application = request.app.ctx.telegram
    if application is None:
        return json({"error": NOT_ENABLED}, status=404)
    secret = request.app.ctx.settings.telegram_secret.encode()
    if not hmac.compare_digest(request.headers.get(SECRET_HEADER, "").encode(), secret):
        return json({"error": WRONG_SECRET}, status=401)
    try:
        update = parse_update(jsonlib.loads(request.body), application.bot)
    except ValueError:
        return json({"error": NOT_AN_UPDATE}, status=400)
    try:
        await _started(request.app)
    except TelegramError:
        return json({"error": BOT_API_DOWN}, status=503)
    await application.update_queue.put(update)
    return json({"ok": True})


@blueprint.after_server_stop
async def stop(app: Sanic, _loop: asyncio.AbstractEventLoop) -> None:
    """Finish the queued updates, then let go of the Bot API and Rasa connections."""
    application = app.ctx.telegram
    if application is None:
        return
    if application.running:
        await application.stop()
        await application.shutdown()
    await close_rasa(application)
