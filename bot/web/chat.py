"""The portal chat's only door: our web service relays to Rasa, owns identity, size and rate.

- `GET /api/chat` gives the browser its signed conversation cookie (`bot.web.identity`) and the
  conversation so far, replayed from Rasa's tracker and the hand-over's lines, so a reload keeps
  what was said, ticket numbers included.
- `POST /api/chat` `{"message": …}` checks the cookie, the size (2,000 characters) and the rate
  limits (per conversation and per address) before anything reaches Rasa, then relays over
  loopback REST as `portal:<id>`; while a person has the conversation it goes to the operator.
- `GET /api/chat/events` is a Server-Sent Events stream of what happens without asking: the
  operator taking over, their lines, the end of the hand-over, and notices (a department's answer
  to the citizen's ticket, a published adoption summary).
  The process's open streams are polled together, three queries a tick whatever their number
  (`bot.web.chat_streams`).

Rasa's own channels are never reached by the browser.
"""

from __future__ import annotations

import asyncio
import json as jsonlib
import time
import unicodedata
from datetime import datetime, timezone
from typing import Any, Optional
from urllib.parse import quote

import httpx
from sanic import Blueprint, Sanic
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import notices
from bot.channels.rasa_client import BotMessage, RasaClient, RasaUnavailable
from bot.handoff import conversations, open_handoff
from bot.handoff.models import OPERATOR, Handoff, HandoffMessage
from bot.handoff.queue import OPEN_FOR_SENDER
from bot.privacy import mask
from bot.text import clean
from bot.threads import in_thread
from bot.tickets.models import assume_utc
from bot.web import identity
from bot.web.chat_streams import StreamHub
from bot.web.common import error_response, json_response, run_db

MAX_MESSAGE = 2000
NOTHING_TO_READ = "消息里没有可以识别的文字，请用文字描述您的问题"
STREAM_SECONDS = 25
"""An event stream ends after this long; the browser reconnects (and says where it was)."""
STREAM_TICK = 2.0
"""How often the process's open streams are polled, together (`bot.web.chat_streams`)."""
MAX_STREAMS = 3
"""Open event streams per conversation (tabs); more are refused."""
NO_IDENTITY = "会话已失效，请刷新页面后再试"
UNAVAILABLE = "智能助手暂时无法连接，请稍后再试或拨打12345"

blueprint = Blueprint("chat")


def register(app: Sanic) -> None:
    app.blueprint(blueprint)

    @app.before_server_start
    async def open_rasa(app: Sanic, _loop: Any) -> None:
        app.ctx.rasa = RasaClient(app.ctx.settings.rasa_url)
        app.ctx.chat_hub = StreamHub(app.ctx.services.db, STREAM_TICK)

    @app.after_server_stop
    async def close_rasa(app: Sanic, _loop: Any) -> None:
        await app.ctx.rasa.aclose()


@blueprint.get("/api/chat")
async def history(request: Request) -> HTTPResponse:
    """The conversation so far; a browser without a valid cookie gets a new, empty one."""
    sender = identity.conversation(request)
    if sender is None:
        response = json_response({"new": True, "messages": [], "handoff": "none"})
        identity.set_cookie(request, response, identity.mint(request.app.ctx.settings.secret_key))
        return response
    tracker = await fetch_tracker(request.app, sender)
    stored, status = await run_db(request, lambda s: _stored_lines(s, sender))
    lines = replay(tracker) if tracker is not None else []
    merged = sorted(lines + stored, key=lambda line: line["at"])
    return json_response({"new": not merged, "messages": merged, "handoff": status})


@blueprint.post("/api/chat")
async def say(request: Request) -> HTTPResponse:
    sender = identity.conversation(request)
    if sender is None:
        return error_response(request, NO_IDENTITY, 401)
    body, problem = _chat_body(request)
    if problem:
        return error_response(request, problem, 413 if problem.startswith("消息过长") else 400)
    # its chat limits were counted with the address's before the body was read (bot.web.gate)
    message = body["message"]
    # Most messages are for the assistant: a look without a transaction says so; only when a
    # hand-over is open is the line stored for the operator (which looks again, in its own).
    if await in_thread(request.app.ctx.services.db.first, OPEN_FOR_SENDER, sender=sender):
        try:
            line = await run_db(request, lambda s: _to_operator(s, sender, message))
        except conversations.ConversationError as error:
            return error_response(request, str(error), error.status)
        if line is not None:
            return json_response({"messages": [], "handoff": line})
    # The assistant reads what the citizen meant, as on Telegram and WeChat: markup and control
    # characters stripped, traditional characters simplified. (An operator sees what was typed.)
    understood = clean(message, MAX_MESSAGE)
    if not understood:
        return error_response(request, NOTHING_TO_READ, 400)
    try:
        replies = await request.app.ctx.rasa.send(sender, understood, input_channel=identity.PORTAL)
    except RasaUnavailable:
        return error_response(request, UNAVAILABLE, 502)
    return json_response({"messages": [_as_dict(reply) for reply in replies]})


