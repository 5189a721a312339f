"""Operators' corrections of the router, kept as labelled examples for the next training run.

When an operator files a ticket with a type, category or department other than the router's, or
corrects a route in the console, the text (personal data masked) is stored with both the route
and the correction. `python -m bot routing-corrections export` writes them in the format of
knowledge/routing_training.yml (`source: operator`), to be reviewed and appended there.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import Column, Integer, String, Text, select
from sqlalchemy.orm import Session

from bot.db import Base, utcnow
from bot.privacy import mask
from bot.tickets.models import UTCDateTime
from bot.tickets.routing import RoutingResult

SOURCE = "operator"
MAX_TEXT = 5000
CORRECTED = ("type", "category", "department_id", "jurisdiction")


class RoutingCorrection(Base):
    """One text as the router routed it and as an operator corrected it."""

    __tablename__ = "routing_corrections"

    id = Column(Integer, primary_key=True, autoincrement=True)
    created_at = Column(UTCDateTime, nullable=False, index=True)
    operator = Column(String(120), nullable=False)
    ticket_number = Column(String(32), index=True)
    text = Column(Text, nullable=False)
    routed_type = Column(String(8))
    routed_category = Column(String(64))
    routed_department_id = Column(String(64))
    routed_jurisdiction = Column(String(32))
    type = Column(String(8))
    category = Column(String(64))
    department_id = Column(String(64))
    jurisdiction = Column(String(32))
    note = Column(Text)


def record(
    session: Session,
    routed: RoutingResult,
    corrected: dict[str, Optional[str]],
    operator: str,
    *,
    ticket_number: Optional[str] = None,
    note: Optional[str] = None,
    now: Optional[datetime] = None,
) -> Optional[RoutingCorrection]:
    """Store the correction when it changes any of `CORRECTED` (fields not given keep the
    router's value); None when the operator agreed with the router."""
    final = {key: corrected.get(key, getattr(routed, key)) for key in CORRECTED}
    if all(final[key] == getattr(routed, key) for key in CORRECTED):
        return None
    row = RoutingCorrection(
        created_at=now or utcnow(),
        operator=operator[:120],
        ticket_number=ticket_number,
        text=mask(routed.text)[:MAX_TEXT],
        routed_type=routed.type,
        routed_category=routed.category,
        routed_department_id=routed.department_id,
        routed_jurisdiction=routed.jurisdiction,
        note=(mask(note)[:1000] if note else None),
        **final,
    )
    session.add(row)
    session.flush()
    return row


def training_examples(
    session: Session, since: Optional[datetime] = None
) -> list[dict[str, Any]]:
    """The corrections, oldest first, as routing_training.yml examples (`source: operator`);
    a correction without a type is left out (it cannot train the type model)."""
    query = select(RoutingCorrection).order_by(RoutingCorrection.id)
    if since is not None:
        query = query.where(RoutingCorrection.created_at >= since)
    examples = []
    for row in session.execute(query).scalars():
        if not row.type:
            continue
        example: dict[str, Any] = {"text": row.text, "type": row.type}
        if row.category:
            example["category"] = row.category
        if row.jurisdiction:
            example["jurisdiction"] = row.jurisdiction
        example["source"] = SOURCE
        examples.append(example)
    return examples
