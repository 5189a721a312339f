"""`check_status`: what became of a citizen's ticket (ZS…) or opinion (YJ…), and 回访.

A ticket's (or a signed opinion's) details are shown only to the conversation that filed it or to
someone who gives the last four digits of the phone left on it; the status form asks for them and
lets a mistyped answer be tried again, until too many wrong answers lock the checks
(`bot.status_checks`). An answered ticket asks its citizen to rate the outcome.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import in_thread
from actions.wording import say, text
from bot.clock import format_cn
from bot.services import services

TICKET_NO = re.compile(r"ZS\s*-?\s*(\d{8})\s*-?\s*(\d{4})", re.IGNORECASE)
RECEIPT_NO = re.compile(r"YJ\s*-?\s*(\d{8})\s*-?\s*(\d{4})", re.IGNORECASE)
RATINGS = ("满意", "基本满意", "不满意")
_RESET = ("status_number", "status_phone_last4")


def find_number(text_: str, pattern: re.Pattern, prefix: str) -> Optional[str]:
    match = pattern.search(text_ or "")
    return f"{prefix}{match.group(1)}-{match.group(2)}" if match else None


def entity(tracker: Tracker, name: str) -> Optional[str]:
    """An entity of the latest message, e.g. from a button `/check_status{"ticket_no": …}`."""
    for item in tracker.latest_message.get("entities") or []:
        if item.get("entity") == name and item.get("value"):
            return str(item["value"])
    return None


def asked_numbers(tracker: Tracker) -> tuple[Optional[str], Optional[str]]:
    """(receipt, ticket) the citizen asks about: in this message, its entities, or the number
    the status form is checking."""
    said = tracker.latest_message.get("text") or ""
    pending = tracker.get_slot("status_number") or ""
    receipt = (
        find_number(said, RECEIPT_NO, "YJ")
        or find_number(entity(tracker, "receipt_no") or "", RECEIPT_NO, "YJ")
        or find_number(pending, RECEIPT_NO, "YJ")
    )
    ticket = (
        find_number(said, TICKET_NO, "ZS")
        or find_number(entity(tracker, "ticket_no") or "", TICKET_NO, "ZS")
        or find_number(pending, TICKET_NO, "ZS")
    )
    return receipt, ticket


def _check(kind: str, number: str, last4: Optional[str], sender_id: str):
    from bot.status_checks import check_receipt, check_ticket

    svc = services()
    with svc.db.session() as session:
        if kind == "receipt":
            return check_receipt(session, svc.settings, number, last4, sender_id)
        return check_ticket(session, svc.settings, svc.router.catalogue, number, last4, sender_id)


def ticket_lines(number: str, status) -> List[str]:
    lines = [text("status_ticket", number=number, status=status.status)]
    if status.department:
        lines.append(text("status_department", department=status.department))
    if status.due_at and not status.reply:
        lines.append(text("status_due", due=format_cn(status.due_at)))
    if status.reply:
        lines.append(text("status_reply", reply=status.reply))
    if status.satisfaction and not status.awaiting_rating:
        lines.append(text("status_rated", satisfaction=status.satisfaction))
    return lines


def rating_buttons(number: str) -> List[Dict[str, str]]:
    return [
        {
            "title": rating,
            "payload": f'/rate_ticket{{"satisfaction": "{rating}", "ticket_no": "{number}"}}',
        }
        for rating in RATINGS
    ]


class ActionCheckStatus(Action):
    def name(self) -> str:
        return "action_check_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        receipt, ticket = asked_numbers(tracker)
        said = tracker.latest_message.get("text") or ""
        if not receipt and not ticket and "意见" in said:
            receipt = tracker.get_slot("last_receipt_no")
        kind, number = ("receipt", receipt) if receipt else ("ticket", ticket)
        number = number or tracker.get_slot("last_ticket_no")
        if not number:
            say(dispatcher, "status_ask_number")
            return []
        last4 = tracker.get_slot("status_phone_last4")
        try:
            check = await in_thread(_check, kind, number, last4, tracker.sender_id)
        except Exception:  # noqa: BLE001 - a database outage gets an apology, not a stack trace
            say(dispatcher, "status_busy")
            return [SlotSet(slot, None) for slot in _RESET]
        reset = [SlotSet(slot, None) for slot in _RESET]
        if check.outcome == "ask":
            return [SlotSet("status_number", number), FollowupAction("status_form")]
        if check.outcome == "wrong":
            say(dispatcher, "status_wrong_digits", left=check.attempts_left)
            return [
                SlotSet("status_number", number),
                SlotSet("status_phone_last4", None),
                FollowupAction("status_form"),
            ]
        if check.outcome == "locked":
            say(dispatcher, "status_locked", number=number, until=format_cn(check.locked_until))
            return reset
        if check.outcome == "missing":
            say(dispatcher, f"status_{kind}_missing", number=number)
            return reset
        if kind == "receipt":
            dispatcher.utter_message(text=check.opinion)
            return reset
        dispatcher.utter_message(text="\n".join(ticket_lines(number, check.ticket)))
        events = reset + [SlotSet("last_ticket_no", number)]
        if check.ticket.awaiting_rating:
            say(dispatcher, "rating_ask", buttons=rating_buttons(number))
            events += [SlotSet("rating_ticket", number), SlotSet("rating_proof", last4)]
        return events


class ValidateStatusForm(FormValidationAction):
    def name(self) -> str:
        return "validate_status_form"

    def validate_status_phone_last4(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        if value is None:
            return {"status_phone_last4": None}
        digits = re.sub(r"\D", "", str(value))
        if len(digits) < 4:
            say(dispatcher, "status_digits_retry")
            return {"status_phone_last4": None}
        return {"status_phone_last4": digits[-4:]}


def _awaiting_rating(sender_id: str) -> Optional[str]:
    """The conversation's latest answered ticket not yet rated (the closing notice asks)."""
    from sqlalchemy import select

    from bot.tickets.models import REPLIED, Ticket

    with services().db.session() as session:
        return session.execute(
            select(Ticket.number)
            .where(Ticket.sender_id == sender_id, Ticket.status == REPLIED)
            .order_by(Ticket.replied_at.desc())
            .limit(1)
        ).scalar_one_or_none()


