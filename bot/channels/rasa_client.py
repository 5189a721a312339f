"""A small async client for Rasa's REST channel, shared by every front end that talks to Rasa.

Telegram, the web portal and the operator console all reach the assistant the same way: POST
`{"sender", "message", "input_channel", "metadata"}` to `/webhooks/rest/webhook` and get back the
bot's messages. `input_channel` becomes the tracker's input channel, so actions record where a
ticket or an opinion came from (`telegram`, `web`, ...).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import TracebackType
from typing import Any, Optional

import httpx

REST_WEBHOOK = "/webhooks/rest/webhook"


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
        self._http = httpx.AsyncClient(base_url=rasa_url.rstrip("/"), timeout=timeout)

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
            response = await self._http.post(REST_WEBHOOK, json=body)
            response.raise_for_status()
            return parse_messages(response.json())
        except (httpx.HTTPError, ValueError) as error:
            raise RasaUnavailable(f"Rasa REST channel: {type(error).__name__}") from error

    async def aclose(self) -> None:
        await self._http.aclose()

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
