"""The citizens' portal: the chat page, policy interpretations, and the chat's own small API.

The chat widget (static/js/chat.js) talks to Rasa's socket.io channel directly; when the
socket.io client is not installed or cannot connect it falls back to `POST /api/chat`, which
relays to Rasa's REST channel. While a person has taken the conversation over, the widget polls
and posts to `/api/handoff/<sender>/messages` instead of talking to the assistant.
"""

from __future__ import annotations

import re
from itertools import groupby

import httpx
from sanic import Blueprint
from sanic.exceptions import NotFound
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.policy.model import INTERPRETATION_FIELDS, Policy
from bot.threads import in_thread
from bot.web import conversations
from bot.web.common import (
    SOCKETIO_CLIENT,
    error_response,
    json_body,
    json_response,
    render,
    run_db,
)

SENDER = r"[A-Za-z0-9_-]{16,64}"
MAX_CHAT_MESSAGE = 2000

blueprint = Blueprint("portal")


@blueprint.get("/")
async def home(request: Request) -> HTTPResponse:
    return render(
        request,
        "portal/index.html",
        rasa_url=request.app.ctx.settings.rasa_url,
        socketio_client=SOCKETIO_CLIENT.exists(),
    )


@blueprint.get("/policies")
async def policies(request: Request) -> HTTPResponse:
    kb = await in_thread(lambda: request.app.ctx.services.kb)
    return render(request, "portal/policies.html", policies=kb.policies)


@blueprint.get("/policies/<policy_id:[A-Za-z0-9_.-]{1,120}>")
async def policy(request: Request, policy_id: str) -> HTTPResponse:
    kb = await in_thread(lambda: request.app.ctx.services.kb)
    found = kb.policy(policy_id)
    if found is None:
        raise NotFound("没有找到该政策")
    return render(
        request, "portal/policy.html", policy=found, interpretation=interpretation_sections(found)
    )


@blueprint.post("/api/chat")
async def chat(request: Request) -> HTTPResponse:
    """Relay one message to Rasa's REST channel; the replies in the socket.io event's shape."""
    body = json_body(request)
    sender, message = str(body.get("sender") or ""), str(body.get("message") or "").strip()
    if not _valid_sender(sender) or not message or len(message) > MAX_CHAT_MESSAGE:
        return json_response({"error": "消息为空或过长"}, 400)
    settings = request.app.ctx.settings
    try:
        reply = await request.app.ctx.http.post(
            f"{settings.rasa_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": message},
        )
        reply.raise_for_status()
    except httpx.HTTPError:
        return json_response({"error": "智能助手暂时无法连接，请稍后再试或拨打12345"}, 502)
    return json_response({"messages": [_as_socketio(item) for item in reply.json()]})


@blueprint.get(f"/api/handoff/<sender:{SENDER}>/messages")
async def handoff_messages(request: Request, sender: str) -> HTTPResponse:
    after = _int_arg(request, "after")
    view = await run_db(request, lambda s: conversations.citizen_view(s, sender, after))
    return json_response(view)


@blueprint.post(f"/api/handoff/<sender:{SENDER}>/messages")
async def handoff_say(request: Request, sender: str) -> HTTPResponse:
    text = str(json_body(request).get("text") or "")
    try:
        message = await run_db(request, lambda s: conversations.citizen_says(s, sender, text))
    except conversations.ConversationError as error:
        return error_response(request, str(error), error.status)
    return json_response({"id": message.id}, 201)


def interpretation_sections(policy: Policy) -> list[tuple[str, list]]:
    """解读材料 grouped under its fields, in the order the city's rules list them."""
    order = {name: index for index, name in enumerate(INTERPRETATION_FIELDS)}
    ordered = sorted(policy.interpretation, key=lambda p: order.get(p.field, len(order)))
    return [(name, list(parts)) for name, parts in groupby(ordered, key=lambda p: p.field)]


def _as_socketio(item: dict) -> dict:
    buttons = item.get("buttons") or []
    return {
        "text": item.get("text") or "",
        "quick_replies": [{"title": b.get("title"), "payload": b.get("payload")} for b in buttons],
    }


def _valid_sender(sender: str) -> bool:
    return re.fullmatch(SENDER, sender) is not None


def _int_arg(request: Request, name: str) -> int:
    raw = request.args.get(name) or "0"
    return int(raw) if raw.isdigit() and len(raw) < 12 else 0
