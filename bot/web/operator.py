"""The 12345 operator console: take a call with suggested answers and a pre-filled ticket, and talk
to citizens the assistant handed over.

The call page (static/js/operator.js) asks `/api/assist` as the operator types, fills the ticket
form from the router's result (fields the operator changed stay as they are) and creates the
ticket here in one step. Hand-overs are claimed, answered and closed under `/operator/handoffs`.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, replace
from typing import Any, Optional

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse, redirect
from sqlalchemy.orm import Session

from bot.clock import format_cn
from bot.db import utcnow
from bot.handoff import Handoff, conversations
from bot.threads import in_thread
from bot.tickets import intake, service
from bot.tickets.catalogue import LEVELS, Catalogue
from bot.tickets.models import TICKET_TYPES
from bot.tickets.routing import RoutingResult
from bot.web import actors, routing_review, topics
from bot.web.chat import fetch_tracker
from bot.web.common import error_response, json_body, json_response, render, run_db
from bot.web.identity import citizen_label
from bot.web.sessions import login_required

HOTLINE_CHANNEL = "hotline"
MAX_CO_DEPARTMENTS = 10
log = logging.getLogger(__name__)

blueprint = Blueprint("operator", url_prefix="/operator")


@dataclass(frozen=True)
class TicketForm:
    """The operator's ticket, checked against the catalogue; it overrides the router's guess."""

    description: str
    type: str
    category: Optional[str]
    urgent: bool
    location: Optional[str]
    department_id: Optional[str]
    co_department_ids: tuple[str, ...]
    phone: Optional[str]
    name: Optional[str]
    anonymous: bool
    key: Optional[str]

    @classmethod
    def parse(cls, data: dict[str, Any], catalogue: Catalogue) -> TicketForm:
        """Read the JSON the console posts, or raise `TicketInvalid` with a Chinese message."""
        co_ids = data.get("co_department_ids") or []
        if not isinstance(co_ids, list) or len(co_ids) > MAX_CO_DEPARTMENTS:
            raise service.TicketInvalid(f"协办单位最多 {MAX_CO_DEPARTMENTS} 个")
        form = cls(
            description=_field(data, "description", service.MAX_TEXT) or "",
            type=_field(data, "type", 8) or "",
            category=_field(data, "category", 64),
            urgent=data.get("urgent") is True,
            location=_field(data, "location", 200),
            department_id=_field(data, "department_id", 64),
            co_department_ids=tuple(str(d)[:64] for d in co_ids if d),
            phone=_field(data, "phone", 32),
            name=_field(data, "name", 64),
            anonymous=data.get("anonymous") is True,
            key=_field(data, "key", 64),
        )
        form._check(catalogue)
        return form

    def _check(self, catalogue: Catalogue) -> None:
        if self.type not in TICKET_TYPES:
            raise service.TicketInvalid(f"工单类型必须是 {'、'.join(TICKET_TYPES)} 之一")
        if self.category and self.category not in {f.id for f in catalogue.functions}:
            raise service.TicketInvalid(f"未知的分类：{self.category}")
        unknown = [
            d
            for d in (self.department_id, *self.co_department_ids)
            if d and not service.is_department(catalogue, d)
        ]
        if unknown:
            raise service.TicketInvalid(f"未知的承办单位：{'、'.join(unknown)}")

    def applied_to(self, routing: RoutingResult, catalogue: Catalogue) -> RoutingResult:
        """The router's result with everything the operator decided put in its place; its time
        limits are dropped when the operator changed what they depend on (type, urgency)."""
        co_ids = [d for d in self.co_department_ids if d != self.department_id]
        rescheduled = (self.type, self.urgent) != (routing.type, routing.urgent)
        return replace(
            routing,
            due_at=None if rescheduled else routing.due_at,
            sign_by=None if rescheduled else routing.sign_by,
            type=self.type,
            category=self.category,
            category_name=catalogue.function(self.category).name if self.category else None,
            urgent=self.urgent,
            location=self.location or routing.location,
            department_id=self.department_id,
            department=service.department_name(catalogue, self.department_id),
            co_department_ids=co_ids,
            co_departments=[service.department_name(catalogue, d) for d in co_ids],
        )


@blueprint.get("", strict_slashes=False)
@login_required("operator")
async def console(request: Request) -> HTTPResponse:
    catalogue: Catalogue = request.app.ctx.catalogue
    return render(
        request,
        "operator/console.html",
        ticket_types=TICKET_TYPES,
        functions=catalogue.functions,
        bodies=sorted(catalogue.bodies(), key=lambda b: (LEVELS.index(b.level), b.name)),
        form_key=new_form_key(),
    )


def new_form_key() -> str:
    """The idempotency key of one rendering of the ticket form: every submission of that form
    (a double click, a retry after a lost answer) files the same one ticket."""
    return secrets.token_urlsafe(18)


@blueprint.post("/tickets")
@login_required("operator")
async def create_ticket(request: Request) -> HTTPResponse:
    catalogue: Catalogue = request.app.ctx.catalogue
    principal = request.ctx.principal
    try:
        form = TicketForm.parse(json_body(request), catalogue)
    except service.TicketInvalid as error:
        return json_response({"error": str(error)}, 400)
    if not form.key:
        return json_response({"error": "表单已过期，请刷新页面后重新提交"}, 400)
    router = request.app.ctx.services.router
    routing = await in_thread(intake.preview, router, form.description)
    filed = form.applied_to(routing, catalogue)

    def work(session: Session) -> dict[str, Any]:
        ticket = intake.intake(
            session,
            form.description,
            intake.Contact(form.phone, form.name, form.anonymous),
            HOTLINE_CHANNEL,
            principal,
            router=router,
            shown=filed,
            idempotency_key=f"operator:{principal.user_id}:{form.key}",
        )
        routing_review.record_ticket_correction(
            session, routing, filed, principal.actor, ticket.number
        )
        return {
            "number": ticket.number,
            "status": ticket.state.label,
            "department": service.department_name(catalogue, ticket.department_id),
            "due_at": format_cn(ticket.due_at),
            "next_key": new_form_key(),
        }

    try:
        return json_response(await run_db(request, work), 201)
    except service.TicketError as error:
        return json_response({"error": str(error)}, 400)


@blueprint.get("/handoffs.json")
@login_required("operator")
async def handoff_queue(request: Request) -> HTTPResponse:
    def work(session: Session) -> list[dict[str, Any]]:
        return [_handoff_json(h, _secret(request)) for h in conversations.open_requests(session)]

    handoffs = await run_db(request, work)
    for handoff in handoffs:
        intent = await topics.remembered_intent(
            request.app, f"handoff:{handoff['id']}", handoff["last_message"]
        )
        handoff["topic"] = await _topic(request, intent, handoff["last_message"])
    return json_response({"handoffs": handoffs})


async def _topic(request: Request, intent: Optional[str], text: str) -> str:
    """The intent in Chinese; for a matter to file, the router's category too."""
    if intent is None:
        return "（话题未识别）" if text else "（无留言）"
    label = topics.intent_label(intent)
    if intent in topics.COMPLAINT_INTENTS:
        routing = await in_thread(request.app.ctx.services.router.route, text)
        if routing.category_name:
            label = f"{label} · {routing.category_name}"
    return label


