"""The real services for end-to-end tests: Rasa, the action server and the web service.

`stack` starts them once per session for each store profile: embedded SQLite, and PostgreSQL with a
Redis lock store and two Rasa workers (the production profile). Every test that uses `stack` runs
against both.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any, Optional

import pytest

from bot.localstack import LocalStack, start_stack
from bot.model import ensure_model


def http_json(
    method: str, url: str, body: Any = None, headers: Optional[dict] = None, timeout: float = 30
) -> tuple[int, Any]:
    """One HTTP call; returns (status, parsed JSON or text). Never raises for an HTTP status."""
    data = (
        None
        if body is None
        else (body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode())
    )
    request = urllib.request.Request(
        url,
        data=data,
        method=method,
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw, status = response.read(), response.status
    except urllib.error.HTTPError as error:
        raw, status = error.read(), error.code
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        return status, raw.decode("utf-8", "replace")


class Stack(LocalStack):
    """A running stack with conversation helpers."""

    def say(self, sender: str, text: str) -> list[dict]:
        """Send `text` as `sender` through the REST channel; the bot's replies."""
        status, replies = http_json(
            "POST", f"{self.rasa_url}/webhooks/rest/webhook", {"sender": sender, "message": text}
        )
        assert status == 200, (status, replies)
        return replies

    def texts(self, sender: str, text: str) -> str:
        return "\n".join(r.get("text", "") for r in self.say(sender, text))

    def tracker(self, sender: str) -> dict:
        status, tracker = http_json(
            "GET",
            f"{self.rasa_url}/conversations/{sender}/tracker?token={self.settings.rasa_token}",
        )
        assert status == 200, tracker
        return tracker

    def last_intent(self, sender: str) -> str:
        return self.tracker(sender)["latest_message"]["intent"]["name"]


@pytest.fixture(scope="session")
def model_path():
    return ensure_model()


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def stack(request, tmp_path_factory, model_path) -> Stack:
    running = start_stack(
        request.param, tmp_path_factory.mktemp(f"stack-{request.param}"), stack_class=Stack
    )
    yield running
    running.stop()
