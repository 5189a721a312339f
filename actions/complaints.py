"""`file_complaint`: triage (emergency, not ours, or a ticket), a form that asks only for what is
missing, a confirmation, then one ticket, routed with its deadline (统一接收、按责转办、限时办结)."""

from __future__ import annotations

import re
from typing import Any, Dict, List

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import Submission, channel_of, in_thread, latest_text, store_then_confirm
from actions.wording import say, text
from bot.clock import format_cn
from bot.privacy import find_mobile as find_phone
from bot.privacy import mask_phone
from bot.services import services
from bot.text import clean, has_content
from bot.tickets import intake

FORM_SLOTS = (
    "complaint_text",
    "complaint_location",
    "complaint_time",
    "complaint_phone",
    "complaint_confirmed",
)
ANONYMOUS = "匿名"
_ANONYMOUS_WORDS = re.compile(r"匿名|不留|不想留|不方便留|保密")
# A number is a time unless it is part of an address: 渔港路18号, 5号楼, 3幢 are places.
_TIME_WORDS = re.compile(
    r"(今天|昨天|前天|今早|今晚|昨晚|昨夜|凌晨|早上|上午|中午|下午|傍晚|晚上|半夜|夜里|深夜|"
    r"刚才|刚刚|最近|这几天|这两天|上周|本周|这周|上个月|这个月|每天|天天|经常|一直|长期|"
    r"好几天|好久|几个月|"
    r"(?<![\d路街道弄巷村区幢栋楼室])\d+\s*(点|号(?![楼院门线床口])|日|月|天|周|个月|年)|"
    r"[一二三四五六七八九十两]+(点|天|周|个月|年))"
)
_GENERIC = re.compile(
    r"^(我)?(要|想|需要)?(投诉|举报|反映|求助|建议|反馈|报修)(一下|个|一个)?(问题|情况|事情)?[。！!]?$"
)


def is_description(text: str) -> bool:
    """True when the message says what happened, not just "我要投诉"."""
    compact = re.sub(r"\s", "", text or "")
    return has_content(compact) and len(compact) >= 6 and not _GENERIC.match(compact)


def full_text(slots: Dict[str, Any]) -> str:
    """What the router reads: the description plus where and when, as the citizen said them."""
    parts = [slots.get("complaint_text") or ""]
    location = slots.get("complaint_location") or ""
    if location and location not in parts[0]:
        parts.append(f"地点：{location}")
    when = slots.get("complaint_time") or ""
    if when and when not in parts[0]:
        parts.append(f"时间：{when}")
    return "；".join(p for p in parts if p)


def _record_referral(routing, channel: str, sender_id: str) -> None:
    with services().db.session() as session:
        intake.refer(session, routing, channel, sender_id)


def _contact(slots: Dict[str, Any]) -> intake.Contact:
    phone = slots.get("complaint_phone")
    return intake.Contact(
        phone=None if phone == ANONYMOUS else phone, anonymous=phone == ANONYMOUS
    )


class ActionTriageComplaint(Action):
    """First look at a complaint: emergencies and matters 12345 does not take are redirected at
    once (and recorded); everything else pre-fills what the citizen already said and opens the form.

    A bare statement outside any form (`inform`, e.g. "沈家门那个工地半夜还在打桩") is a complaint
    too when the router recognises a problem in it; otherwise the route is `unclear` and the
    citizen is asked what they want.
    """

    def name(self) -> str:
        return "action_triage_complaint"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        text = latest_text(tracker)
        events: List[EventType] = [SlotSet(slot, None) for slot in FORM_SLOTS]
        if not text:
            return events + [SlotSet("complaint_route", "ticket")]
        routing = await in_thread(intake.preview, services().router, text)
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        describes_problem = is_description(text) and bool(
            routing.category or routing.emergency or routing.excluded
        )
        if intent == "inform" and not describes_problem:
            return [SlotSet("complaint_route", "unclear")]
        if routing.emergency or routing.excluded:
            message = routing.emergency_message or routing.excluded_message
            dispatcher.utter_message(text=message)
            try:
                await in_thread(_record_referral, routing, channel_of(tracker), tracker.sender_id)
            except Exception:  # noqa: BLE001 - the referral itself was already given
                pass
            if not routing.files_ticket:
                return events + [SlotSet("complaint_route", "referred")]
            say(dispatcher, "complaint_unsure_emergency")
        if is_description(text):
            events.append(SlotSet("complaint_text", text))
            place = services().router.gazetteer.locate(text)
            if place is not None:
                events.append(SlotSet("complaint_location", place.name))
            when = _TIME_WORDS.search(text)
            if when:
                events.append(SlotSet("complaint_time", when.group(0)))
            phone = find_phone(text)
            if phone:
                events.append(SlotSet("complaint_phone", phone))
        return events + [SlotSet("complaint_route", "ticket")]


