"""Stand-ins for what the Telegram channel talks to, served on 127.0.0.1 from a background thread.

`BotApiStandIn` answers the Bot API methods the channel uses (the real API is unreachable here)
and records every call; point `telegram_api_url` at its `base_url`. `FakeRasa` answers Rasa's REST
channel with canned replies, for tests that need no trained model. Both are real HTTP servers, so
the code under test runs unchanged, from this process or from another one.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import threading
import time
from typing import Any, Optional

from aiohttp import web

TOKEN = "123456:STAND-IN-TOKEN"
GREETING = [
    {
        "recipient_id": "x",
        "text": "您好！我是舟山市政务公开智能助手。",
        "buttons": [
            {"title": "政策咨询", "payload": "/ask_policy"},
            {
                "title": "长按钮",
                "payload": '/inform{"policy_query": "舟山市海岛渔民养老保险补贴申请条件和办理流程"}',
            },
        ],
    }
]


class _Server:
    """An aiohttp application on a free port, running its own event loop in a thread."""

    def __init__(self) -> None:
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._runner: Optional[web.AppRunner] = None
        self._lock = threading.Lock()

    def routes(self, app: web.Application) -> None:
        raise NotImplementedError

    def start(self) -> _Server:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(timeout=10)
        return self

    async def _start(self) -> None:
        app = web.Application()
        self.routes(app)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)


class BotApiStandIn(_Server):
    """getMe, sendMessage, answerCallbackQuery, setWebhook, deleteWebhook and getUpdates.

    `queue_update` offers an update to getUpdates; with `redeliver=n` every update is served n
    times whatever offset the client confirms, as Telegram does after a crash. A chat in
    `blocked_chats` answers sendMessage with 403, as for a citizen who blocked the bot.
    """

    def __init__(self, token: str = TOKEN, redeliver: int = 1) -> None:
        super().__init__()
        self.token = token
        self.redeliver = redeliver
        self.blocked_chats: set[int] = set()
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self._updates: list[list] = []
        self._message_ids = itertools.count(1000)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/bot{token}/{method}", self._call)

    def queue_update(self, update: dict) -> None:
        with self._lock:
            self._updates.append([update, 0])

    def times_served(self, update_id: int) -> int:
        with self._lock:
            return sum(
                served for update, served in self._updates if update["update_id"] == update_id
            )

    def calls_to(self, method: str) -> list[dict[str, Any]]:
        with self._lock:
            return [params for name, params in self.calls if name == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 30) -> list[dict[str, Any]]:
        """The calls to `method` once there are at least `count`; AssertionError after `timeout`."""
        deadline = time.monotonic() + timeout
        while len(found := self.calls_to(method)) < count:
            assert time.monotonic() < deadline, f"{method}: {len(found)} of {count} calls"
            time.sleep(0.05)
        return found

    async def _call(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        method = request.match_info["method"]
        params = _params(await request.post())
        with self._lock:
            self.calls.append((method, params))
        answer = getattr(self, f"_{method}", None)
        if answer is None:
            return _error(404, "Not Found: method not found")
        return await answer(params)

    async def _getMe(self, params: dict) -> web.Response:
        return _ok(
            {"id": 123456, "is_bot": True, "first_name": "舟山政务", "username": "zs_gov_bot"}
        )

    async def _sendMessage(self, params: dict) -> web.Response:
        chat = int(params["chat_id"])
        if chat in self.blocked_chats:
            return _error(403, "Forbidden: bot was blocked by the user")
        return _ok(
            {
                "message_id": next(self._message_ids),
                "date": int(time.time()),
                "chat": {"id": chat, "type": "private"},
                "text": params["text"],
            }
        )

    async def _answerCallbackQuery(self, params: dict) -> web.Response:
        return _ok(True)

    async def _setWebhook(self, params: dict) -> web.Response:
        return _ok(True)

    async def _deleteWebhook(self, params: dict) -> web.Response:
        return _ok(True)

    async def _getUpdates(self, params: dict) -> web.Response:
        offset = int(params.get("offset") or 0)
        deadline = time.monotonic() + min(float(params.get("timeout") or 0), 1.0)
        while True:
            with self._lock:
                due = [
                    entry
                    for entry in self._updates
                    if entry[1] < self.redeliver
                    and (entry[0]["update_id"] >= offset or self.redeliver > 1)
                ]
                for entry in due:
                    entry[1] += 1
                batch = [update for update, _ in due]
            if batch or time.monotonic() >= deadline:
                return _ok(batch)
            await asyncio.sleep(0.05)


class FakeRasa(_Server):
    """Rasa's REST channel: records every request, answers `replies` (or `status` if not 200)."""

    def __init__(self, replies: Optional[list[dict]] = None) -> None:
        super().__init__()
        self.replies = GREETING if replies is None else replies
        self.status = 200
        self.requests: list[dict] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/webhooks/rest/webhook", self._webhook)

    async def _webhook(self, request: web.Request) -> web.Response:
        with self._lock:
            self.requests.append(await request.json())
        if self.status != 200:
            return web.json_response({"error": "down"}, status=self.status)
        return web.json_response(self.replies)


def _params(raw: Any) -> dict[str, Any]:
    """Bot API parameters as values: python-telegram-bot posts a form, objects as JSON strings."""
    params = dict(raw)
    for name in ("reply_markup", "allowed_updates"):
        if isinstance(params.get(name), str):
            params[name] = json.loads(params[name])
    return params


def _ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})


def _error(code: int, description: str) -> web.Response:
    return web.json_response(
        {"ok": False, "error_code": code, "description": description}, status=code
    )


def message_update(update_id: int, chat: int, text: str) -> dict:
    """An update carrying a citizen's private message, as Telegram sends it (a leading `/word`
    is marked as a bot command)."""
    message = {
        "message_id": update_id * 10,
        "date": int(time.time()),
        "chat": {"id": chat, "type": "private", "first_name": "市民"},
        "from": {"id": chat, "is_bot": False, "first_name": "市民"},
        "text": text,
    }
    command = re.match(r"/\w+", text)
    if command:
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": command.end()}]
    return {"update_id": update_id, "message": message}


def button_update(update_id: int, chat: int, data: str) -> dict:
    """An update for an inline button pressed under one of the bot's messages."""
    return {
        "update_id": update_id,
        "callback_query": {
            "id": f"cq{update_id}",
            "chat_instance": "ci",
            "from": {"id": chat, "is_bot": False, "first_name": "市民"},
            "data": data,
            "message": {
                "message_id": 7,
                "date": int(time.time()),
                "chat": {"id": chat, "type": "private"},
                "from": {"id": 123456, "is_bot": True, "first_name": "舟山政务"},
                "text": "您好！",
            },
        },
    }
