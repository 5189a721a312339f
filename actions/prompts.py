"""Form questions as data: each `action_ask_<slot>` below says the entry `<slot>` of prompts.yml.

Rasa asks for a missing form slot by running `action_ask_<slot>`; a slot whose question depends on
the conversation (the complaint summary, the list of drafts) has its own action instead.

These classes read nothing but prompts.yml, so Rasa runs them in its own process with rasa_sdk's
executor (`bot.rasa_server.InProcessAction`; they get the conversation as over HTTP) instead of
calling the action server: keep them free of the database and `bot.services`, which Rasa's process
does not load, or take the class out of `AskSlotAction`.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.wording import prompts


class AskSlotAction(Action):
    """Asks for `slot` with the text (and buttons) configured for it in prompts.yml."""

    slot: str = ""

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        prompt = prompts()[self.slot]
        dispatcher.utter_message(text=prompt.text, buttons=list(prompt.buttons))
        return []


class AskComplaintText(AskSlotAction):
    slot = "complaint_text"


class AskComplaintLocation(AskSlotAction):
    slot = "complaint_location"


class AskComplaintTime(AskSlotAction):
    slot = "complaint_time"


class AskComplaintPhone(AskSlotAction):
    slot = "complaint_phone"


class AskStatusPhoneLast4(AskSlotAction):
    slot = "status_phone_last4"


class AskOpinionText(AskSlotAction):
    slot = "opinion_text"


class AskOpinionNamed(AskSlotAction):
    slot = "opinion_named"


class AskOpinionContact(AskSlotAction):
    slot = "opinion_contact"
