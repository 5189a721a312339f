"""Console logins: server-side sessions behind an HttpOnly cookie, CSRF tokens, a login rate limit.

The cookie holds a random token; the `web_sessions` row stores its SHA-256 and an expiry, so
logging out or deactivating an account ends the session at once. CSRF tokens are HMACs of the
session token (or, before login, of a random pre-login cookie) with `settings.secret_key`: every
POST form carries one as `csrf_token`, every fetch as the `X-CSRF-Token` header. Failed logins are
counted by `bot.web.limits` (shared through Redis when it is configured): per username and address,
and per address across usernames, then 429 with Retry-After until the window has passed.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from functools import wraps
from typing import Awaitable, Callable, Optional
from urllib.parse import quote

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse, redirect
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot import audit
from bot.accounts import Principal, User, principal_of
from bot.db import utcnow
from bot.web import limits
from bot.web.common import error_response, render, run_db
from bot.web.gate import client_address
from bot.web.models import WebSession
from bot.web.passwords import verify_login

SESSION_COOKIE = "zs_session"
LOGIN_COOKIE = "zs_login"
SESSION_LIFETIME = timedelta(hours=12)
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
LOCKED = limits.LOCKED
HOME = {
    "operator": "/operator",
    "department": "/department",
    "staff": "/staff",
    "reviewer": "/staff",
    "admin": "/operator",
}

blueprint = Blueprint("accounts")
Handler = Callable[..., Awaitable[HTTPResponse]]


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(session: Session, principal: Principal) -> str:
    """A new login for `principal`; returns the cookie token (stored only as its hash)."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        WebSession(
            id=_digest(token),
            user_id=principal.user_id,
            created_at=now,
            expires_at=now + SESSION_LIFETIME,
        )
    )
    session.execute(delete(WebSession).where(WebSession.expires_at < now))
    audit.record(
        session, actor=principal.actor, action="user.login", entity_type="user",
        entity_id=str(principal.user_id),
    )
    return token


def session_principal(session: Session, token: str) -> Optional[Principal]:
    """The active account logged in with `token`, if the session has not expired."""
    if not token or len(token) > 100:
        return None
    user = session.execute(
        select(User)
        .join(WebSession, WebSession.user_id == User.id)
        .where(
            WebSession.id == _digest(token),
            WebSession.expires_at > utcnow(),
            User.active.is_(True),
        )
    ).scalar_one_or_none()
    return principal_of(user) if user else None


def end_session(session: Session, token: str) -> None:
    session.execute(delete(WebSession).where(WebSession.id == _digest(token)))


def csrf_token(secret: str, purpose: str, seed: str) -> str:
    return hmac.new(secret.encode(), f"{purpose}\0{seed}".encode(), hashlib.sha256).hexdigest()


def csrf_valid(request: Request, expected: str) -> bool:
    sent = request.headers.get("x-csrf-token") or (
        request.form.get("csrf_token") if request.form else None
    )
    return bool(sent) and hmac.compare_digest(str(sent), expected)


def login_required(*roles: str) -> Callable[[Handler], Handler]:
    """Only logged-in accounts of `roles` (admins always); POSTs must carry the CSRF token.

    People without a session are sent to the login page, API calls get 401; a wrong role is 403.
    Sets `request.ctx.principal` and `request.ctx.csrf_token` for the handler and its templates.
    """

    def decorate(handler: Handler) -> Handler:
        @wraps(handler)
        async def guarded(request: Request, *args, **kwargs) -> HTTPResponse:
            token = request.cookies.get(SESSION_COOKIE, "")
            principal = (
                await run_db(request, lambda s: session_principal(s, token)) if token else None
            )
            if principal is None:
                if request.method == "GET" and not request.path.startswith("/api/"):
                    return redirect(f"/login?next={quote(request.path)}")
                return error_response(request, "请先登录", 401)
            request.ctx.principal = principal
            request.ctx.csrf_token = csrf_token(_secret(request), "session", token)
            if roles and not principal.can(*roles):
                return error_response(request, "当前账号无权访问此页面", 403)
            if request.method in UNSAFE_METHODS and not csrf_valid(request, request.ctx.csrf_token):
                return error_response(request, "页面已过期，请刷新后重试（CSRF 校验失败）", 403)
            return await handler(request, *args, **kwargs)

        return guarded

    return decorate


