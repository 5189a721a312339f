"""`request_human`: record a hand-over request for the 12345 operators and tell the citizen,
with the operators' hours when it is outside them."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import channel_of, in_thread
from actions.wording import say, text
from bot import handoff
from bot.db import utcnow
from bot.handoff.hours import service_hours
from bot.services import services


def _queue(sender_id: str, channel: str, last_message: str) -> tuple[int, int]:
    with services().db.session() as session:
        request = handoff.request_handoff(
            session, sender_id=sender_id, channel=channel, last_message=last_message
        )
        session.flush()
        return request.id, handoff.waiting_count(session)


class ActionRequestHuman(Action):
    def name(self) -> str:
        return "action_request_human"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        previous = [
            e.get("text") or ""
            for e in tracker.events
            if e.get("event") == "user" and not (e.get("text") or "").startswith("/")
        ]
        try:
            request_id, waiting = await in_thread(
                _queue, tracker.sender_id, channel_of(tracker), " / ".join(previous[-3:])
            )
        except Exception:  # noqa: BLE001 - the citizen must hear something true either way
            say(dispatcher, "handoff_failed")
            return []
        reply = text("handoff_queued", request_id=request_id, waiting=waiting)
        outside = service_hours(services().settings.knowledge_dir).notice(utcnow())
        dispatcher.utter_message(text=f"{reply}\n{outside}" if outside else reply)
        return []
