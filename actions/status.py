"""`check_status`: what became of a citizen's ticket (ZS…) or opinion (YJ…).

A ticket's details are shown only to the conversation that filed it or to someone who gives the
last four digits of the phone left on it; the status form asks for them when needed.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import in_thread
from bot.clock import format_cn
from bot.services import services

TICKET_NO = re.compile(r"ZS\s*-?\s*(\d{8})\s*-?\s*(\d{4})", re.IGNORECASE)
RECEIPT_NO = re.compile(r"YJ\s*-?\s*(\d{8})\s*-?\s*(\d{4})", re.IGNORECASE)


def find_number(text: str, pattern: re.Pattern, prefix: str) -> Optional[str]:
    match = pattern.search(text or "")
    return f"{prefix}{match.group(1)}-{match.group(2)}" if match else None


def _ticket_status(number: str, last4: Optional[str], sender_id: str) -> Optional[dict]:
    from sqlalchemy import select

    from bot.tickets.models import Ticket
    from bot.tickets.service import lookup

    svc = services()
    with svc.db.session() as session:
        exists = session.execute(select(Ticket.id).where(Ticket.number == number)).first()
        if not exists:
            return {"found": False}
        status = lookup(session, number, last4, catalogue=svc.router.catalogue, sender_id=sender_id)
        if status is None:
            return None
        return {
            "found": True,
            "status": status.status,
            "department": status.department,
            "due_at": status.due_at,
            "reply": status.reply,
        }


def _opinion_status(receipt: str) -> Optional[str]:
    from bot.consultation import NotFound, lookup_opinion

    with services().db.session() as session:
        try:
            status = lookup_opinion(session, receipt)
        except NotFound:
            return None
        return status.message if status else None


class ActionCheckStatus(Action):
    def name(self) -> str:
        return "action_check_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        text = tracker.latest_message.get("text") or ""
        receipt = find_number(text, RECEIPT_NO, "YJ")
        ticket = find_number(text, TICKET_NO, "ZS") or tracker.get_slot("status_number")
        if not receipt and not ticket and "意见" in text:
            receipt = tracker.get_slot("last_receipt_no")
        if receipt:
            answer = await in_thread(_opinion_status, receipt)
            dispatcher.utter_message(text=answer or f"没有找到回执号 {receipt}，请核对后再试。")
            return [SlotSet("status_number", None), SlotSet("status_phone_last4", None)]
        ticket = ticket or tracker.get_slot("last_ticket_no")
        if not ticket:
            dispatcher.utter_message(
                text="请发送您的工单号（如 ZS20261127-0001）或意见回执号（如 YJ20261127-0001）。"
            )
            return []
        last4 = tracker.get_slot("status_phone_last4")
        try:
            result = await in_thread(_ticket_status, ticket, last4, tracker.sender_id)
        except Exception:  # noqa: BLE001 - a database outage gets an apology, not a stack trace
            dispatcher.utter_message(text="抱歉，查询系统暂时繁忙，请稍后再试或拨打12345。")
            return []
        if result is None and not last4:
            return [SlotSet("status_number", ticket), FollowupAction("status_form")]
        reset = [SlotSet("status_number", None), SlotSet("status_phone_last4", None)]
        if result is None:
            dispatcher.utter_message(text="手机号后四位与工单登记的不一致，无法显示详情。")
            return reset
        if not result["found"]:
            dispatcher.utter_message(text=f"没有找到工单 {ticket}，请核对工单号。")
            return reset
        lines = [f"工单 {ticket}：{result['status']}"]
        if result["department"]:
            lines.append(f"承办单位：{result['department']}")
        if result["due_at"]:
            lines.append(f"办结时限：{format_cn(result['due_at'])} 前")
        if result["reply"]:
            lines.append(f"答复：{result['reply']}")
        dispatcher.utter_message(text="\n".join(lines))
        return reset + [SlotSet("last_ticket_no", ticket)]


class ValidateStatusForm(FormValidationAction):
    def name(self) -> str:
        return "validate_status_form"

    def validate_status_phone_last4(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        digits = re.sub(r"\D", "", str(value or ""))
        if len(digits) < 4:
            dispatcher.utter_message(text="请输入登记手机号的后四位数字，例如 5678。")
            return {"status_phone_last4": None}
        return {"status_phone_last4": digits[-4:]}