@blueprint.get("/login")
async def login_page(request: Request) -> HTTPResponse:
    return _login_form(request, next_url=_safe_next(request.args.get("next")))


@blueprint.post("/login")
async def login(request: Request) -> HTTPResponse:
    form = request.form or {}
    username = (form.get("username") or "").strip()[:64]
    next_url = _safe_next(form.get("next"))
    seed = request.cookies.get(LOGIN_COOKIE, "")
    if not seed or not csrf_valid(request, csrf_token(_secret(request), "login", seed)):
        return _login_form(request, next_url, "页面已过期，请重新登录", username, 403)
    windows, rules = request.app.ctx.rate_windows, request.app.ctx.rate_rules
    address = client_address(request)
    account_key = f"{username.lower()}|{address}"
    password = form.get("password") or ""
    try:
        with request.app.ctx.logins_in_flight.hold(address):
            await limits.check(windows, rules.login_ip, address, record=False, message=LOCKED)
            await limits.check(windows, rules.login_user, account_key, record=False, message=LOCKED)
            principal = await verify_login(request, username, password)
            if principal is None:
                await windows.hit(rules.login_ip, address)
                await windows.hit(rules.login_user, account_key)
    except limits.Limited as error:
        response = _login_form(request, next_url, str(error), username, 429)
        response.headers.update(error.headers)
        return response
    if principal is None:
        return _login_form(request, next_url, "用户名或密码错误", username, 401)
    await windows.forget(rules.login_user, account_key)
    token = await run_db(request, lambda s: start_session(s, principal))
    response = redirect(next_url or HOME.get(principal.role, "/"))
    _set_cookie(request, response, SESSION_COOKIE, token, int(SESSION_LIFETIME.total_seconds()))
    _set_cookie(request, response, LOGIN_COOKIE, "", 0)
    return response


@blueprint.post("/logout")
@login_required()
async def logout(request: Request) -> HTTPResponse:
    token = request.cookies.get(SESSION_COOKIE, "")
    principal = request.ctx.principal

    def work(session: Session) -> None:
        end_session(session, token)
        audit.record(
            session, actor=principal.actor, action="user.logout", entity_type="user",
            entity_id=str(principal.user_id),
        )

    await run_db(request, work)
    response = redirect("/login")
    _set_cookie(request, response, SESSION_COOKIE, "", 0)
    return response


def _login_form(
    request: Request,
    next_url: str,
    error: str = "",
    username: str = "",
    status: int = 200,
) -> HTTPResponse:
    """The login page with a fresh pre-login cookie and the CSRF token bound to it."""
    seed = secrets.token_urlsafe(24)
    request.ctx.csrf_token = csrf_token(_secret(request), "login", seed)
    response = render(
        request, "login.html", status=status, error=error, username=username, next_url=next_url
    )
    _set_cookie(request, response, LOGIN_COOKIE, seed, 3600)
    return response


def _set_cookie(
    request: Request, response: HTTPResponse, name: str, value: str, max_age: int
) -> None:
    response.cookies[name] = value
    cookie = response.cookies[name]
    cookie["httponly"] = True
    cookie["samesite"] = "Lax"
    cookie["path"] = "/"
    cookie["max-age"] = max_age
    if request.app.ctx.settings.public_base_url.startswith("https://"):
        cookie["secure"] = True


def _safe_next(raw: Optional[str]) -> str:
    """Only a path on this site: never `//evil.example` or a full URL."""
    value = (raw or "").strip()
    if value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value[:300]
    return ""


def _secret(request: Request) -> str:
    return request.app.ctx.settings.secret_key
