"""Near-identical tickets: several citizens reporting the same problem at the same place (five
calls about one 解放路 building site). The department sees them linked to each other so it
handles the matter once and answers everyone, instead of five separate site visits.

Candidates are the same department's tickets of the same category from the last
`WINDOW_DAYS` days; a pair is a duplicate when the places are close (character bigrams, which
tolerate 定海区解放路 vs 解放路) and the descriptions share enough of their words (Jaccard of the
words that matter, as opinions are compared in `bot.consultation.grouping.terms`): "工地半夜打桩"
and "工地晚上打桩噪音太大" are one matter, "工地门口占道经营" at the same place is another.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.consultation.grouping import terms
from bot.tickets.models import Ticket, as_utc

WINDOW_DAYS = 30
MAX_CANDIDATES = 300
MAX_SHOWN = 10
PLACE_MIN = 0.5
TEXT_MIN = 0.25
_NOT_TEXT = re.compile(r"[^\w]+")
_STATED_PARTS = re.compile(r"；(?:地点|时间)：[^；]*")


@dataclass(frozen=True)
class Duplicate:
    number: str
    status_label: str
    created_at: object
    similarity: float


def similar_tickets(session: Session, ticket: Ticket) -> list[Duplicate]:
    """The department's recent tickets about the same problem at the same place, closest first."""
    if not ticket.department_id:
        return []
    since = as_utc(ticket.created_at) - timedelta(days=WINDOW_DAYS)
    candidates = session.execute(
        select(Ticket)
        .where(
            Ticket.department_id == ticket.department_id,
            Ticket.category == ticket.category,
            Ticket.id != ticket.id,
            Ticket.created_at >= since,
        )
        .order_by(Ticket.created_at.desc())
        .limit(MAX_CANDIDATES)
    ).scalars()
    found = []
    for other in candidates:
        score = similarity(ticket, other)
        if score is not None:
            found.append(Duplicate(other.number, other.state.label, other.created_at, score))
    found.sort(key=lambda d: -d.similarity)
    return found[:MAX_SHOWN]


def similarity(one: Ticket, other: Ticket) -> float | None:
    """How alike two tickets' descriptions are, when they are also at the same place; else None."""
    place = overlap(one.location or "", other.location or "")
    if place < PLACE_MIN:
        return None
    first, second = set(terms(_problem(one.description)).split()), set(
        terms(_problem(other.description)).split()
    )
    if not first or not second:
        return None
    text = len(first & second) / len(first | second)
    return round(text, 2) if text >= TEXT_MIN else None


def overlap(one: str, other: str) -> float:
    """Share of the shorter text's character bigrams found in the other (0 when either is empty)."""
    first, second = _bigrams(one), _bigrams(other)
    if not first or not second:
        return 0.0
    return len(first & second) / min(len(first), len(second))


def _problem(description: str) -> str:
    return _STATED_PARTS.sub("", description)


def _bigrams(text: str) -> set[str]:
    compact = _NOT_TEXT.sub("", text.lower())
    if len(compact) == 1:
        return {compact}
    return {compact[i : i + 2] for i in range(len(compact) - 1)}