@blueprint.post("/handoffs/<handoff_id:int>/claim")
@login_required("operator")
async def claim(request: Request, handoff_id: int) -> HTTPResponse:
    principal = request.ctx.principal
    try:
        await run_db(request, lambda s: conversations.claim(s, handoff_id, principal))
    except conversations.ConversationError as error:
        return error_response(request, str(error), error.status)
    return json_response({"url": f"/operator/handoffs/{handoff_id}"})


@blueprint.get("/handoffs/<handoff_id:int>")
@login_required("operator")
async def conversation(request: Request, handoff_id: int) -> HTTPResponse:
    try:
        handoff = await run_db(
            request, lambda s: _handoff_json(conversations.get(s, handoff_id), _secret(request))
        )
    except conversations.ConversationError as error:
        return error_response(request, str(error), error.status)
    return render(request, "operator/handoff.html", handoff=handoff)


@blueprint.get("/handoffs/<handoff_id:int>/transcript.json")
@login_required("operator")
async def transcript(request: Request, handoff_id: int) -> HTTPResponse:
    """The assistant's part from Rasa's tracker and the hand-over's lines, in time order."""

    def work(session: Session) -> tuple[dict[str, Any], str, list[conversations.Entry]]:
        found = conversations.get(session, handoff_id)
        lines = conversations.messages(session, handoff_id)
        return _handoff_json(found, _secret(request)), found.sender_id, lines

    try:
        handoff, sender_id, lines = await run_db(request, work)
    except conversations.ConversationError as error:
        return error_response(request, str(error), error.status)
    entries = sorted(await _tracker_entries(request, sender_id) + lines, key=lambda e: e.at)
    return json_response({"handoff": handoff, "entries": [e.to_dict() for e in entries]})


