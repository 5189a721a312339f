"""The departments' 12345 inbox as a JSON API under `/api/tickets` (bearer token, `bot.web.auth`).

    GET  /api/tickets?status=&overdue=true&page=1&limit=50   the inbox, soonest due first
                                                              (operators may add &department=)
    GET  /api/tickets/<number>                               one ticket with its history
    POST /api/tickets/<number>/<action>                      a state change, see ACTIONS

Departments see and act on the tickets their body leads (co-handlers may read them); a ticket of
another body answers 404. Operators and admins see every ticket and re-route, decide extensions,
record visits and archive. Errors are `{"error": "<中文说明>"}` with 400/401/403/404/409. Database
work runs on the default executor so a slow query never blocks the event loop.
"""

from __future__ import annotations

import json as jsonlib
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Callable, Optional

from sanic import Blueprint, Sanic
from sanic.exceptions import InvalidUsage, NotFound, PayloadTooLarge, SanicException
from sanic.request import Request
from sanic.response import HTTPResponse, json
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from bot.accounts import Principal
from bot.threads import in_session
from bot.tickets import service
from bot.tickets.catalogue import Catalogue
from bot.tickets.models import Ticket, assume_utc
from bot.tickets.view import iso_local, ticket_json
from bot.web.auth import authenticate, bearer_token
from bot.web.errors import message_for, status_for
from bot.web.identity import shown_actor

MAX_BODY_BYTES = 16_384
NUMBER = r"[A-Za-z0-9-]{1,32}"
TOO_LARGE = f"请求内容过大（最多 {MAX_BODY_BYTES // 1024} KB）"
DEFAULT_PAGE_SIZE = 50

blueprint = Blueprint("tickets_api", url_prefix="/api/tickets")


def register(app: Sanic) -> None:
    """Mount the inbox API; it uses `app.ctx.services.db` and `app.ctx.catalogue`."""
    app.blueprint(blueprint)


@dataclass(frozen=True)
class Field:
    kind: type
    required: bool = True
    max_length: int = service.MAX_TEXT


@dataclass(frozen=True)
class Action:
    command: Callable[..., Ticket]
    fields: dict[str, Field] = field(default_factory=dict)
    needs_catalogue: bool = False


NOTE = Field(str, required=False)
ACTIONS: dict[str, Action] = {
    "sign": Action(service.sign),
    "return": Action(service.return_ticket, {"reason": Field(str)}),
    "extension": Action(service.request_extension, {"days": Field(int), "reason": Field(str)}),
    "extension-decision": Action(service.decide_extension, {"approve": Field(bool), "note": NOTE}),
    "reply": Action(service.reply_and_close, {"reply": Field(str)}),
    "reroute": Action(
        service.reroute,
        {
            "department_id": Field(str, max_length=64),
            "co_department_ids": Field(list, required=False, max_length=10),
            "note": NOTE,
        },
        needs_catalogue=True,
    ),
    "visit": Action(service.record_visit, {"satisfaction": Field(str, max_length=8), "note": NOTE}),
    "archive": Action(service.archive),
}
"""POST /api/tickets/<number>/<action>: the service command and the JSON fields it takes."""

TYPE_NAMES = {str: "字符串", int: "整数", bool: "布尔值（true/false）", list: "字符串数组"}


@blueprint.get("", strict_slashes=False)
async def list_tickets(request: Request) -> HTTPResponse:
    filters = _list_filters(request)
    catalogue = _catalogue(request)

    def work(session: Session, principal: Principal) -> dict:
        page = service.list_tickets(session, principal, **filters)
        return {
            "items": [ticket_json(t, principal, catalogue) for t in page.items],
            "page": page.page,
            "limit": page.limit,
            "total": page.total,
        }

    return json(await _in_session(request, work), dumps=_dumps)


@blueprint.get(f"/<number:{NUMBER}>")
async def get_ticket(request: Request, number: str) -> HTTPResponse:
    catalogue = _catalogue(request)

    def work(session: Session, principal: Principal) -> dict:
        ticket = service.get_ticket(session, number, principal)
        history = [
            {
                "at": iso_local(assume_utc(event.at)),
                "actor": shown_actor(request.app.ctx.settings.secret_key, event.actor),
                "action": event.action,
                "detail": event.detail,
            }
            for event in service.history(session, ticket.number)
        ]
        return {**ticket_json(ticket, principal, catalogue), "history": history}

    return json(await _in_session(request, work), dumps=_dumps)


