"""`ask_policy`: answer from the policy knowledge base with its source, or say we are not sure.

Not sure: the closest items, plainly marked as such, and the office that handles the matter if
none of them is it; nothing in the library: say so, name the office, offer 12345 or a ticket
(bot/policy/referral.py), never a clause.

The best result of the last answer is kept in the `policy_context` slot, so follow-ups such as
"具体是哪一条？" or "那县区呢？" are read with that policy in context.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import in_thread, latest_text
from bot.policy import Answer, Result, format_reply
from bot.policy.referral import out_of_library_reply, responsible_office, unsure_footer
from bot.services import services
from bot.text import clean


def previous_answer(context: Optional[dict]) -> Optional[Answer]:
    """The last answer rebuilt from the slot (only its best result is kept)."""
    if not isinstance(context, dict):
        return None
    try:
        return Answer(question="", results=(Result(**context),))
    except TypeError:
        return None


def question_of(tracker: Tracker) -> str:
    """The question typed, or the one behind a suggestion button (`/ask_policy{"policy_query":…}`)."""
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == "policy_query" and entity.get("value"):
            return clean(entity["value"])
    return latest_text(tracker)


HELP_BUTTONS = [
    {"title": "转人工", "payload": "/request_human"},
    {"title": "提交咨询工单", "payload": "/file_complaint"},
]


def choice_buttons(answer: Answer) -> List[Dict[str, str]]:
    """One button per policy that fits: the question asked again within that policy."""
    question = answer.question[:80]
    return [
        {"title": title[:30], "payload": f'/ask_policy{{"policy_query": "《{title}》{question}"}}'}
        for _, title in answer.choices
        if '"' not in title + question and "\\" not in title + question
    ]


def buttons_for(answer: Answer) -> List[Dict[str, str]]:
    buttons = [
        {"title": title[:30], "payload": f'/ask_policy{{"policy_query": "{title[:60]}"}}'}
        for title in answer.suggestions[:3]
        if '"' not in title
    ]
    return buttons + HELP_BUTTONS


class ActionAnswerPolicy(Action):
    def name(self) -> str:
        return "action_answer_policy"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        question = question_of(tracker)
        if not question:
            dispatcher.utter_message(
                text="请直接说出您想了解的政策问题，例如“政府信息依申请公开多久答复？”"
            )
            return []
        kb = await in_thread(lambda: services().kb)
        previous = previous_answer(tracker.get_slot("policy_context"))
        answer = await in_thread(kb.followup, question, previous)
        if answer.out_of_library:
            office = await in_thread(responsible_office, question, services().router)
            dispatcher.utter_message(text=out_of_library_reply(office), buttons=HELP_BUTTONS)
            return []
        if answer.choices and choice_buttons(answer):
            dispatcher.utter_message(text=format_reply(answer), buttons=choice_buttons(answer))
            return []
        if answer.results and answer.confident:
            dispatcher.utter_message(text=format_reply(answer))
            return [SlotSet("policy_context", answer.best.to_dict())]
        if answer.results:
            office = await in_thread(responsible_office, question, services().router)
            text = "\n".join(filter(None, [format_reply(answer), unsure_footer(office)]))
            dispatcher.utter_message(text=text, buttons=buttons_for(answer))
            return []
        dispatcher.utter_message(text=format_reply(answer), buttons=HELP_BUTTONS)
        return []