@blueprint.post("/handoffs/<handoff_id:int>/messages")
@login_required("operator")
async def say(request: Request, handoff_id: int) -> HTTPResponse:
    principal = request.ctx.principal
    text = str(json_body(request).get("text") or "")
    try:
        handoff, message = await run_db(
            request,
            lambda s: conversations.operator_says(s, handoff_id, principal, text),
        )
    except conversations.ConversationError as error:
        return error_response(request, str(error), error.status)
    delivered = await _deliver(request, handoff, message.text)
    return json_response({"id": message.id, "delivered": delivered}, 201)


@blueprint.post("/handoffs/<handoff_id:int>/close")
@login_required("operator")
async def close(request: Request, handoff_id: int) -> HTTPResponse:
    principal = request.ctx.principal
    try:
        handoff = await run_db(request, lambda s: conversations.close(s, handoff_id, principal))
    except conversations.ConversationError as error:
        return error_response(request, str(error), error.status)
    await _deliver(request, handoff, "人工客服已结束本次对话，您可以继续向智能助手提问。")
    return redirect("/operator")


async def _deliver(request: Request, handoff: Handoff, text: str) -> bool:
    """Push `text` to channels that cannot poll (Telegram), through the function that channel
    registered on `app.ctx.handoff_delivery`; the portal's event stream reads the stored line."""
    deliver = request.app.ctx.handoff_delivery.get(conversations.delivery_channel(handoff))
    if deliver is None:
        return False
    try:
        await deliver(handoff.sender_id, text)
    except Exception:  # noqa: BLE001 - the message is stored; the operator sees it was not sent
        log.exception("hand-over delivery to %s failed", handoff.sender_id)
        return False
    return True


async def _tracker_entries(request: Request, sender_id: str) -> list[conversations.Entry]:
    tracker = await fetch_tracker(request.app, sender_id)
    if tracker is None:
        return [conversations.Entry("system", "（暂时无法读取与智能助手的对话记录）", utcnow())]
    return conversations.tracker_entries(tracker)


def _handoff_json(handoff: Handoff, secret: str) -> dict[str, Any]:
    return {
        "id": handoff.id,
        "citizen": citizen_label(secret, handoff.sender_id),
        "channel": handoff.channel,
        "channel_label": topics.channel_label(handoff.channel),
        "status": handoff.status,
        "status_label": conversations.STATUS_LABELS.get(handoff.status, handoff.status),
        "last_message": handoff.last_message,
        "created_at": format_cn(handoff.created_at),
        "claimed_by": actors.label(handoff.claimed_by) if handoff.claimed_by else None,
    }


def _secret(request: Request) -> str:
    return request.app.ctx.settings.secret_key


def _field(data: dict[str, Any], name: str, limit: int) -> Optional[str]:
    return str(data.get(name) or "").strip()[:limit] or None
