"""One view of a ticket for people and programs: the department console's page and the API.

Both show the same facts under the same rules: a department sees the citizen's contact and
personal data masked, and how much time is left is judged against working days (`time_left`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from bot import calendar
from bot.accounts import Principal
from bot.clock import local
from bot.privacy import mask, mask_name, mask_phone
from bot.tickets import service
from bot.tickets.catalogue import Catalogue
from bot.tickets.models import IN_DEPARTMENT_STATUSES, Ticket, as_utc, assume_utc

TIME_LEFT = {
    "overdue": "已超期",
    "soon": "不足1个工作日",
    "ok": "时间充裕",
    "done": "",
}


def sees_masked(principal: Principal) -> bool:
    """A department handles the matter; the citizen's identity stays with the hotline."""
    return principal.role == "department"


def iso_local(moment: Optional[datetime]) -> Optional[str]:
    return local(moment).isoformat() if moment else None


def time_left(ticket: Ticket, now: datetime) -> str:
    """overdue / soon (less than one working day left) / ok; done when the department is not
    holding the ticket."""
    if ticket.status not in IN_DEPARTMENT_STATUSES or ticket.due_at is None:
        return "done"
    due = assume_utc(ticket.due_at)
    if due < now:
        return "overdue"
    if due < calendar.add_working_days(now, 1):
        return "soon"
    return "ok"


def ticket_view(
    ticket: Ticket, principal: Principal, catalogue: Catalogue, now: datetime
) -> dict[str, Any]:
    """What the page shows; a department sees the citizen's contact and personal data masked."""
    masked = sees_masked(principal)
    phone, name = ticket.citizen_phone or "", ticket.citizen_name or ""
    left = time_left(ticket, now)
    return {
        "number": ticket.number,
        "type": ticket.type,
        "category": ticket.category_name or "未分类",
        "urgent": ticket.urgent,
        "description": mask(ticket.description) if masked else ticket.description,
        "location": ticket.location or "",
        "channel": ticket.channel,
        "status": ticket.status,
        "status_label": ticket.state.label,
        "department": service.department_name(catalogue, ticket.department_id) or "未派单",
        "lead": principal.department_id == ticket.department_id,
        "co_departments": [
            service.department_name(catalogue, d) for d in ticket.co_department_ids or ()
        ],
        "created_at": ticket.created_at,
        "sign_by": ticket.sign_by,
        "due_at": ticket.due_at,
        "time_left": left,
        "time_left_label": TIME_LEFT[left],
        "supervised": ticket.supervised,
        "anonymous": ticket.anonymous,
        "citizen_name": mask_name(name) if masked else name,
        "citizen_phone": mask_phone(phone) if masked and phone else phone,
        "return_reason": ticket.return_reason or "",
        "extension_state": ticket.extension_state or "",
        "extension_days": ticket.extension_days,
        "extension_reason": ticket.extension_reason or "",
        "reply": ticket.reply or "",
        "replied_at": ticket.replied_at,
    }


def ticket_json(
    ticket: Ticket, principal: Principal, catalogue: Catalogue, now: Optional[datetime] = None
) -> dict[str, Any]:
    """A ticket as the API shows it (times ISO 8601 local); a department sees the citizen's
    contact masked."""
    department_view = sees_masked(principal)
    citizen = None
    if not ticket.anonymous:
        phone = ticket.citizen_phone or ""
        name = ticket.citizen_name or ""
        citizen = {
            "name": mask_name(name) if department_view else name,
            "phone": mask_phone(phone) if department_view and phone else phone,
        }
    extension = None
    if ticket.extension_state:
        extension = {
            "state": ticket.extension_state,
            "days": ticket.extension_days,
            "reason": ticket.extension_reason,
        }
    return {
        "number": ticket.number,
        "created_at": iso_local(ticket.created_at),
        "type": ticket.type,
        "category": ticket.category,
        "category_name": ticket.category_name,
        "urgent": ticket.urgent,
        "description": mask(ticket.description) if department_view else ticket.description,
        "location": ticket.location,
        "jurisdiction": ticket.jurisdiction,
        "channel": ticket.channel,
        "citizen": citizen,
        "status": ticket.status,
        "status_label": ticket.state.label,
        "department_id": ticket.department_id,
        "department_name": service.department_name(catalogue, ticket.department_id),
        "co_department_ids": list(ticket.co_department_ids or ()),
        "sign_by": iso_local(ticket.sign_by),
        "due_at": iso_local(ticket.due_at),
        "overdue": time_left(ticket, as_utc(now)) == "overdue",
        "signed_at": iso_local(ticket.signed_at),
        "return_reason": ticket.return_reason,
        "extension": extension,
        "reply": ticket.reply,
        "replied_at": iso_local(ticket.replied_at),
        "satisfaction": ticket.satisfaction,
        "visited_at": iso_local(ticket.visited_at),
        "reopen_count": ticket.reopen_count,
        "closed_at": iso_local(ticket.closed_at),
        "supervised": ticket.supervised,
        "supervised_at": iso_local(ticket.supervised_at),
        "version": ticket.version,
    }
