"""One map from what went wrong to the HTTP answer, for every area of the web service.

A refusal gets the same status and a Chinese message wherever it happens: not allowed → 403,
not found → 404, invalid → 400, conflicting → 409, too many requests → 429, busy → 503. Malformed
requests that reach deeper than their handler's checks (JSON nested past the parser's limit,
numbers too large for the database, impossible static paths) are 4xx too; only what is left
over is a 500.
"""

from __future__ import annotations

from typing import Optional

from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.exc import DataError
from sqlalchemy.orm.exc import StaleDataError

from bot.accounts import AccountError
from bot.consultation.forms import Ambiguous, ConsultationError, PermissionDenied
from bot.consultation.forms import NotFound as ConsultationNotFound
from bot.consultation.models import FrozenRecordError
from bot.disclosure import errors as disclosure
from bot.tickets import service
from bot.web.common import error_response


class RateLimited(Exception):
    """Too many requests from one sender, address or account; try again after `retry_after` s."""

    def __init__(self, message: str = "请求过于频繁，请稍后再试", retry_after: int = 60) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Busy(Exception):
    """A bounded resource (such as the password-hashing pool) is full; refused at once."""

    def __init__(self, message: str = "系统繁忙，请稍后再试", retry_after: int = 5) -> None:
        super().__init__(message)
        self.retry_after = retry_after


FORBIDDEN, NOT_FOUND, INVALID, CONFLICT = 403, 404, 400, 409
STATUS_BY_ERROR: tuple[tuple[type[BaseException], int, Optional[str]], ...] = (
    (service.TicketForbidden, FORBIDDEN, None),
    (PermissionDenied, FORBIDDEN, None),
    (disclosure.DisclosureForbidden, FORBIDDEN, None),
    (service.TicketNotFound, NOT_FOUND, None),
    (ConsultationNotFound, NOT_FOUND, None),
    (disclosure.DisclosureNotFound, NOT_FOUND, None),
    (service.TicketInvalid, INVALID, None),
    (Ambiguous, INVALID, None),
    (disclosure.DisclosureInvalid, INVALID, None),
    (service.TicketConflict, CONFLICT, None),
    (disclosure.DisclosureConflict, CONFLICT, None),
    (StaleDataError, CONFLICT, "内容刚被他人修改，请刷新后重试"),
    (FrozenRecordError, CONFLICT, None),
    (RateLimited, 429, None),
    (Busy, 503, None),
    (service.TicketError, INVALID, None),
    (ConsultationError, INVALID, None),
    (disclosure.DisclosureError, INVALID, None),
    (AccountError, INVALID, None),
    (RecursionError, INVALID, "请求内容嵌套层数过多"),
    (OverflowError, INVALID, "请求中的数字超出范围"),
    (DataError, INVALID, "请求中的数值超出范围"),
)
"""(exception, status, message); the first matching row wins, so specific ones come first.
A message of None shows the exception's own (Chinese) text."""


def status_for(error: BaseException) -> Optional[int]:
    """The HTTP status for `error`, or None when it is not a known refusal. An exception that
    carries its own `status` (a hand-over step) keeps it."""
    own = getattr(error, "status", None)
    if isinstance(own, int) and 400 <= own < 500:
        return own
    for kind, status, _ in STATUS_BY_ERROR:
        if isinstance(error, kind):
            return status
    return None


def message_for(error: BaseException) -> str:
    for kind, _, message in STATUS_BY_ERROR:
        if isinstance(error, kind):
            return message or str(error)
    return str(error)


def _is_static(request: Request) -> bool:
    return request.path.startswith("/static/") or request.path == "/static"


def known_error_response(request: Request, error: BaseException) -> Optional[HTTPResponse]:
    """The answer for a known refusal or malformed request, or None for a real fault."""
    if _is_static(request) and isinstance(error, OSError | ValueError):
        return error_response(request, "文件不存在", NOT_FOUND)
    status = status_for(error)
    if status is None:
        return None
    retry_after = getattr(error, "retry_after", None)
    headers = {"Retry-After": str(retry_after)} if retry_after else None
    return error_response(request, message_for(error), status, headers)
