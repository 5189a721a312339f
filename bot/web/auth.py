"""Who is calling the REST API: `Authorization: Bearer <token>` → `Principal` (`bot.accounts`).

The token is read without touching the database (a request without one is refused at once); it
is checked against the stored hashes inside the handler's own session, on the worker thread that
does the handler's database work.
"""

from __future__ import annotations

from sanic.exceptions import Unauthorized
from sanic.request import Request
from sqlalchemy.orm import Session

from bot.accounts import Principal, authenticate_token

MISSING_TOKEN = "请在 Authorization 请求头中提供访问令牌（Bearer）"
INVALID_TOKEN = "访问令牌无效或账号已停用"


def bearer_token(request: Request) -> str:
    """The token of `Authorization: Bearer <token>`, or 401."""
    scheme, _, token = (request.headers.get("authorization") or "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized(MISSING_TOKEN, scheme="Bearer")
    return token


def authenticate(session: Session, token: str) -> Principal:
    """The active account holding `token`, or 401."""
    principal = authenticate_token(session, token)
    if principal is None:
        raise Unauthorized(INVALID_TOKEN, scheme="Bearer")
    return principal
