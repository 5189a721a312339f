"""Form questions as data: one `action_ask_<slot>` per entry of `prompts.yml`.

Rasa asks for a missing form slot by running `action_ask_<slot>`. Keeping the questions in a YAML
file beside this module lets a civil servant reword them without touching Python; a slot whose
question depends on the conversation (e.g. the complaint summary) has its own action instead.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List

import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

PROMPTS = yaml.safe_load((Path(__file__).with_name("prompts.yml")).read_text(encoding="utf-8"))


class AskSlotAction(Action):
    """Asks for `slot` with the text (and buttons) configured for it in prompts.yml."""

    slot: str = ""

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        prompt = PROMPTS[self.slot]
        dispatcher.utter_message(text=prompt["text"], buttons=prompt.get("buttons") or [])
        return []


for _slot in PROMPTS:
    _name = "".join(part.title() for part in _slot.split("_"))
    globals()[f"Ask{_name}"] = type(f"Ask{_name}", (AskSlotAction,), {"slot": _slot})
