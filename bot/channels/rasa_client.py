"""A small async client for Rasa's REST channel, shared by every front end that talks to Rasa.

Telegram, the web portal and the operator console all reach the assistant the same way: POST
`{"sender", "message", "input_channel", "metadata"}` to `/webhooks/rest/webhook` and get back the
bot's messages. `input_channel` becomes the tracker's input channel, so actions record where a
ticket or an opinion came from (`telegram`, `web`, ...).

Every citizen's message passes through here, so the client is aiohttp's, not httpx's: profiled
relaying the portal's chat, httpx's request machinery (and a failed import of `sniffio` it
retries on every lock it sets up) was about two fifths of the web service's busy time
(bench/PROFILE.md). The session is opened on first use, in the loop that uses it, and its idle
connections are kept `KEEPALIVE_SECONDS`, under the 5 s Sanic keeps them open on Rasa's side, so
a reused connection is never one the server is closing.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Optional

import aiohttp

REST_WEBHOOK = "/webhooks/rest/webhook"
KEEPALIVE_SECONDS = 2.0
"""Idle connections to a Sanic server (Rasa, the action server) are reused this long: below
Sanic's keep-alive of 5 s."""


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass(frozen=True)
class BotMessage:
    """One message of the bot: its text and the buttons offered under it."""

    text: str = ""
    buttons: tuple[Button, ...] = ()


class RasaUnavailable(RuntimeError):
    """Rasa did not answer, or answered with something other than a list of messages."""


class RasaClient:
    """One connection pool to Rasa; create one per process and close it with `aclose()`."""

    def __init__(self, rasa_url: str, timeout: float = 30.0) -> None:
        self._url = rasa_url.rstrip("/") + REST_WEBHOOK
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._http: Optional[aiohttp.ClientSession] = None

    def _session(self) -> aiohttp.ClientSession:
        if self._http is None or self._http.closed:
            self._http = aiohttp.ClientSession(
                timeout=self._timeout,
                connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_SECONDS),
            )
        return self._http

    async def send(
        self,
        sender: str,
        message: str,
        *,
        input_channel: str = "rest",
        metadata: Optional[dict[str, Any]] = None,
    ) -> list[BotMessage]:
        """The bot's replies to `message` from `sender`, in order."""
        body = {
            "sender": sender,
            "message": message,
            "input_channel": input_channel,
            "metadata": metadata or {},
        }
        try:
            async with self._session().post(self._url, json=body) as response:
                response.raise_for_status()
                payload = json.loads(await response.read())
            return parse_messages(payload)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            raise RasaUnavailable(f"Rasa REST channel: {type(error).__name__}") from error

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.close()

    async def __aenter__(self) -> RasaClient:
        return self

    async def __aexit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        traceback: Optional[TracebackType],
    ) -> None:
        await self.aclose()


def parse_messages(payload: Any) -> list[BotMessage]:
    """Rasa's REST reply (a list of `{"text", "buttons", ...}`) as `BotMessage`s."""
    if not isinstance(payload, list):
        raise ValueError("expected a list of bot messages")
    return [
        BotMessage(
            text=str(item.get("text") or ""),
            buttons=tuple(
                Button(
                    title=str(button.get("title") or ""), payload=str(button.get("payload") or "")
                )
                for button in item.get("buttons") or ()
                if isinstance(button, dict)
            ),
        )
        for item in payload
        if isinstance(item, dict)
    ]
