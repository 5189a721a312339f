"""What every request to the web service passes before its body is read: a size cap for its route
and the per-address rate limit.

Both run on Sanic's `http.routing.after` signal, which fires once the route is known and before
the body is received, so a 1 MB body to a route that takes 16 KB is refused (413) after its first
16 KB, and an address over its limit is refused (429 with Retry-After) without reading the body
at all. The global cap (`REQUEST_MAX_SIZE`, 1 MB) still holds for anything not listed.

A chat message (`POST /api/chat`) is counted here under its conversation's and its address's chat
limits too, with the per-address limit, in one call (one Redis round trip in production instead of
two): its conversation is the signed cookie's, which the headers already carry.

A login from an address that has used up its failed logins (`RATE_LIMIT_LOGIN_IP`), or that has
`LOGINS_IN_FLIGHT` logins being checked already, is refused here too: before its form is read,
parsed or answered with a page, and long before any password hash.
"""

from __future__ import annotations

from typing import Any

from sanic import Sanic
from sanic.request import Request

from bot.web import identity, limits

BODY_CAPS = (
    ("/api/chat", 16_000),
    ("/login", 8_000),
    ("/logout", 8_000),
    ("/telegram/", 256_000),
    ("/staff/", 256_000),
    ("/disclosure", 256_000),
    ("/department/disclosure/", 256_000),
)
"""Per-route body caps in bytes, by path prefix; a chat message of 2,000 characters is at most
12 KB as escaped JSON, a disclosure form's fields (4,000 characters each) up to 36 KB each when
URL-encoded."""
DEFAULT_BODY_CAP = 64_000
LOGINS_IN_FLIGHT = 2
"""Logins from one address checked at the same time; more are refused at once."""
LOGIN_PATH = "/login"
CHAT_PATH = "/api/chat"


def install(app: Sanic) -> None:
    """Set up the rate-limit windows and rules on `app.ctx` and check every request."""
    settings = app.ctx.settings
    if settings.proxies_count:
        app.config.PROXIES_COUNT = settings.proxies_count
    app.ctx.rate_windows = limits.windows_for(settings)
    app.ctx.rate_rules = limits.Rules.from_settings(settings)
    app.ctx.logins_in_flight = limits.InFlight(LOGINS_IN_FLIGHT)

    @app.signal("http.routing.after")
    async def before_body(request: Request, **_: Any) -> None:
        if request.stream is not None:
            request.stream.request_max_size = body_cap(request.path)
        windows, rules, address = app.ctx.rate_windows, app.ctx.rate_rules, client_address(request)
        await limits.check_all(windows, hits(request, rules, address))
        if request.method == "POST" and request.path == LOGIN_PATH:
            app.ctx.logins_in_flight.check(address)
            await limits.check(windows, rules.login_ip, address, record=False, message=limits.LOCKED)

    @app.after_server_stop
    async def close_windows(app: Sanic, _loop: Any) -> None:
        if isinstance(app.ctx.rate_windows, limits.RedisWindows):
            await app.ctx.rate_windows.aclose()


def hits(request: Request, rules: limits.Rules, address: str) -> limits.Hits:
    """The (rule, key) pairs `request` is counted under before its body is read: the address's
    limit, and for a chat message from a verified conversation its chat limits as well (one
    without a conversation is refused by the chat itself, 401)."""
    counted = [(rules.ip, address)]
    if request.method == "POST" and request.path == CHAT_PATH:
        sender = identity.conversation(request)
        if sender is not None:
            counted += [(rules.chat_sender, sender), (rules.chat_ip, address)]
    return counted


def body_cap(path: str) -> int:
    return next((cap for prefix, cap in BODY_CAPS if path.startswith(prefix)), DEFAULT_BODY_CAP)


def client_address(request: Request) -> str:
    """The client's address: the proxy's forwarded one when `WEB_PROXIES_COUNT` trusts it."""
    return request.remote_addr or request.ip or "unknown"
