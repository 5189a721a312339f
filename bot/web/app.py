"""The Sanic application factory: one Blueprint per area, shared resources on `app.ctx`.

Areas: the public portal (`/`, `/policies`), the portal chat's relay (`/api/chat`), the
12345 operator console (`/operator`), the department workbench (`/department`), the staff console
(`/staff`), logins (`/login`, `/logout`) and the JSON APIs (`/api/assist`, `/api/tickets`).
The public consultation pages and the Telegram webhook mount themselves through their
`register(app)`, which also sets up what they keep on `app.ctx`.
"""

from __future__ import annotations

import logging
import re

import httpx
from sanic import Sanic
from sanic.exceptions import SanicException
from sanic.request import Request
from sanic.response import HTTPResponse, file, json

from bot.config import Settings
from bot.services import Services
from bot.threads import in_thread
from bot.tickets.catalogue import Catalogue
from bot.web import (
    api_assist,
    api_tickets,
    chat,
    department,
    disclosure,
    gate,
    hotspots,
    operator,
    portal,
    public_consultation,
    register,
    routing_review,
    scorecard,
    sessions,
    staff,
    telegram,
    wechat,
)
from bot.web.common import STATIC, error_response, template_environment
from bot.web.errors import known_error_response
from bot.web.passwords import BoundedPool

_CJK = re.compile(r"[\u4e00-\u9fff]")
log = logging.getLogger(__name__)
CHINESE_ERRORS = {404: "页面不存在", 405: "不支持的请求方式", 413: "提交的内容过大"}


def create_app(settings: Settings, name: str = "zhoushan") -> Sanic:
    app = Sanic(name)
    app.config.REQUEST_MAX_SIZE = 1_000_000
    app.config.FALLBACK_ERROR_FORMAT = "json"
    app.ctx.settings = settings
    app.ctx.services = Services(settings)
    app.ctx.catalogue = Catalogue.load(settings.knowledge_dir / "departments.yml")
    app.ctx.templates = template_environment()
    app.ctx.password_pool = BoundedPool()
    app.ctx.handoff_delivery = {}  # channel -> async (sender_id, text); see bot.web.operator
    app.ctx.consultations_url = "/consultations"

    @app.get("/healthz")
    async def healthz(request):
        return json({"status": "ok"})

    @app.get("/favicon.ico")
    async def favicon(request):
        return await file(STATIC / "favicon.svg", mime_type="image/svg+xml")

    app.static("/static", str(STATIC), name="static")
    for blueprint in (
        sessions.blueprint,
        portal.blueprint,
        api_assist.blueprint,
        operator.blueprint,
        routing_review.blueprint,
        department.blueprint,
        staff.blueprint,
    ):
        app.blueprint(blueprint)
    for area in (
        chat,
        api_tickets,
        public_consultation,
        telegram,
        wechat,
        disclosure,
        hotspots,
        register,
        scorecard,
    ):
        area.register(app)

    gate.install(app)
    app.exception(Exception)(_error_page)
    app.register_middleware(_security_headers, "response")

    @app.before_server_start
    async def open_clients(app, _loop):
        app.ctx.http = httpx.AsyncClient(timeout=15)

    @app.after_server_start
    async def warm_up(app, _loop):
        app.add_task(_load_search(app))

    @app.after_server_stop
    async def close(app, _loop):
        await app.ctx.http.aclose()
        app.ctx.password_pool.close()
        app.ctx.services.close()

    return app


async def _error_page(request: Request, error: Exception) -> HTTPResponse:
    """Errors in Chinese: known refusals and malformed requests by `bot.web.errors`, our own
    messages as they are, Sanic's English ones translated."""
    known = known_error_response(request, error)
    if known is not None:
        return known
    if not isinstance(error, SanicException):
        log.exception("unhandled error on %s", request.path, exc_info=error)
        return error_response(request, "服务器内部错误，请稍后再试", 500)
    message = str(error)
    if not _CJK.search(message):
        message = CHINESE_ERRORS.get(error.status_code, "请求无法处理")
    return error_response(request, message, error.status_code, getattr(error, "headers", None))


async def _security_headers(request: Request, response: HTTPResponse) -> None:
    """No framing, no sniffing, scripts only from this site, and the browser talks only to it
    (the chat goes through our relay, never to Rasa)."""
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    )
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")


async def _load_search(app: Sanic) -> None:
    """Build the knowledge base and the router in the background, so the first operator's
    keystroke does not wait for them, then settle the heap (`Services.warm`)."""
    await in_thread(app.ctx.services.warm)


def serve(settings: Settings) -> None:
    from bot.logs import setup_logging

    setup_logging()
    app = create_app(settings)
    app.run(
        host=settings.web_host,
        port=settings.web_port,
        workers=1,
        access_log=False,
        motd=False,
    )
