"""Two-stage fallback: when NLU is unsure, offer the likeliest meanings as buttons."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

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


class ActionDefaultAskAffirmation(Action):
    """Asks "您是想……吗？" with the two likeliest capability intents as buttons."""

    def name(self) -> str:
        return "action_default_ask_affirmation"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        ranking = tracker.latest_message.get("intent_ranking") or []
        candidates = [
            item["name"]
            for item in ranking
            if item.get("name") in INTENT_TITLES and item["name"] not in SKIPPED
        ][:2]
        if not candidates:
            candidates = ["ask_policy", "file_complaint"]
        buttons = [{"title": INTENT_TITLES[name], "payload": f"/{name}"} for name in candidates]
        buttons.append({"title": "都不是", "payload": "/out_of_scope"})
        dispatcher.utter_message(text="我不太确定您的意思，您是想：", buttons=buttons)
        return []


class ActionDefaultAskRephrase(Action):
    """First stage gave no match: ask the citizen to say it another way."""

    def name(self) -> str:
        return "action_default_ask_rephrase"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        dispatcher.utter_message(
            text="抱歉，我没太明白。您能换个说法再说一遍吗？比如说清楚是想咨询政策、投诉求助，还是查询进度。"
        )
        return []


class ActionDefaultFallback(Action):
    """Second stage failed too: offer a person and the help menu, and forget the message."""

    def name(self) -> str:
        return "action_default_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        dispatcher.utter_message(
            text="抱歉，我还是没能理解您的意思。您可以转人工客服，或直接拨打12345政务服务热线。",
            buttons=[
                {"title": "转人工", "payload": "/request_human"},
                {"title": "看看我能做什么", "payload": "/greet"},
            ],
        )
        return [UserUtteranceReverted()]