class ValidateComplaintForm(FormValidationAction):
    """Checks each answer; a 举报 may stay anonymous, everything else needs a mobile number."""

    def name(self) -> str:
        return "validate_complaint_form"

    def validate_complaint_text(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        text = clean(value)
        if not is_description(text):
            say(dispatcher, "complaint_text_retry")
            return {"complaint_text": None}
        return {"complaint_text": text}

    def validate_complaint_location(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        text = clean(value, max_chars=200)
        if not has_content(text):
            say(dispatcher, "complaint_location_retry")
            return {"complaint_location": None}
        location = services().router.gazetteer.resolve(text)
        if location.place is None and location.candidates:
            names = "、".join(
                services().router.gazetteer.jurisdiction(j).name for j in location.candidates
            )
            say(dispatcher, "complaint_location_ambiguous", names=names)
            return {"complaint_location": None}
        if location.place is None:
            say(dispatcher, "complaint_location_unknown")
        return {"complaint_location": text}

    def validate_complaint_time(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        text = clean(value, max_chars=100)
        if not has_content(text):
            say(dispatcher, "complaint_time_retry")
            return {"complaint_time": None}
        return {"complaint_time": text}

    def validate_complaint_phone(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        text = clean(value, max_chars=100)
        phone = find_phone(text)
        if phone:
            return {"complaint_phone": phone}
        if _ANONYMOUS_WORDS.search(text):
            return {"complaint_phone": ANONYMOUS}
        say(dispatcher, "complaint_phone_retry")
        return {"complaint_phone": None}

    def validate_complaint_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        return {"complaint_confirmed": bool(value)}


def summary(slots: Dict[str, Any], routing) -> str:
    phone = slots.get("complaint_phone")
    lines = [
        "请确认您要提交的内容：",
        f"· 事项：{slots.get('complaint_text')}",
        f"· 地点：{slots.get('complaint_location')}",
        f"· 时间：{slots.get('complaint_time')}",
        f"· 联系电话：{'匿名' if phone == ANONYMOUS else mask_phone(phone or '')}",
        f"· 类型：{routing.type or '待定'}　分类：{routing.category_name or '待人工分派'}",
        f"· 拟转交：{routing.department or '12345热线人工分派'}",
    ]
    if routing.co_departments:
        lines.append(f"· 协办：{'、'.join(routing.co_departments)}")
    if routing.due_at:
        lines.append(f"· 办结时限：{format_cn(routing.due_at)} 前")
    return "\n".join(lines)


class ActionAskComplaintConfirmed(Action):
    """Shows the summary with the department and deadline the ticket would get, then asks."""

    def name(self) -> str:
        return "action_ask_complaint_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        routing = await in_thread(intake.preview, services().router, full_text(tracker.slots))
        problem = intake.contact_problem(routing, _contact(tracker.slots))
        if problem:
            dispatcher.utter_message(
                text=f"{problem}。为了承办部门能答复您，请留一个手机号（只用于本件办理，不会公开）。"
            )
            return [SlotSet("complaint_phone", None), SlotSet("requested_slot", "complaint_phone")]
        dispatcher.utter_message(
            text=summary(tracker.slots, routing),
            buttons=[
                {"title": "确认提交", "payload": "/affirm"},
                {"title": "取消", "payload": "/deny"},
            ],
        )
        return [SlotSet("complaint_routing", routing.to_dict())]


def _create(slots: Dict[str, Any], sender_id: str, channel: str, key: str) -> dict:
    from bot.tickets.service import department_name

    svc = services()
    with svc.db.session() as session:
        ticket = intake.intake(
            session,
            full_text(slots),
            _contact(slots),
            channel,
            router=svc.router,
            shown=intake.routing_from_slot(slots.get("complaint_routing")),
            sender_id=sender_id,
            idempotency_key=key,
        )
        session.flush()
        return {
            "number": ticket.number,
            "department": department_name(svc.router.catalogue, ticket.department_id),
            "due_at": ticket.due_at,
            "type": ticket.type,
        }


class ActionSubmitComplaint(Action):
    """Persist first, then confirm: the ticket number is only given once the ticket is stored."""

    def name(self) -> str:
        return "action_submit_complaint"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        from bot.tickets.service import TicketError

        submission = Submission(
            form="complaint_form",
            slots=FORM_SLOTS,
            cleared=("complaint_route", "complaint_routing"),
            cancelled="complaint_cancelled",
            refused="complaint_refused",
            not_saved="complaint_not_saved",
            refusals=(TicketError,),
        )
        ticket, events = await store_then_confirm(dispatcher, tracker, submission, _create)
        if ticket is None:
            return events
        due = ticket["due_at"]
        say(
            dispatcher,
            "complaint_received",
            number=ticket["number"],
            department=ticket["department"] or text("complaint_unassigned"),
            due=text("complaint_received_due", due=format_cn(due)) if due else "",
        )
        return events + [SlotSet("last_ticket_no", ticket["number"])]
