"""`/wechat`: the WeChat Official Account's server endpoint (服务器配置 in the account's console).

GET is WeChat's handshake: answer `echostr` when the signature checks out. POST is a delivery:
checked (signature, timestamp, in safe mode the AES envelope), claimed once, then answered.
WeChat waits 5 seconds for the answer to a delivery and then tries again, so the assistant's
reply goes back in the HTTP answer (a passive reply) when it comes within
`WECHAT_REPLY_SECONDS`; otherwise the citizen is told it is on its way and the reply follows as a
customer-service message. One follower's messages are answered in the order they came.
Without `WECHAT_TOKEN` the endpoint answers 404.
"""

from __future__ import annotations

import asyncio
import logging
from functools import partial

from sanic import Blueprint, Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, json, text
from wechatpy.messages import BaseMessage

from bot import notices
from bot.channels import wechat
from bot.channels.rasa_client import BotMessage, RasaClient, RasaUnavailable
from bot.threads import in_thread
from bot.web import limits

NOT_ENABLED = "微信公众号渠道未启用：需要配置 WECHAT_TOKEN"
FORGED = "签名校验失败"
NOT_A_MESSAGE = "请求内容不是微信消息"
SUCCESS = "success"
"""What WeChat expects when there is nothing to say (it then shows the follower nothing)."""

blueprint = Blueprint("wechat")
log = logging.getLogger(__name__)


class Conversations:
    """Each follower's turns with the assistant, one at a time, in the order they came."""

    def __init__(self, app: Sanic) -> None:
        self.app = app
        self.settings = app.ctx.settings
        self.db = app.ctx.services.db
        self.menu = wechat.load_menu(self.settings)
        self.client = wechat.AccountClient(self.settings)
        self.rasa = RasaClient(self.settings.rasa_url)
        self._turns: dict[str, tuple[asyncio.Lock, int]] = {}
        self._later: set[asyncio.Task] = set()

    def start(self, openid: str, message: str) -> asyncio.Task:
        return asyncio.get_running_loop().create_task(self._turn(openid, message))

    async def _turn(self, openid: str, message: str) -> list[str]:
        lock, waiting = self._turns.get(openid, (asyncio.Lock(), 0))
        self._turns[openid] = (lock, waiting + 1)
        try:
            async with lock:
                return await self._ask(openid, message)
        finally:
            lock, waiting = self._turns[openid]
            if waiting == 1:
                del self._turns[openid]
            else:
                self._turns[openid] = (lock, waiting - 1)

    async def _ask(self, openid: str, message: str) -> list[str]:
        try:
            replies = await self.rasa.send(
                wechat.sender_id(openid),
                message,
                input_channel=wechat.CHANNEL,
                metadata={"channel": wechat.CHANNEL},
            )
        except RasaUnavailable as error:
            log.warning("wechat turn failed: %s", error)
            replies = [BotMessage(wechat.BUSY)]
        texts, payloads = wechat.render(replies)
        await in_thread(wechat.remember_choices, self.db, openid, payloads)
        return texts

    def send_later(self, openid: str, texts: asyncio.Future[list[str]] | list[str]) -> None:
        """Customer-service messages for what did not fit in the passive reply."""
        task = asyncio.get_running_loop().create_task(self._send(openid, texts))
        self._later.add(task)
        task.add_done_callback(self._later.discard)

    async def _send(self, openid: str, texts: asyncio.Future[list[str]] | list[str]) -> None:
        parts = texts if isinstance(texts, list) else await texts
        if not parts:
            return
        try:
            await in_thread(wechat.send_texts, self.client, openid, parts)
        except notices.NotDelivered as error:
            log.warning("wechat customer-service message not delivered: %s", error)

    async def close(self) -> None:
        if self._later:
            await asyncio.wait(self._later, timeout=30)
        await self.rasa.aclose()


def register(app: Sanic) -> None:
    """Mount `/wechat`; it answers 404 until `WECHAT_TOKEN` is set."""
    app.ctx.wechat = None
    if wechat.enabled(app.ctx.settings):
        app.ctx.handoff_delivery[wechat.CHANNEL] = partial(_deliver_operator_message, app)
    app.blueprint(blueprint)


async def _deliver_operator_message(app: Sanic, sender: str, message: str) -> None:
    """An operator's reply during a hand-over, as a customer-service message."""
    conversations = _conversations(app)
    texts = wechat.split_text(message)
    await in_thread(wechat.send_texts, conversations.client, wechat.openid_of(sender), texts)


def _conversations(app: Sanic) -> Conversations:
    """The follower conversations, made with the first delivery (after the server's loop runs)."""
    if app.ctx.wechat is None:
        app.ctx.wechat = Conversations(app)
    return app.ctx.wechat


def _args(request: Request) -> dict[str, str]:
    return {name: request.args.get(name, "") for name in request.args}


@blueprint.get(wechat.WEBHOOK_PATH)
async def handshake(request: Request) -> HTTPResponse:
    settings = request.app.ctx.settings
    if not wechat.enabled(settings):
        return json({"error": NOT_ENABLED}, status=404)
    args = _args(request)
    try:
        wechat.check_query(settings, args)
    except wechat.Forged:
        return json({"error": FORGED}, status=403)
    return text(args.get("echostr", ""))


@blueprint.post(wechat.WEBHOOK_PATH)
async def delivery(request: Request) -> HTTPResponse:
    settings = request.app.ctx.settings
    if not wechat.enabled(settings):
        return json({"error": NOT_ENABLED}, status=404)
    args = _args(request)
    try:
        message = wechat.open_delivery(settings, args, request.body)
    except wechat.Forged:
        return json({"error": FORGED}, status=403)
    except ValueError:
        return json({"error": NOT_A_MESSAGE}, status=400)
    conversations = _conversations(request.app)
    if not await in_thread(wechat.claim, conversations.db, wechat.delivery_key(message)):
        return text(SUCCESS)
    try:
        await limits.check(
            request.app.ctx.rate_windows,
            request.app.ctx.rate_rules.chat_sender,
            wechat.sender_id(message.source),
            message=wechat.TOO_FAST,
        )
    except limits.Limited as limited:
        return _reply(settings, args, message, str(limited))
    incoming = await in_thread(
        wechat.incoming, conversations.db, conversations.menu, message
    )
    if incoming.answer:
        return _reply(settings, args, message, incoming.answer)
    if not incoming.text:
        return text(SUCCESS)
    turn = conversations.start(message.source, incoming.text)
    try:
        texts = await asyncio.wait_for(asyncio.shield(turn), settings.wechat_reply_seconds)
    except asyncio.TimeoutError:
        conversations.send_later(message.source, turn)
        return _reply(settings, args, message, wechat.ACKNOWLEDGED)
    if not texts:
        return text(SUCCESS)
    conversations.send_later(message.source, texts[1:])
    return _reply(settings, args, message, texts[0])


def _reply(settings, args: dict[str, str], message: BaseMessage, answer: str) -> HTTPResponse:
    xml = wechat.seal_reply(settings, args, wechat.passive_reply(message, answer))
    return text(xml, content_type="application/xml")


@blueprint.after_server_stop
async def stop(app: Sanic, _loop: asyncio.AbstractEventLoop) -> None:
    if app.ctx.wechat is not None:
        await app.ctx.wechat.close()
