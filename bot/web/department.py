"""The department workbench: the inbox coloured by time left, a ticket with its history, and
server-side forms to 签收, 退单, 申请延期 and 办结 — each one call of `bot.tickets.service` as the
logged-in account, so the service decides who may do what (another body's ticket is a 404).

The lead department sees the citizen's full phone number to call back; every page that shows
it writes an audit row (who, when). Co-departments and everyone else see it masked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable, Optional

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse, redirect
from sqlalchemy.orm import Session

from bot import audit, notices
from bot.accounts import Principal
from bot.privacy import mask
from bot.tickets import duplicates, service
from bot.tickets.catalogue import Catalogue
from bot.tickets.models import STATES, Ticket, as_utc, assume_utc
from bot.tickets.view import sees_masked, ticket_view
from bot.web import actors, topics
from bot.web.common import render, run_db
from bot.web.errors import status_for
from bot.web.identity import shown_actor
from bot.web.sessions import login_required

NUMBER = r"[A-Za-z0-9-]{1,32}"
EVENT_LABELS = {"receive": "受理", **{name: t.label for name, t in service.TRANSITIONS.items()}}
DONE_MESSAGES = {
    "sign": "已签收，请在办结时限前答复市民。",
    "return": "已退单，等待12345热线改派。",
    "extension": "延期申请已提交，等待12345热线审批。",
    "reply": "已办结，答复已发送给市民。",
}

PHONE_VIEWED = "ticket.phone_viewed"
CONTACT_ENTITY = "ticket_contact"
_STATED_TIME = re.compile(r"(?:^|；)时间：([^；]+)")

blueprint = Blueprint("department", url_prefix="/department")


@dataclass(frozen=True)
class FormAction:
    """One form of the ticket page: the service command and how to read its fields."""

    command: Callable[..., Ticket]
    fields: Callable[[dict], dict[str, Any]]


def _days(form: dict) -> dict[str, Any]:
    raw = (form.get("days") or "").strip()
    if not raw.isdigit():
        raise service.TicketInvalid("延期天数必须是整数")
    return {"days": int(raw), "reason": form.get("reason") or ""}


ACTIONS: dict[str, FormAction] = {
    "sign": FormAction(service.sign, lambda form: {}),
    "return": FormAction(service.return_ticket, lambda form: {"reason": form.get("reason") or ""}),
    "extension": FormAction(service.request_extension, _days),
    "reply": FormAction(service.reply_and_close, lambda form: {"reply": form.get("reply") or ""}),
}


@blueprint.get("", strict_slashes=False)
@login_required("department")
async def inbox(request: Request) -> HTTPResponse:
    principal: Principal = request.ctx.principal
    status = request.args.get("status") or None
    if status not in (None, "all") and status not in STATES:
        status = None
    catalogue: Catalogue = request.app.ctx.catalogue

    def work(session: Session) -> tuple[list[dict], int, list[dict]]:
        page = service.list_tickets(session, principal, status=status, limit=100)
        now = as_utc()
        views = [ticket_view(t, principal, catalogue, now) for t in page.items]
        return views, page.total, _reminders(session, principal)

    tickets, total, reminders = await run_db(request, work)
    return render(
        request,
        "department/inbox.html",
        tickets=tickets,
        total=total,
        reminders=reminders,
        read=request.args.get("read") == "1",
        filter_status=status or "",
        states=STATES,
        department=service.department_name(catalogue, principal.department_id),
    )


def _reminders(session: Session, principal: Principal) -> list[dict[str, Any]]:
    """The 督办提醒 queued for this department (the outbox's "department" channel), unread."""
    if not principal.department_id:
        return []
    rows = notices.addressed(session, notices.DEPARTMENT, principal.department_id)
    return [
        {"id": row.id, "text": mask(row.message), "at": assume_utc(row.created_at)} for row in rows
    ]


@blueprint.post("/notices/<notice_id:int>/read")
@login_required("department")
async def read_notice(request: Request, notice_id: int) -> HTTPResponse:
    """已阅: the reminder counts as delivered to the department, with who read it audited."""
    principal: Principal = request.ctx.principal

    def work(session: Session) -> bool:
        done = notices.acknowledge(
            session, notice_id, notices.DEPARTMENT, principal.department_id or ""
        )
        if done:
            audit.record(
                session,
                actor=principal.actor,
                action="notice.read",
                entity_type="notice",
                entity_id=str(notice_id),
                detail={"channel": notices.DEPARTMENT},
            )
        return done

    if not await run_db(request, work):
        return render(request, "error.html", status=404, message="没有这条提醒", status_code=404)
    return redirect("/department?read=1")


@blueprint.get(f"/tickets/<number:{NUMBER}>")
@login_required("department")
async def ticket_page(request: Request, number: str) -> HTTPResponse:
    done = DONE_MESSAGES.get(request.args.get("done") or "", "")
    return await _ticket_page(request, number, notice=done)


@blueprint.post(f"/tickets/<number:{NUMBER}>/<name:[a-z]+>")
@login_required("department")
async def act(request: Request, number: str, name: str) -> HTTPResponse:
    action = ACTIONS.get(name)
    if action is None:
        return await _ticket_page(request, number, error="未知的操作", status=404)
    principal: Principal = request.ctx.principal
    form = {key: request.form.get(key) for key in request.form or {}}
    try:
        fields = action.fields(form)
        await run_db(request, lambda s: action.command(s, number, principal, **fields))
    except service.TicketError as error:
        return await _ticket_page(
            request, number, error=str(error), status=status_for(error) or 400, form=form
        )
    return redirect(f"/department/tickets/{number}?done={name}")


async def _ticket_page(
    request: Request,
    number: str,
    notice: str = "",
    error: str = "",
    status: int = 200,
    form: Optional[dict] = None,
) -> HTTPResponse:
    principal: Principal = request.ctx.principal
    catalogue: Catalogue = request.app.ctx.catalogue

    def work(session: Session) -> tuple[dict, list[dict], list[duplicates.Duplicate]]:
        ticket = service.get_ticket(session, number, principal)
        view = callback_view(ticket, principal, ticket_view(ticket, principal, catalogue, as_utc()))
        if view["phone_visible"]:
            audit.record(
                session,
                actor=principal.actor,
                action=PHONE_VIEWED,
                entity_type=CONTACT_ENTITY,
                entity_id=ticket.number,
                detail={"purpose": "callback"},
            )
        similar = duplicates.similar_tickets(session, ticket) if view["lead"] else []
        return view, history_view(session, ticket, catalogue, request.app.ctx.settings.secret_key), similar

    try:
        ticket, history, similar = await run_db(request, work)
    except service.TicketNotFound as missing:
        return render(request, "error.html", status=404, message=str(missing), status_code=404)
    return render(
        request,
        "department/ticket.html",
        status=status,
        ticket=ticket,
        history=history,
        similar=similar,
        notice=notice,
        error=error,
        form=form or {},
        max_extension=service.MAX_EXTENSION_DAYS,
    )


def callback_view(ticket: Ticket, principal: Principal, view: dict[str, Any]) -> dict[str, Any]:
    """The ticket page's view: the lead department sees the citizen's name and phone to call
    back (`phone_visible`: the caller audits it), the time the citizen gave, the channel in
    Chinese and the citizen's rating."""
    phone_visible = sees_masked(principal) and view["lead"] and bool(ticket.citizen_phone)
    contact = (
        {"citizen_name": ticket.citizen_name or "", "citizen_phone": ticket.citizen_phone}
        if phone_visible
        else {}
    )
    return {
        **view,
        **contact,
        "phone_visible": phone_visible,
        "channel_label": topics.channel_label(ticket.channel),
        "stated_time": stated_time(ticket.description),
        "satisfaction": ticket.satisfaction or "",
        "visited_at": ticket.visited_at,
    }


def history_view(
    session: Session, ticket: Ticket, catalogue: Catalogue, secret: str
) -> list[dict[str, Any]]:
    """The ticket's steps with who took them in words ("系统自动分派", "操作员 张三"); citizens
    appear by their label (`bot.web.identity`), never by their sender id."""
    events = service.history(session, ticket.number)
    names = actors.names(session, [event.actor for event in events], catalogue)
    return [
        {
            "at": assume_utc(event.at),
            "actor": shown_actor(secret, event.actor)
            if event.actor.startswith("citizen:")
            else names[event.actor],
            "action": EVENT_LABELS.get(event.action.removeprefix("ticket."), event.action),
            "note": (event.detail or {}).get("note") or "",
        }
        for event in events
    ]


def stated_time(description: str) -> str:
    """When the citizen said it happened, as the assistant recorded it ("时间：半夜")."""
    found = _STATED_TIME.search(description or "")
    return found.group(1).strip() if found else ""
