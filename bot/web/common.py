"""What every area's handlers share: database work off the event loop, pages, JSON and errors."""

from __future__ import annotations

import json as jsonlib
from functools import partial
from pathlib import Path
from typing import Any, Callable, Optional, TypeVar

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sanic.request import Request
from sanic.response import HTTPResponse, html, json
from sqlalchemy.orm import Session

from bot.clock import format_cn
from bot.threads import in_session

T = TypeVar("T")
TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent / "static"


def template_environment() -> Environment:
    """Jinja2 with autoescape on for every template: nothing a citizen typed becomes markup."""
    environment = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["cn_time"] = format_cn
    environment.filters["cn_date"] = partial(format_cn, with_time=False)
    return environment


async def run_db(request: Request, work: Callable[[Session], T], reads: bool = False) -> T:
    """`work(session)` in one transaction of the app's database, off the loop (`bot.threads`);
    with `reads`, a look outside any transaction."""
    return await in_session(request.app.ctx.services.db, work, reads=reads)


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTTPResponse:
    """A page, with the logged-in account, its CSRF token and the optional public links."""
    page = request.app.ctx.templates.get_template(template).render(
        principal=getattr(request.ctx, "principal", None),
        csrf_token=getattr(request.ctx, "csrf_token", ""),
        consultations_url=request.app.ctx.consultations_url,
        **context,
    )
    return html(page, status=status)


async def render_loaded(
    request: Request,
    template: str,
    work: Callable[[Session], dict[str, Any]],
    missing: type[Exception],
    status: int = 200,
    **context: Any,
) -> HTTPResponse:
    """The page of one record: `work(session)`'s fields beside `context`, or a Chinese 404 when
    `work` raises `missing` (the record does not exist or is not the caller's to see)."""
    try:
        page = await run_db(request, work)
    except missing as error:
        return error_response(request, str(error), 404)
    return render(request, template, status=status, **context, **page)


def json_body(request: Request) -> dict[str, Any]:
    """The request's JSON object, or an empty dict for anything else."""
    try:
        data = jsonlib.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError, RecursionError):
        return {}
    return data if isinstance(data, dict) else {}


def json_response(body: Any, status: int = 200) -> HTTPResponse:
    return json(body, status=status, dumps=partial(jsonlib.dumps, ensure_ascii=False))


def error_response(
    request: Request, message: str, status: int, headers: Optional[dict] = None
) -> HTTPResponse:
    """A Chinese error as JSON for API calls and as a page for people."""
    if wants_json(request):
        response = json_response({"error": message}, status=status)
    else:
        response = render(request, "error.html", status=status, message=message, status_code=status)
    response.headers.update(headers or {})
    return response


def wants_json(request: Request) -> bool:
    return (
        request.path.startswith("/api/")
        or request.path.endswith(".json")
        or "application/json" in (request.headers.get("content-type") or "")
        or "application/json" in (request.headers.get("accept") or "")
    )
