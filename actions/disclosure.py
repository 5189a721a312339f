"""依申请公开 in the chat: the application form (what first, then who, then how to deliver),
a confirmation with the organ and due date, one stored application, and status by number.

The checks are those of the portal form (`bot.disclosure.intake.Fields`); the ID number is
reduced to its masked form as soon as it is validated, so the slot never holds it in full.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Dict, List, Optional

import yaml
from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import channel_of, in_thread, latest_text, submission_key
from bot.clock import format_cn
from bot.disclosure import clock, errors, identity, intake, service
from bot.disclosure.rules import Rules, cached_rules
from bot.privacy import mask_phone
from bot.services import services
from bot.tickets.models import as_utc
from bot.tickets.service import department_name

FORM_SLOTS = (
    "disclosure_description",
    "disclosure_kind",
    "disclosure_name",
    "disclosure_id",
    "disclosure_phone",
    "disclosure_medium",
    "disclosure_delivery",
    "disclosure_destination",
    "disclosure_confirmed",
)
PICK_UP = "自行领取"
PROMPTS = yaml.safe_load(
    Path(__file__).with_name("disclosure_prompts.yml").read_text(encoding="utf-8")
)
_GENERIC = re.compile(
    r"^(我)?(要|想|需要)?(依)?申请(政府)?(信息)?公开(政府)?(信息)?(怎么申请|在哪里提交)?[。！!？?]?$"
)


def _rules() -> Rules:
    return cached_rules(services().settings.knowledge_dir)


def _fields() -> intake.Fields:
    return intake.Fields(_rules())


class AskDisclosureSlot(Action):
    """Asks for `slot` with its question (and buttons) from disclosure_prompts.yml."""

    slot: str = ""

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        prompt = PROMPTS[self.slot]
        dispatcher.utter_message(text=prompt["text"], buttons=prompt.get("buttons") or [])
        return []


for _slot in PROMPTS:
    _name = "Ask" + "".join(part.title() for part in _slot.split("_"))
    globals()[_name] = type(_name, (AskDisclosureSlot,), {"slot": _slot})


class ActionStartDisclosure(Action):
    """Clears an earlier application's answers; a first message that already describes the
    information (申请公开定海区2025年老旧小区改造计划) fills the description."""

    def name(self) -> str:
        return "action_start_disclosure"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        events: List[EventType] = [SlotSet(slot, None) for slot in FORM_SLOTS]
        text = latest_text(tracker)
        compact = re.sub(r"\s", "", text)
        if compact and not _GENERIC.match(compact) and len(compact) >= 12:
            try:
                events.append(SlotSet("disclosure_description", _fields().description(text)))
            except errors.DisclosureInvalid:
                pass
        dispatcher.utter_message(
            text="好的，我来帮您提交政府信息公开申请。依据《中华人民共和国政府信息公开条例》，"
            "不能当场答复的，行政机关自收到申请之日起20个工作日内答复。"
        )
        return events


class ValidateDisclosureForm(FormValidationAction):
    def name(self) -> str:
        return "validate_disclosure_form"

    async def required_slots(
        self,
        domain_slots: List[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> List[str]:
        """Picking up in person needs no address."""
        if tracker.get_slot("disclosure_delivery") == PICK_UP:
            return [s for s in domain_slots if s != "disclosure_destination"]
        return domain_slots

    def _check(self, slot: str, dispatcher: CollectingDispatcher, check, *args) -> Dict[str, Any]:
        """The checked value, or None after saying what is wrong (a slot cleared by
        `action_start_disclosure` arrives as None and is passed over in silence)."""
        if args[-1] is None:
            return {slot: None}
        try:
            return {slot: check(*args)}
        except errors.DisclosureInvalid as error:
            dispatcher.utter_message(text=str(error))
            return {slot: None}

    def validate_disclosure_description(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        return self._check("disclosure_description", dispatcher, _fields().description, value)

    def validate_disclosure_kind(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        result = self._check("disclosure_kind", dispatcher, _fields().kind, value)
        code = result["disclosure_kind"]
        return {"disclosure_kind": _rules().kinds[code].label if code else None}

    def validate_disclosure_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        return self._check("disclosure_name", dispatcher, _fields().name, value)

    def validate_disclosure_id(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        """Checked here, then kept only as (type, masked, keyed digest): never the number."""
        rules = _rules()
        kind = rules.kind_by_label(tracker.get_slot("disclosure_kind") or "")
        if kind is None or value is None:
            return {"disclosure_id": None}
        try:
            id_type, number = _fields().id_number(kind.code, value)
        except errors.DisclosureInvalid as error:
            dispatcher.utter_message(text=str(error))
            return {"disclosure_id": None}
        key = services().settings.secret_key
        return {
            "disclosure_id": f"{id_type}|{identity.mask_id(number)}|"
            f"{identity.id_digest(number, key)}"
        }

    def validate_disclosure_phone(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        return self._check("disclosure_phone", dispatcher, _fields().phone, value)

    def validate_disclosure_medium(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        return self._check("disclosure_medium", dispatcher, _fields().medium, value)

    def validate_disclosure_delivery(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        return self._check("disclosure_delivery", dispatcher, _fields().delivery, value)

    def validate_disclosure_destination(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        delivery = tracker.get_slot("disclosure_delivery") or ""
        result = self._check(
            "disclosure_destination", dispatcher, _fields().destination, delivery, value
        )
        found = result["disclosure_destination"]
        return {"disclosure_destination": (found[0] or found[1]) if found else None}

    def validate_disclosure_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        return {"disclosure_confirmed": True if value else None}


def application_input(slots: Dict[str, Any]) -> intake.ApplicationInput:
    rules = _rules()
    id_type, masked, digest = str(slots.get("disclosure_id") or "||").split("|", 2)
    destination = slots.get("disclosure_destination") or ""
    is_email = "@" in destination
    return intake.ApplicationInput(
        applicant_kind=rules.kind_by_label(slots.get("disclosure_kind") or "").code,
        applicant_name=slots.get("disclosure_name") or "",
        id_type=id_type,
        id_masked=masked,
        id_digest=digest,
        phone=slots.get("disclosure_phone") or "",
        description=slots.get("disclosure_description") or "",
        medium=slots.get("disclosure_medium") or "",
        delivery=slots.get("disclosure_delivery") or "",
        email=destination if is_email else None,
        address=None if is_email else (destination or None),
    )


def _preview(slots: Dict[str, Any]) -> dict:
    """The organ and due date the application would get if confirmed now."""

    router = services().router
    department_id = intake.choose_authority(router, slots.get("disclosure_description") or "")
    return {
        "organ": department_name(router.catalogue, department_id),
        "due_at": clock.due_after(as_utc(), _rules().answer_days),
    }


class ActionAskDisclosureConfirmed(Action):
    """Shows what will be filed (the ID number masked), the organ and the due date, then asks."""

    def name(self) -> str:
        return "action_ask_disclosure_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        slots = tracker.slots
        preview = await in_thread(_preview, dict(slots))
        masked = str(slots.get("disclosure_id") or "||").split("|")[1]
        lines = [
            "请确认您的政府信息公开申请：",
            f"· 所需信息：{slots.get('disclosure_description')}",
            f"· 申请人：{slots.get('disclosure_name')}（{slots.get('disclosure_kind')}）",
            f"· 证件号码：{masked}",
            f"· 联系电话：{mask_phone(slots.get('disclosure_phone') or '')}",
            f"· 获取形式：{slots.get('disclosure_medium')}，{slots.get('disclosure_delivery')}",
            f"· 受理机关：{preview['organ']}",
            f"· 答复期限：{format_cn(preview['due_at'])} 前（确认提交之日即为收到申请之日）",
        ]
        dispatcher.utter_message(
            text="\n".join(lines),
            buttons=[
                {"title": "确认提交", "payload": "/affirm"},
                {"title": "取消", "payload": "/deny"},
            ],
        )
        return []


def _create(slots: Dict[str, Any], sender_id: str, channel: str, key: str) -> dict:
    svc = services()
    data = application_input(slots)
    department_id = intake.choose_authority(svc.router, data.description)
    with svc.db.session() as session:
        application = service.create_application(
            session,
            _rules(),
            data,
            department_id=department_id,
            channel=channel,
            sender_id=sender_id,
            idempotency_key=key,
        )
        session.flush()
        return {
            "number": application.number,
            "organ": department_name(svc.router.catalogue, application.department_id),
            "due_at": application.due_at,
        }


class ActionSubmitDisclosure(Action):
    """Persist first, then confirm: the number is given only once the application is stored."""

    def name(self) -> str:
        return "action_submit_disclosure"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        reset = [SlotSet(slot, None) for slot in FORM_SLOTS]
        if not tracker.get_slot("disclosure_confirmed"):
            dispatcher.utter_message(text="好的，已取消，没有提交任何内容。还有其他需要帮忙的吗？")
            return reset
        try:
            created = await in_thread(
                _create,
                dict(tracker.slots),
                tracker.sender_id,
                channel_of(tracker),
                submission_key(tracker, "disclosure_form", FORM_SLOTS[:-1]),
            )
        except errors.DisclosureError as error:
            dispatcher.utter_message(text=f"未能提交：{error}")
            return reset
        except Exception:  # noqa: BLE001 - the citizen is told, nothing is claimed
            dispatcher.utter_message(
                text="抱歉，系统暂时无法保存您的申请，内容还没有提交。"
                "您填写的信息已为您保留，请稍后回复“确认”重新提交。"
            )
            return [SlotSet("disclosure_confirmed", None), FollowupAction("disclosure_form")]
        dispatcher.utter_message(
            text=(
                f"申请已收到！申请编号：{created['number']}\n"
                f"受理机关：{created['organ']}\n"
                f"答复期限：{format_cn(created['due_at'])} 前\n"
                "答复告知书会发送到这里；可随时发送申请编号查询进度。"
            )
        )
        return reset + [SlotSet("last_application_no", created["number"])]


def _status(number: str, last4: Optional[str], sender_id: str) -> Optional[dict]:
    svc = services()
    with svc.db.session() as session:
        if not service.exists(session, number):
            return {"found": False}
        found = service.lookup(
            session, number, last4, catalogue=svc.router.catalogue, sender_id=sender_id
        )
        if found is None:
            return None
        return {"found": True, **found.__dict__}


class ActionDisclosureStatus(Action):
    """ "我的申请到哪一步了": by number, with the last four phone digits unless asked from the
    conversation that applied (the same protection as tickets)."""

    def name(self) -> str:
        return "action_disclosure_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        text = tracker.latest_message.get("text") or ""
        number = (
            service.find_number(text)
            or tracker.get_slot("disclosure_status_number")
            or tracker.get_slot("last_application_no")
        )
        if not number:
            dispatcher.utter_message(text="请发送您的申请编号（如 GK20261206-0001）。")
            return []
        last4 = tracker.get_slot("disclosure_status_last4")
        try:
            result = await in_thread(_status, number, last4, tracker.sender_id)
        except Exception:  # noqa: BLE001 - a database outage gets an apology, not a stack trace
            dispatcher.utter_message(text="抱歉，查询系统暂时繁忙，请稍后再试。")
            return []
        if result is None and not last4:
            return [
                SlotSet("disclosure_status_number", number),
                FollowupAction("disclosure_status_form"),
            ]
        reset = [
            SlotSet("disclosure_status_number", None),
            SlotSet("disclosure_status_last4", None),
        ]
        if result is None:
            dispatcher.utter_message(text="电话后四位与申请登记的不一致，无法显示详情。")
            return reset
        if not result["found"]:
            dispatcher.utter_message(text=f"没有找到申请 {number}，请核对申请编号。")
            return reset
        lines = [f"申请 {result['number']}：{result['status']}", f"受理机关：{result['organ']}"]
        if result["due_at"]:
            suffix = "（暂停计算）" if result["paused"] else ""
            lines.append(f"答复期限：{format_cn(result['due_at'])} 前{suffix}")
        if result["document"]:
            lines.append("答复告知书：\n" + result["document"])
        dispatcher.utter_message(text="\n".join(lines))
        return reset + [SlotSet("last_application_no", result["number"])]


class ValidateDisclosureStatusForm(FormValidationAction):
    def name(self) -> str:
        return "validate_disclosure_status_form"

    def validate_disclosure_status_last4(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[str, Any]:
        digits = re.sub(r"\D", "", str(value or ""))
        if len(digits) < 4:
            dispatcher.utter_message(text="请输入申请时所留电话的后四位数字，例如 5678。")
            return {"disclosure_status_last4": None}
        return {"disclosure_status_last4": digits[-4:]}
