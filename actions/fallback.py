"""Two-stage fallback: when NLU is unsure, offer the likeliest meanings as buttons; when the
message carries no meaning at all (keyboard mashing, only emoji or symbols), say so plainly and show
the menu instead of guessing "结束对话" or "表示感谢" from it."""

from __future__ import annotations

import json
import re
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from bot.text import MAX_MESSAGE_CHARS

INTENT_TITLES = {
    "ask_policy": "咨询政策问题",
    "give_opinion": "对征求意见稿提意见",
    "file_complaint": "投诉、求助、举报或建议",
    "check_status": "查询办理进度",
    "request_human": "转人工客服",
    "greet": "了解我能做什么",
    "goodbye": "结束对话",
    "thank": "表示感谢",
    "bot_challenge": "确认是不是机器人",
}
SKIPPED = {"nlu_fallback", "out_of_scope", "affirm", "deny", "inform"}
KEPT_ENTITIES = ("ticket_no", "receipt_no")
"""Numbers the citizen typed travel with the clarification buttons, so "查询 ZS…" answered
by a click checks that ticket and not the last one of the conversation."""
NOT_UNDERSTOOD = "utter_not_understood"
_CJK = re.compile(r"[\u4e00-\u9fff]")
_NUMBER = re.compile(r"(ZS|YJ)\s*-?\d{8}", re.IGNORECASE)
_LATIN_WORDS = {"hi", "hello", "hey", "ok", "okay", "yes", "no", "bye", "thanks", "thx", "help"}


def meaningless(text: str) -> bool:
    """True for input no reading can rescue: no letters or Chinese at all (emoji, symbols),
    one character repeated ("啊啊啊啊"), or Latin letters that are no word we answer to
    ("asdfghjkl"); the assistant is for Chinese speakers, and ticket numbers are kept."""
    compact = re.sub(r"\s", "", (text or "")[:MAX_MESSAGE_CHARS])
    if not compact or compact.startswith("/") or _NUMBER.search(compact):
        return False
    if not re.search(r"[\u4e00-\u9fffA-Za-z0-9]", compact):
        return True
    if len(compact) >= 3 and len(set(compact)) == 1:
        return True
    if _CJK.search(compact):
        return False
    words = re.findall(r"[A-Za-z]+", compact.lower())
    return bool(words) and not any(word in _LATIN_WORDS for word in words)


def said(tracker: Tracker) -> str:
    return tracker.latest_message.get("text") or ""


class ActionDefaultAskAffirmation(Action):
    """Asks "您是想……吗？" with the two likeliest capability intents as buttons."""

    def name(self) -> str:
        return "action_default_ask_affirmation"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        if meaningless(said(tracker)):
            dispatcher.utter_message(response=NOT_UNDERSTOOD)
            return []
        ranking = tracker.latest_message.get("intent_ranking") or []
        candidates = [
            item["name"]
            for item in ranking
            if item.get("name") in INTENT_TITLES and item["name"] not in SKIPPED
        ][:2]
        if not candidates:
            candidates = ["ask_policy", "file_complaint"]
        kept = {
            item["entity"]: item["value"]
            for item in tracker.latest_message.get("entities") or []
            if item.get("entity") in KEPT_ENTITIES and item.get("value")
        }
        carried = json.dumps(kept, ensure_ascii=False) if kept else ""
        buttons = [
            {"title": INTENT_TITLES[name], "payload": f"/{name}{carried}"} for name in candidates
        ]
        buttons.append({"title": "都不是", "payload": "/out_of_scope"})
        dispatcher.utter_message(response="utter_ask_affirmation", buttons=buttons)
        return []


class ActionDefaultAskRephrase(Action):
    """First stage gave no match: ask the citizen to say it another way."""

    def name(self) -> str:
        return "action_default_ask_rephrase"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        if meaningless(said(tracker)):
            dispatcher.utter_message(response=NOT_UNDERSTOOD)
        else:
            dispatcher.utter_message(response="utter_ask_rephrase")
        return []


class ActionDefaultFallback(Action):
    """Second stage failed too: offer a person and the help menu, and forget the message."""

    def name(self) -> str:
        return "action_default_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        dispatcher.utter_message(response="utter_still_not_understood")
        return [UserUtteranceReverted()]


class ActionOutOfScope(Action):
    """Out of scope: "没看懂" with the menu for meaningless input, else what we can do."""

    def name(self) -> str:
        return "action_out_of_scope"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        meaning = NOT_UNDERSTOOD if meaningless(said(tracker)) else "utter_out_of_scope"
        dispatcher.utter_message(response=meaning)
        return []