@blueprint.post(f"/<number:{NUMBER}>/<name>")
async def act(request: Request, number: str, name: str) -> HTTPResponse:
    action = ACTIONS.get(name)
    if action is None:
        raise NotFound(f"未知的操作：{name}")
    body = parse_body(request, action.fields)
    catalogue = _catalogue(request)
    command = action.command
    if action.needs_catalogue:
        command = partial(command, catalogue=catalogue)

    def work(session: Session, principal: Principal) -> dict:
        ticket = command(session, number, principal, **body)
        return ticket_json(ticket, principal, catalogue)

    return json(await _in_session(request, work), dumps=_dumps)


@blueprint.exception(service.TicketError)
async def ticket_error(request: Request, error: service.TicketError) -> HTTPResponse:
    return _error(message_for(error), status_for(error) or 400)


@blueprint.exception(StaleDataError)
async def stale_ticket(request: Request, error: StaleDataError) -> HTTPResponse:
    return _error("工单刚被他人修改，请刷新后重试", status_for(error) or 409)


@blueprint.exception(PayloadTooLarge)
async def too_large(request: Request, error: PayloadTooLarge) -> HTTPResponse:
    return _error(TOO_LARGE, 400)


@blueprint.exception(SanicException)
async def http_error(request: Request, error: SanicException) -> HTTPResponse:
    return _error(str(error), error.status_code, getattr(error, "headers", None))


def parse_body(request: Request, fields: dict[str, Field]) -> dict[str, Any]:
    """The JSON object in the request body, checked against `fields`, or 400 in Chinese."""
    raw = request.body or b""
    if len(raw) > MAX_BODY_BYTES:
        raise InvalidUsage(TOO_LARGE)
    if not raw.strip():
        data: Any = {}
    else:
        try:
            data = jsonlib.loads(raw)
        except (ValueError, UnicodeDecodeError, RecursionError) as error:
            raise InvalidUsage("请求内容不是有效的 JSON") from error
    if not isinstance(data, dict):
        raise InvalidUsage("请求内容必须是 JSON 对象")
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise InvalidUsage(f"不支持的字段：{', '.join(unknown)}")
    values: dict[str, Any] = {}
    for name, spec in fields.items():
        value = data.get(name)
        if value is None:
            if spec.required:
                raise InvalidUsage(f"缺少字段 {name}")
            continue
        values[name] = _checked_value(name, value, spec)
    return values


def _checked_value(name: str, value: Any, spec: Field) -> Any:
    wrong_type = not isinstance(value, spec.kind) or (spec.kind is int and isinstance(value, bool))
    if spec.kind is list and not wrong_type:
        wrong_type = not all(isinstance(item, str) and len(item) <= 64 for item in value)
    if wrong_type:
        raise InvalidUsage(f"字段 {name} 必须是{TYPE_NAMES[spec.kind]}")
    if spec.kind in (str, list) and len(value) > spec.max_length:
        raise InvalidUsage(f"字段 {name} 过长（最多 {spec.max_length}）")
    return value


def _list_filters(request: Request) -> dict[str, Any]:
    args = request.args
    unknown = sorted(set(args) - {"status", "overdue", "page", "limit", "department"})
    if unknown:
        raise InvalidUsage(f"不支持的查询参数：{', '.join(unknown)}")
    overdue = (args.get("overdue") or "false").lower()
    if overdue not in ("true", "false", "1", "0"):
        raise InvalidUsage("overdue 只能是 true 或 false")
    return {
        "status": args.get("status") or None,
        "overdue": overdue in ("true", "1"),
        "department_id": args.get("department") or None,
        "page": _positive_int(args.get("page"), "page", 1),
        "limit": _positive_int(args.get("limit"), "limit", DEFAULT_PAGE_SIZE),
    }


def _positive_int(raw: Optional[str], name: str, default: int) -> int:
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or len(raw) > 6:
        raise InvalidUsage(f"{name} 必须是正整数")
    return int(raw)


async def _in_session(request: Request, work: Callable[[Session, Principal], Any]) -> Any:
    """Authenticate and run `work` in one transaction on a worker thread."""
    token = bearer_token(request)
    return await in_session(
        request.app.ctx.services.db, lambda session: work(session, authenticate(session, token))
    )


def _catalogue(request: Request) -> Catalogue:
    return request.app.ctx.catalogue


def _dumps(body: Any) -> str:
    return jsonlib.dumps(body, ensure_ascii=False)


def _error(message: str, status: int, headers: Optional[dict] = None) -> HTTPResponse:
    return json({"error": message}, status=status, headers=headers, dumps=_dumps)
