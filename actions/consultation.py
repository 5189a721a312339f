"""`give_opinion`: pick a draft open for comment, optionally a clause, take the opinion, ask whether
the citizen wants to be named and contacted, confirm, store it and give a receipt number."""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import channel_of, in_thread, latest_text, submission_key
from actions.complaints import find_phone
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


def _today():
    from bot.consultation import local_date
    from bot.db import utcnow

    return local_date(utcnow())


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


class ActionStartOpinion(Action):
    """Lists the drafts open now; pre-fills the draft and clause when the citizen named them."""

    def name(self) -> str:
        return "action_start_opinion"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        events: List[EventType] = [SlotSet(slot, None) for slot in FORM_SLOTS]
        try:
            drafts = await in_thread(_open_drafts)
        except Exception:  # noqa: BLE001 - say so instead of failing silently
            dispatcher.utter_message(text="抱歉，征求意见系统暂时繁忙，请稍后再试。")
            return events + [SlotSet("opinion_route", "none")]
        if not drafts:
            dispatcher.utter_message(
                text="目前没有正在公开征求意见的文件。征求意见稿发布后会在门户网站“征求意见”栏目公布。"
            )
            return events + [SlotSet("opinion_route", "none")]
        text = latest_text(tracker)
        draft_id = _named_draft(text, drafts) if text else None
        if draft_id is not None:
            events.append(SlotSet("opinion_draft", str(draft_id)))
            clause = _CLAUSE_IN_TEXT.search(text)
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
        lines = ["以下文件正在公开征求意见，请选择（回复编号或名称）："]
        for draft in drafts:
            sample = "（示例）" if draft.sample and "示例" not in draft.title else ""
            lines.append(
                f"{draft.id}. 《{draft.title}》{sample}　{draft.department}，"
                f"截止 {draft.closes_on:%Y年%m月%d日}"
            )
        dispatcher.utter_message(
            text="\n".join(lines),
            buttons=[{"title": d.title[:30], "payload": str(d.id)} for d in drafts[:6]],
        )
        return []


def _draft_and_clauses(draft_id: str) -> tuple[str, list[str]]:
    from bot.consultation import get_draft

    with services().db.session() as session:
        draft = get_draft(session, int(draft_id))
        return draft.display_title, [c.label for c in draft.clauses]


class ActionAskOpinionClause(Action):
    def name(self) -> str:
        return "action_ask_opinion_clause"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        title, labels = await in_thread(_draft_and_clauses, tracker.get_slot("opinion_draft"))
        dispatcher.utter_message(
            text=f"您的意见针对《{title}》的哪一条？请回复“第几条”或引用原文，对整个文件提意见请回复“整体”。",
            buttons=[{"title": "整体意见", "payload": WHOLE}]
            + [{"title": label, "payload": label} for label in labels[:5]],
        )
        return []


def _resolve_draft(value: str) -> dict:
    from bot.consultation import Ambiguous, NotFound, list_drafts, resolve_draft

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
        info = next((i for i in list_drafts(session, _today()) if i.id == draft.id), None)
        if info is None or info.phase != "open":
            opens = f"{info.opens_on:%Y年%m月%d日}" if info else ""
            closes = f"{info.closes_on:%Y年%m月%d日}" if info else ""
            return {
                "error": f"《{draft.display_title}》的征求意见期为 {opens} 至 {closes}，"
                "现在不在征求意见期内，无法提交意见。"
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
        result = await in_thread(_resolve_draft, clean(value, 200))
        if "error" in result:
            candidates = result.get("candidates") or []
            dispatcher.utter_message(
                text=result["error"] + ("：" + "、".join(candidates) if candidates else "")
            )
            return {"opinion_draft": None}
        return {"opinion_draft": result["id"]}

    async def validate_opinion_clause(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        result = await in_thread(
            _resolve_clause, tracker.get_slot("opinion_draft"), clean(value, 200)
        )
        if "error" in result:
            dispatcher.utter_message(text=result["error"] + " 请回复“第几条”，或回复“整体”。")
            return {"opinion_clause": None}
        return {"opinion_clause": result["label"]}

    def validate_opinion_text(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        text = clean(value, max_chars=2100)
        if len(text) < 10:
            dispatcher.utter_message(text="意见请至少写10个字，说清楚您的看法和理由。")
            return {"opinion_text": None}
        if len(text) > 2000:
            dispatcher.utter_message(text=f"意见最多2000字，您写了{len(text)}字，请精简后再发。")
            return {"opinion_text": None}
        return {"opinion_text": text}

    def validate_opinion_named(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        text = clean(value, 50)
        if text == "/affirm" or (_YES.match(text) and not _NO.search(text)):
            return {"opinion_named": True}
        if text == "/deny" or _NO.search(text):
            return {"opinion_named": False, "opinion_contact": None}
        dispatcher.utter_message(text="请回复“愿意”或“不用”。")
        return {"opinion_named": None}

    def validate_opinion_contact(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        text = clean(value, 100)
        phone = find_phone(text)
        name = re.sub(r"[\d\s,，、:：;；+\-]|电话|手机|姓名|我叫|号码|是", "", text)[:20]
        if not phone or not name:
            dispatcher.utter_message(text="请同时留下姓名和手机号，例如“张三 13812345678”。")
            return {"opinion_contact": None}
        return {"opinion_contact": f"{name} {phone}"}

    def validate_opinion_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        return {"opinion_confirmed": bool(value)}


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
            who = f"署名：{mask_name(name)}，电话 {mask_phone(phone)}（不会公开）"
        else:
            who = "不署名"
        dispatcher.utter_message(
            text=(
                "请确认您的意见：\n"
                f"· 文件：《{title}》\n"
                f"· 条款：{tracker.get_slot('opinion_clause')}\n"
                f"· 意见：{tracker.get_slot('opinion_text')}\n"
                f"· {who}"
            ),
            buttons=[
                {"title": "确认提交", "payload": "/affirm"},
                {"title": "取消", "payload": "/deny"},
            ],
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

        reset = [SlotSet(slot, None) for slot in FORM_SLOTS] + [SlotSet("opinion_route", None)]
        if not tracker.get_slot("opinion_confirmed"):
            dispatcher.utter_message(text="好的，已取消，您的意见没有提交。还有其他需要帮忙的吗？")
            return reset
        try:
            receipt = await in_thread(
                _submit,
                dict(tracker.slots),
                tracker.sender_id,
                channel_of(tracker),
                submission_key(tracker, "opinion_form", FORM_SLOTS[:-1]),
            )
        except ConsultationError as error:
            dispatcher.utter_message(text=f"无法提交：{error}")
            return reset
        except Exception:  # noqa: BLE001 - nothing is claimed that was not stored
            dispatcher.utter_message(
                text="抱歉，系统暂时无法保存您的意见，内容还没有提交。已为您保留，请稍后回复“确认”重新提交。"
            )
            return [SlotSet("opinion_confirmed", None), FollowupAction("opinion_form")]
        dispatcher.utter_message(
            text=f"{receipt['message']}（提交时间 {format_cn(receipt['submitted_at'])}）"
        )
        return reset + [SlotSet("last_receipt_no", receipt["receipt_no"])]
