"""Helpers every action uses: the citizen's latest text, channel, running blocking work, and the
one submit step of every form."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, TypeVar

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.privacy import mask
from bot.text import clean
from bot.threads import in_thread

logger = logging.getLogger(__name__)

T = TypeVar("T")


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


@dataclass(frozen=True)
class Submission:
    """How a form's answers are stored: its slots (the last one is the citizen's confirmation),
    the other slots cleared with them (its route), the messages.yml keys for cancelled / refused
    (with `{error}`) / not saved, and the errors whose message may be shown to the citizen."""

    form: str
    slots: Sequence[str]
    cleared: Sequence[str]
    cancelled: str
    refused: str
    not_saved: str
    refusals: tuple[type, ...]


async def store_then_confirm(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    submission: Submission,
    store: Callable[[Dict[str, Any], str, str, str], T],
) -> tuple[Optional[T], List[EventType]]:
    """Store what the form collected exactly once, before anything is confirmed.

    Returns what `store` gave and the events that close the form; (None, events) when nothing
    was stored, after telling the citizen why. A retry after a failure reuses the same
    idempotency key (`submission_key`), so a stored answer is never stored twice.
    """
    from actions.wording import say

    reset: List[EventType] = [
        SlotSet(slot, None) for slot in (*submission.slots, *submission.cleared)
    ]
    if not tracker.get_slot(submission.slots[-1]):
        say(dispatcher, submission.cancelled)
        return None, reset
    try:
        stored = await in_thread(
            store,
            dict(tracker.slots),
            tracker.sender_id,
            channel_of(tracker),
            submission_key(tracker, submission.form, submission.slots[:-1]),
        )
    except submission.refusals as error:
        say(dispatcher, submission.refused, error=str(error))
        return None, reset
    except Exception as error:  # noqa: BLE001 - the citizen is told, nothing is claimed unstored
        logger.warning(
            "%s not stored for %s: %s: %s",
            submission.form,
            tracker.sender_id,
            type(error).__name__,
            mask(str(error))[:500],
        )
        say(dispatcher, submission.not_saved)
        return None, [SlotSet(submission.slots[-1], None), FollowupAction(submission.form)]
    return stored, reset
