"""`give_opinion`: pick a draft open for comment, optionally a clause, take the opinion, ask whether
the citizen wants to be named and contacted, confirm, store it and give a receipt number."""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import Submission, in_thread, latest_text, store_then_confirm
from actions.complaints import find_phone
from actions.wording import say, text
from bot.clock import format_cn
from bot.privacy import mask_name, mask_phone
from bot.services import services
from bot.text import clean

FORM_SLOTS = (
    "opinion_draft",
    "opinion_clause",
    "opinion_text",
    "opinion_named",
    "opinion_contact",
    "opinion_confirmed",
)
WHOLE = "整体"
_CLAUSE_IN_TEXT = re.compile(r"第[一二三四五六七八九十百零〇两\d]+条")
_YES = re.compile(r"^(是|好|愿意|可以|行|要|留|嗯|对|ok)", re.IGNORECASE)
_NO = re.compile(r"(不|否|匿名|不用|不要|算了|no)", re.IGNORECASE)
_NOT_TITLE = re.compile(r"舟山市|（?征求意见稿）?|（?示例）?|[（）()《》\s]")
CLAUSE_BUTTONS = 8
BUTTON_CHARS = 18


def _today():
    from bot.consultation import local_date
    from bot.db import utcnow

    return local_date(utcnow())


def _link(path: str = "") -> str:
    return services().settings.public_base_url.rstrip("/") + "/consultations" + path


def _day(value) -> str:
    return f"{value:%Y年%m月%d日}"


def _open_drafts() -> list:
    from bot.consultation import open_drafts

    with services().db.session() as session:
        return open_drafts(session, _today())


def _named_draft(text: str, drafts: list) -> Optional[int]:
    """The open draft whose title the citizen's words clearly point at (most shared bigrams)."""
    compact = re.sub(r"\s", "", text)
    best, best_score = None, 0
    for draft in drafts:
        core = _NOT_TITLE.sub("", draft.title)
        bigrams = {core[i : i + 2] for i in range(len(core) - 1)}
        score = sum(1 for gram in bigrams if gram in compact)
        if score > best_score:
            best, best_score = draft.id, score
    return best if best_score >= 2 else None


