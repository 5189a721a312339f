"""Helpers every action uses: the citizen's latest text, channel, and running blocking work."""

from __future__ import annotations

import hashlib
from typing import Iterable

from rasa_sdk import Tracker

from bot.text import clean
from bot.threads import in_thread  # noqa: F401 - the actions' way off the event loop


def latest_text(tracker: Tracker) -> str:
    """The citizen's latest message, cleaned; empty for a button payload such as `/ask_policy`."""
    text = tracker.latest_message.get("text") or ""
    if text.startswith("/"):
        return ""
    return clean(text)


def channel_of(tracker: Tracker) -> str:
    return tracker.get_latest_input_channel() or "rest"


def submission_key(tracker: Tracker, form: str, slots: Iterable[str]) -> str:
    """An idempotency key for what a form collected: same conversation, same run of `form`, same
    answers → same key, however often the submission is retried."""
    started = next(
        (
            e.get("timestamp")
            for e in reversed(tracker.events)
            if e.get("event") == "active_loop" and e.get("name") == form
        ),
        None,
    )
    material = "\x1f".join(
        [tracker.sender_id, form, str(started)] + [str(tracker.get_slot(s)) for s in slots]
    )
    return "chat:" + hashlib.sha256(material.encode()).hexdigest()[:40]
