"""Who a portal citizen is: a conversation id the server mints and signs, never one a client picks.

The portal sets an HttpOnly, SameSite=Lax session cookie `zs_chat` holding a random id, the time
it was issued and an HMAC-SHA256 of both with `SECRET_KEY`; the chat relay and its event stream
accept only a cookie that verifies. The conversation id Rasa sees is `portal:<id>`: channel
prefixes (`portal:`, `telegram:`) are set by the server, so no caller can claim another channel's
citizen. `citizen_label` is what consoles show instead of a raw sender id.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from typing import Optional

from sanic.request import Request
from sanic.response import HTTPResponse

COOKIE = "zs_chat"
PORTAL = "portal"
MAX_AGE_SECONDS = 7 * 24 * 3600
"""A signed id older than this is not accepted; the citizen gets a new conversation."""
CHANNEL_NAMES = {PORTAL: "网页", "telegram": "Telegram", "wechat": "微信"}
_PURPOSE = b"portal-conversation"
_VALUE = re.compile(r"([0-9a-f]{32})\.([0-9]{10})\.([0-9a-f]{64})")


def _signature(secret: str, token: str, issued: str) -> str:
    message = _PURPOSE + b"\0" + token.encode() + b"\0" + issued.encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def mint(secret: str, now: Optional[float] = None) -> str:
    """A new signed cookie value."""
    token, issued = secrets.token_hex(16), str(int(time.time() if now is None else now))
    return f"{token}.{issued}.{_signature(secret, token, issued)}"


def conversation_of(secret: str, value: str, now: Optional[float] = None) -> Optional[str]:
    """The conversation id (`portal:<id>`) a cookie value proves, or None."""
    match = _VALUE.fullmatch(value or "")
    if match is None:
        return None
    token, issued, signature = match.groups()
    if not hmac.compare_digest(signature, _signature(secret, token, issued)):
        return None
    age = (time.time() if now is None else now) - int(issued)
    if not 0 <= age < MAX_AGE_SECONDS:
        return None
    return f"{PORTAL}:{token}"


def conversation(request: Request) -> Optional[str]:
    """The verified conversation of this request's cookie, or None."""
    secret = request.app.ctx.settings.secret_key
    return conversation_of(secret, request.cookies.get(COOKIE, ""))


def set_cookie(request: Request, response: HTTPResponse, value: str) -> None:
    """A browser-session cookie: closing the browser ends the conversation, a reload keeps it."""
    response.cookies[COOKIE] = value
    cookie = response.cookies[COOKIE]
    cookie["httponly"] = True
    cookie["samesite"] = "Lax"
    cookie["path"] = "/"
    if request.app.ctx.settings.public_base_url.startswith("https://"):
        cookie["secure"] = True


def citizen_label(secret: str, sender: Optional[str]) -> str:
    """`市民·<channel>·<6 hex>` for a sender id: stable for one citizen, so a console can tell
    citizens apart, but neither the id itself nor reversible without `SECRET_KEY`."""
    value = str(sender or "")
    if not value:
        return "市民"
    channel, separator, _ = value.partition(":")
    digest = hmac.new(secret.encode(), b"label\0" + value.encode(), hashlib.sha256).hexdigest()
    return f"市民·{CHANNEL_NAMES.get(channel, channel) if separator else '网页'}·{digest[:6]}"


def shown_actor(secret: str, actor: str) -> str:
    """An audit actor as consoles show it: `citizen:<sender>` becomes the citizen's label."""
    if actor.startswith("citizen:"):
        return citizen_label(secret, actor.removeprefix("citizen:"))
    return actor
