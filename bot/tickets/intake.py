"""One intake command for a citizen's matter: the chat and the operator console both call it.

`preview` routes a text once and is what the citizen is shown (department and 办结时限); `intake`
stores the ticket from that same result, so the deadline stored is the deadline shown, and
routes only when nobody previewed; the public-opinion monitor sees every ticket (`bot.hotspots`). The rules of who must leave a phone number live in
`service.create_ticket`, and every ticket's audit row is written there, in the same transaction.
`refer` records a matter sent elsewhere (110/119/120, not 12345's), for the same reason here and
not in the chat's actions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Mapping, Optional

from sqlalchemy.orm import Session

from bot import audit
from bot.accounts import Principal
from bot.hotspots import service as hotspots
from bot.privacy import mask
from bot.text import clean
from bot.tickets import service
from bot.tickets.models import Ticket
from bot.tickets.routing import Router, RoutingResult


@dataclass(frozen=True)
class Contact:
    """How the citizen can be answered; `anonymous` is allowed for a 举报 only."""

    phone: Optional[str] = None
    name: Optional[str] = None
    anonymous: bool = False


def preview(router: Router, text: str, now: Optional[datetime] = None) -> RoutingResult:
    """What the ticket for `text` would be: type, department and time limits."""
    return router.route(text, now)


def contact_problem(routing: RoutingResult, contact: Contact) -> Optional[str]:
    """Why `contact` would be refused for this matter (the rule of `create_ticket`), or None."""
    try:
        service.checked_contact(routing.type or "", contact.phone, contact.anonymous)
    except service.TicketInvalid as error:
        return str(error)
    return None


def intake(
    session: Session,
    text: str,
    contact: Contact,
    channel: str,
    actor: Optional[Principal] = None,
    *,
    router: Router,
    shown: Optional[RoutingResult] = None,
    sender_id: Optional[str] = None,
    idempotency_key: Optional[str] = None,
    now: Optional[datetime] = None,
) -> Ticket:
    """受理: store the ticket for `text` as `shown` to the citizen (routed now if not shown).

    A `shown` result for another text is not trusted: the text is routed again.
    """
    if shown is None or shown.text != clean(text):
        shown = preview(router, text, now)
    ticket = service.create_ticket(
        session,
        shown,
        description=text,
        phone=contact.phone,
        name=contact.name,
        anonymous=contact.anonymous,
        channel=channel,
        sender_id=sender_id,
        idempotency_key=idempotency_key,
        actor=actor,
        now=now,
    )
    hotspots.item_from_ticket(session, ticket)
    return ticket


def refer(session: Session, routing: RoutingResult, channel: str, sender_id: str) -> None:
    """Record that a matter was redirected (emergency or not 12345's), with the text masked."""
    kind = "emergency" if routing.emergency else "excluded"
    audit.record(
        session,
        actor=f"citizen:{sender_id}",
        action=f"complaint.{kind}",
        entity_type="referral",
        entity_id=sender_id[:64],
        detail={
            "channel": channel,
            "to": routing.emergency or routing.excluded,
            "text": mask(routing.text)[:500],
        },
    )


def routing_from_slot(value: Any) -> Optional[RoutingResult]:
    """A `RoutingResult.to_dict()` kept in a conversation slot, back as a result (None if not)."""
    if not isinstance(value, Mapping):
        return None
    try:
        return RoutingResult.from_dict(value)
    except (TypeError, ValueError):
        return None
