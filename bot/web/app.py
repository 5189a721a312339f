"""The Sanic application factory: one Blueprint per area, shared resources on `app.ctx`."""

from __future__ import annotations

from sanic import Sanic
from sanic.response import json

from bot.config import Settings
from bot.services import Services


def create_app(settings: Settings, name: str = "zhoushan") -> Sanic:
    app = Sanic(name)
    app.config.REQUEST_MAX_SIZE = 1_000_000
    app.config.FALLBACK_ERROR_FORMAT = "json"
    app.ctx.settings = settings
    app.ctx.services = Services(settings)

    @app.get("/healthz")
    async def healthz(request):
        return json({"status": "ok"})

    @app.after_server_stop
    async def close(app, _loop):
        app.ctx.services.close()

    return app


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
