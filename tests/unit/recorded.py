"""Rasa SDK trackers built from recorded events, to run actions as the action server would.

The events are the dicts Rasa sends the action server (`user`, `action`, `slot`, `active_loop`);
`tracker()` derives the slots, the latest message and the active loop from them as Rasa does.
"""

from __future__ import annotations

import asyncio
from functools import cache
from typing import Any, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.config import PROJECT_ROOT


@cache
def domain() -> dict:
    from rasa.shared.core.domain import Domain

    return Domain.load(str(PROJECT_ROOT / "domain.yml")).as_dict()


def user(text: str, intent: str, confidence: float = 0.99, **entities: str) -> dict:
    return {
        "event": "user",
        "text": text,
        "parse_data": {
            "text": text,
            "intent": {"name": intent, "confidence": confidence},
            "intent_ranking": [{"name": intent, "confidence": confidence}],
            "entities": [{"entity": k, "value": v} for k, v in entities.items()],
        },
        "input_channel": "rest",
    }


def action(name: str) -> dict:
    return {"event": "action", "name": name}


def slot(name: str, value: Any) -> dict:
    return {"event": "slot", "name": name, "value": value}


def loop(name: Optional[str]) -> dict:
    return {"event": "active_loop", "name": name}


def tracker(events: list[dict], sender: str = "citizen-1") -> Tracker:
    slots: dict[str, Any] = {name: None for name in domain()["slots"]}
    latest: dict = {}
    active: dict = {}
    for event in events:
        if event["event"] == "slot":
            slots[event["name"]] = event["value"]
        elif event["event"] == "user":
            latest = {"text": event["text"], **event["parse_data"]}
        elif event["event"] == "active_loop":
            active = {"name": event["name"]} if event["name"] else {}
    stamped = [{"timestamp": float(i), **event} for i, event in enumerate(events)]
    return Tracker(sender, slots, latest, stamped, False, None, active, None)


def run(action_: Action, events: list[dict], sender: str = "citizen-1") -> tuple[list, list]:
    """Run `action_` on the recorded `events`: (messages it sent, events it returned)."""
    dispatcher = CollectingDispatcher()
    returned = asyncio.run(action_.run(dispatcher, tracker(events, sender), domain()))
    return dispatcher.messages, returned


def slots_of(returned: list) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in returned if e.get("event") == "slot"}