def _rate(number: str, satisfaction: str, proof: Optional[str], sender_id: str, note: str):
    from bot.tickets.service import rate_by_citizen

    with services().db.session() as session:
        ticket = rate_by_citizen(
            session,
            number,
            satisfaction=satisfaction,
            sender_id=sender_id,
            phone_last4=proof,
            note=note or None,
        )
        return ticket.status, ticket.due_at


class ActionRateTicket(Action):
    """回访 by the citizen: stores 满意/基本满意/不满意 on the ticket; 不满意 reopens it (重办)."""

    def name(self) -> str:
        return "action_rate_ticket"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        from bot.tickets.service import TicketError

        said = tracker.latest_message.get("text") or ""
        satisfaction = entity(tracker, "satisfaction") or next(
            (r for r in sorted(RATINGS, key=len, reverse=True) if r in said), None
        )
        number = (
            find_number(entity(tracker, "ticket_no") or "", TICKET_NO, "ZS")
            or find_number(said, TICKET_NO, "ZS")
            or tracker.get_slot("rating_ticket")
            or await in_thread(_awaiting_rating, tracker.sender_id)
        )
        if not number or satisfaction not in RATINGS:
            say(dispatcher, "rating_unknown_ticket")
            return []
        proof = (
            tracker.get_slot("rating_proof")
            if number == tracker.get_slot("rating_ticket")
            else None
        )
        note = "" if said.startswith("/") else said
        try:
            status, due = await in_thread(
                _rate, number, satisfaction, proof, tracker.sender_id, note
            )
        except TicketError as error:
            say(dispatcher, "rating_refused", error=str(error))
            return [SlotSet("rating_ticket", None), SlotSet("rating_proof", None)]
        except Exception:  # noqa: BLE001 - nothing is claimed that was not stored
            say(dispatcher, "status_busy")
            return []
        if satisfaction == "不满意":
            say(dispatcher, "rating_reopened", number=number, due=format_cn(due))
        else:
            say(dispatcher, "rating_thanks", satisfaction=satisfaction, number=number)
        return [SlotSet("rating_ticket", None), SlotSet("rating_proof", None)]


class ActionGreet(Action):
    """The greeting with the menu; a citizen coming back to an answered ticket they have not
    rated yet is asked for the 回访 rating there and then."""

    def name(self) -> str:
        return "action_greet"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        dispatcher.utter_message(response="utter_greet")
        try:
            number = await in_thread(_awaiting_rating, tracker.sender_id)
        except Exception:  # noqa: BLE001 - the greeting stands on its own
            return []
        if not number:
            return []
        say(dispatcher, "rating_on_return", number=number, buttons=rating_buttons(number))
        return [SlotSet("rating_ticket", number)]