async def opening(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
    """The form's first step, in the validation call Rasa makes when it activates the form (so a
    citizen's "我要提意见" costs two calls to this server, not three): clears what an earlier
    opinion left, lists the drafts open now, takes the only one or the one the citizen named (and a
    clause named with it), or says nothing is open and ends the form (`opinion_route`: none).
    Always returns a slot, so Rasa does not validate again before asking the next question."""
    events: List[EventType] = [
        SlotSet(slot, None) for slot in FORM_SLOTS if tracker.get_slot(slot) is not None
    ]
    closed = [SlotSet("opinion_route", "none"), SlotSet("requested_slot", None)]
    try:
        drafts = await in_thread(_open_drafts)
    except Exception:  # noqa: BLE001 - say so instead of failing silently
        say(dispatcher, "opinion_busy")
        return events + closed
    if not drafts:
        say(dispatcher, "opinion_none_open", link=_link())
        return events + closed
    words = latest_text(tracker)
    draft_id = _named_draft(words, drafts) if words else None
    if draft_id is None and len(drafts) == 1:
        only = drafts[0]
        draft_id = only.id
        say(
            dispatcher,
            "opinion_only_draft",
            title=only.title,
            department=only.department,
            closes_on=_day(only.closes_on),
            link=_link(f"/{only.id}"),
        )
    if draft_id is not None:
        events.append(SlotSet("opinion_draft", str(draft_id)))
        clause = _CLAUSE_IN_TEXT.search(words)
        if clause:
            events.append(SlotSet("opinion_clause", clause.group(0)))
    return events + [SlotSet("opinion_route", "form")]


class ActionAskOpinionDraft(Action):
    def name(self) -> str:
        return "action_ask_opinion_draft"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        drafts = await in_thread(_open_drafts)
        if not drafts:
            say(dispatcher, "opinion_none_open", link=_link())
            return []
        lines = [text("opinion_choose_draft")] + [
            text(
                "opinion_draft_line",
                number=draft.id,
                title=draft.title,
                department=draft.department,
                closes_on=_day(draft.closes_on),
            )
            for draft in drafts
        ]
        dispatcher.utter_message(
            text="\n".join(lines),
            buttons=[{"title": d.title[:30], "payload": str(d.id)} for d in drafts[:6]],
        )
        return []


def clause_caption(label: str, title: str, wording: str) -> str:
    """A clause button: its label and its title, or the start of its text when it has none."""
    words = (title or wording or "").strip()
    caption = f"{label} {words}" if words else label
    return caption if len(caption) <= BUTTON_CHARS else caption[: BUTTON_CHARS - 1] + "…"


def _draft_and_clauses(draft_id: str) -> tuple[str, list[tuple[str, str]]]:
    """The draft's title and (payload, caption) for each of its clauses."""
    from bot.consultation import get_draft

    with services().db.session() as session:
        draft = get_draft(session, int(draft_id))
        return draft.display_title, [
            (c.label, clause_caption(c.label, c.title, c.text)) for c in draft.clauses
        ]


class ActionAskOpinionClause(Action):
    def name(self) -> str:
        return "action_ask_opinion_clause"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        draft_id = tracker.get_slot("opinion_draft")
        title, clauses = await in_thread(_draft_and_clauses, draft_id)
        say(
            dispatcher,
            "opinion_choose_clause",
            title=title,
            link=_link(f"/{draft_id}"),
            buttons=[{"title": "整体意见", "payload": WHOLE}]
            + [{"title": caption, "payload": label} for label, caption in clauses[:CLAUSE_BUTTONS]],
        )
        return []


def _resolve_draft(value: str) -> dict:
    from bot.consultation import Ambiguous, NotFound, resolve_draft

    with services().db.session() as session:
        try:
            draft = resolve_draft(session, value)
        except Ambiguous as error:
            return {
                "error": str(error),
                "candidates": [getattr(c, "title", str(c)) for c in error.candidates],
            }
        except NotFound as error:
            return {"error": str(error)}
        # its phase on its own: listing every draft would count every opinion of each
        if draft.phase(_today()) != "open":
            return {
                "error": text(
                    "opinion_draft_closed",
                    title=draft.display_title,
                    opens_on=_day(draft.opens_on),
                    closes_on=_day(draft.closes_on),
                )
            }
        return {"id": str(draft.id)}


def _resolve_clause(draft_id: str, value: str) -> dict:
    from bot.consultation import ConsultationError, get_draft, resolve_clause

    with services().db.session() as session:
        draft = get_draft(session, int(draft_id))
        try:
            clause = resolve_clause(draft, value)
        except ConsultationError as error:
            return {"error": str(error)}
        return {"label": clause.label if clause else WHOLE}


class ValidateOpinionForm(FormValidationAction):
    def name(self) -> str:
        return "validate_opinion_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        if tracker.active_loop_name != self.form_name():  # Rasa is activating the form
            return await opening(dispatcher, tracker)
        return await super().run(dispatcher, tracker, domain)

    async def required_slots(
        self,
        domain_slots: List[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> List[str]:
        if tracker.get_slot("opinion_named") is False:
            return [slot for slot in domain_slots if slot != "opinion_contact"]
        return domain_slots

    async def validate_opinion_draft(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        if value is None:
            return {"opinion_draft": None}
        result = await in_thread(_resolve_draft, clean(value, 200))
        if "error" in result:
            candidates = result.get("candidates") or []
            if candidates:
                say(
                    dispatcher,
                    "opinion_draft_candidates",
                    error=result["error"],
                    candidates="、".join(candidates),
                )
            else:
                dispatcher.utter_message(text=result["error"])
            return {"opinion_draft": None}
        return {"opinion_draft": result["id"]}

    async def validate_opinion_clause(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        draft_id = tracker.get_slot("opinion_draft")
        if value is None or not draft_id:
            return {"opinion_clause": None}
        result = await in_thread(_resolve_clause, draft_id, clean(value, 200))
        if "error" in result:
            say(dispatcher, "opinion_clause_retry", error=result["error"])
            return {"opinion_clause": None}
        return {"opinion_clause": result["label"]}

    def validate_opinion_text(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        if value is None:
            return {"opinion_text": None}
        opinion = clean(value, max_chars=2100)
        if len(opinion) < 10:
            say(dispatcher, "opinion_text_too_short")
            return {"opinion_text": None}
        if len(opinion) > 2000:
            say(dispatcher, "opinion_text_too_long", length=len(opinion))
            return {"opinion_text": None}
        return {"opinion_text": opinion}

    def validate_opinion_named(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        if value is None or isinstance(value, bool):
            return {"opinion_named": value}
        answer = clean(value, 50)
        if answer == "/affirm" or (_YES.match(answer) and not _NO.search(answer)):
            return {"opinion_named": True}
        if answer == "/deny" or _NO.search(answer):
            return {"opinion_named": False, "opinion_contact": None}
        say(dispatcher, "opinion_named_retry")
        return {"opinion_named": None}

    def validate_opinion_contact(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        if value is None:
            return {"opinion_contact": None}
        contact = clean(value, 100)
        phone = find_phone(contact)
        name = re.sub(r"[\d\s,，、:：;；+\-]|电话|手机|姓名|我叫|号码|是", "", contact)[:20]
        if not phone or not name:
            say(dispatcher, "opinion_contact_retry")
            return {"opinion_contact": None}
        return {"opinion_contact": f"{name} {phone}"}

    def validate_opinion_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        return {"opinion_confirmed": None if value is None else bool(value)}


class ActionAskOpinionConfirmed(Action):
    def name(self) -> str:
        return "action_ask_opinion_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        title, _ = await in_thread(_draft_and_clauses, tracker.get_slot("opinion_draft"))
        contact = tracker.get_slot("opinion_contact")
        if tracker.get_slot("opinion_named") and contact:
            name, _, phone = contact.rpartition(" ")
            who = text("opinion_signed", name=mask_name(name), phone=mask_phone(phone))
        else:
            who = text("opinion_unsigned")
        say(
            dispatcher,
            "opinion_confirm",
            title=title,
            clause=tracker.get_slot("opinion_clause"),
            opinion=tracker.get_slot("opinion_text"),
            who=who,
        )
        return []


def _submit(slots: Dict[str, Any], sender_id: str, channel: str, key: str) -> dict:
    from bot.consultation import submit_opinion

    named = bool(slots.get("opinion_named"))
    name = phone = None
    if named and slots.get("opinion_contact"):
        name, _, phone = slots["opinion_contact"].rpartition(" ")
    clause = slots.get("opinion_clause")
    with services().db.session() as session:
        receipt = submit_opinion(
            session,
            int(slots["opinion_draft"]),
            None if clause == WHOLE else clause,
            slots["opinion_text"],
            named=named,
            name=name,
            phone=phone,
            contact_ok=named,
            channel=channel,
            sender_id=sender_id,
            idempotency_key=key,
        )
        return {
            "receipt_no": receipt.receipt_no,
            "message": receipt.message,
            "submitted_at": receipt.submitted_at,
        }


class ActionSubmitOpinion(Action):
    """Stores the opinion (once, however often retried) before giving the receipt number."""

    def name(self) -> str:
        return "action_submit_opinion"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        from bot.consultation import ConsultationError

        submission = Submission(
            form="opinion_form",
            slots=FORM_SLOTS,
            cleared=("opinion_route",),
            cancelled="opinion_cancelled",
            refused="opinion_refused",
            not_saved="opinion_not_saved",
            refusals=(ConsultationError,),
        )
        if tracker.get_slot("opinion_route") == "none":  # the form ended as it opened: nothing
            return [SlotSet(slot, None) for slot in (*FORM_SLOTS, "opinion_route")]  # to store
        receipt, events = await store_then_confirm(dispatcher, tracker, submission, _submit)
        if receipt is None:
            return events
        say(
            dispatcher,
            "opinion_received",
            message=receipt["message"],
            submitted_at=format_cn(receipt["submitted_at"]),
        )
        return events + [SlotSet("last_receipt_no", receipt["receipt_no"])]