@blueprint.get("/api/chat/events")
async def events(request: Request) -> Optional[HTTPResponse]:
    """Server-Sent Events: `handoff` (status), `operator` (a line; its id is the event id, so a
    reconnecting browser's Last-Event-ID says what it has) and `notice`."""
    sender = identity.conversation(request)
    if sender is None:
        return error_response(request, NO_IDENTITY, 401)
    hub: StreamHub = request.app.ctx.chat_hub
    if hub.count(sender) >= MAX_STREAMS:
        return error_response(request, "打开的对话窗口过多，请关闭其他窗口后刷新", 429)
    after = _int(request.headers.get("last-event-id") or request.args.get("after"))
    stream = await hub.open(sender, after, request.args.get("status") or "")
    try:
        response = await request.respond(
            content_type="text/event-stream; charset=utf-8",
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )
        await response.send("retry: 1000\n\n")
        deadline = time.monotonic() + STREAM_SECONDS
        while not request.transport.is_closing():
            left = deadline - time.monotonic()
            if left <= 0:
                break
            try:
                event, data, event_id = await asyncio.wait_for(
                    stream.queue.get(), timeout=min(left, STREAM_TICK)
                )
            except asyncio.TimeoutError:
                continue
            await response.send(_sse(event, data, event_id))
        await response.eof()
    finally:
        hub.close(stream)
    return None


async def fetch_tracker(app: Sanic, sender: str) -> Optional[dict]:
    """The conversation's tracker from Rasa's HTTP API on loopback, or None when unreachable."""
    settings = app.ctx.settings
    try:
        reply = await app.ctx.http.get(
            f"{settings.rasa_url}/conversations/{quote(sender, safe=':')}/tracker",
            params={"token": settings.rasa_token},
        )
        reply.raise_for_status()
        return reply.json()
    except (httpx.HTTPError, ValueError):
        return None


def replay(tracker: dict) -> list[dict[str, Any]]:
    """What the citizen saw: their lines (a button click as the button's title) and the bot's
    with its buttons; the automatic greeting request is left out."""
    lines: list[dict[str, Any]] = []
    offered: dict[str, str] = {}
    for event in tracker.get("events") or ():
        kind, text = event.get("event"), (event.get("text") or "").strip()
        at = datetime.fromtimestamp(float(event.get("timestamp") or 0), tz=timezone.utc).isoformat()
        if kind == "bot":
            buttons = [
                {"title": str(b.get("title") or ""), "payload": str(b.get("payload") or "")}
                for b in (event.get("data") or {}).get("buttons") or ()
                if isinstance(b, dict)
            ]
            offered.update((b["payload"], b["title"]) for b in buttons)
            if text or buttons:
                lines.append({"author": "bot", "text": text, "buttons": buttons, "at": at})
        elif kind == "user" and text:
            shown = offered.get(text, "" if text.startswith("/") else text)
            if shown:
                lines.append({"author": "user", "text": shown, "at": at})
    return lines


def _chat_body(request: Request) -> tuple[dict[str, str], str]:
    """The request's `{"message": …}`, or a Chinese reason to refuse it."""
    if "application/json" not in (request.headers.get("content-type") or ""):
        return {}, "请以 JSON 发送消息"
    try:
        body = jsonlib.loads(request.body or b"")
    except (ValueError, UnicodeDecodeError, RecursionError):
        return {}, "消息格式不正确"
    if not isinstance(body, dict) or not isinstance(body.get("message"), str):
        return {}, "消息格式不正确：需要 {\"message\": \"…\"}"
    if set(body) - {"message"}:
        return {}, "会话由服务器指定，请求中只能有 message"
    message = unicodedata.normalize("NFC", body["message"]).strip()
    if not message:
        return {}, "消息不能为空"
    if len(message) > MAX_MESSAGE:
        return {}, f"消息过长：最多{MAX_MESSAGE}字，您输入了{len(message)}字，请分几次发送"
    return {"message": message}, ""


def _to_operator(session: Session, sender: str, message: str) -> Optional[str]:
    """Store the line for the operator when a hand-over is open; its status, else None."""
    handoff = open_handoff(session, sender)
    if handoff is None:
        return None
    conversations.citizen_says(session, sender, message)
    return handoff.status


def _stored_lines(session: Session, sender: str) -> tuple[list[dict[str, Any]], str]:
    rows = session.execute(
        select(HandoffMessage).where(HandoffMessage.sender_id == sender).order_by(HandoffMessage.id)
    ).scalars()
    lines = [
        {
            "author": "operator" if row.author == OPERATOR else "user",
            "text": row.text,
            "id": row.id,
            "at": assume_utc(row.at).isoformat(),
        }
        for row in rows
    ]
    return lines + _sent_notices(session, sender), _handoff_status(session, sender)


def _handoff_status(session: Session, sender: str) -> str:
    latest = session.execute(
        select(Handoff.status).where(Handoff.sender_id == sender).order_by(Handoff.id.desc())
    ).scalars().first()
    return latest or "none"


def _sent_notices(session: Session, sender: str) -> list[dict[str, Any]]:
    Notice = notices.Notice
    rows = session.execute(
        select(Notice.message, Notice.sent_at).where(
            Notice.channel == identity.PORTAL,
            Notice.recipient == sender,
            Notice.status == notices.SENT,
            Notice.sent_at.is_not(None),
        )
    )
    return [
        {"author": "notice", "text": mask(row.message), "at": assume_utc(row.sent_at).isoformat()}
        for row in rows
    ]


def _sse(event: str, data: dict[str, Any], event_id: Optional[int]) -> str:
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {event}\ndata: {jsonlib.dumps(data, ensure_ascii=False)}\n\n"


def _as_dict(message: BotMessage) -> dict[str, Any]:
    return {
        "text": message.text,
        "buttons": [{"title": b.title, "payload": b.payload} for b in message.buttons],
    }


def _int(raw: Optional[str]) -> int:
    value = (raw or "").strip()
    return int(value) if value.isdigit() and len(value) < 12 else 0
