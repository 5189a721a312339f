"""How each publisher hands its content to the shared review (one call each).

- 依申请公开: `submit_disclosure_reply` when the office replies (bot.disclosure.service.reply):
  the 告知书, applicant's name and numbers removed, waits for review before the portal shows it.
- Policy library: `submit_policy` when a policy entry, or its 解读 (`interprets=` the policy id),
  is to go public; both share the policy's subject, so the scorecard can tell whether the 解读
  came out the same day.
- 舆情: `submit_hotspot_response` when a response is drafted; the hotspots service then calls
  `approve`/`refuse`/`publish` of `bot.publishing` with the item id it returns.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlalchemy.orm import Session

from bot.privacy import mask
from bot.publishing.models import ReviewItem
from bot.publishing.review import PublishingError, submit

DEFAULT_UNIT = "city.government_office"


def policy_reference(policy_id: str) -> str:
    return f"policy:{policy_id}"


def submit_policy(
    session: Session,
    policy_id: str,
    title: str,
    content: Any,
    unit: str,
    drafter: str,
    *,
    interprets: Optional[str] = None,
    now: Optional[datetime] = None,
) -> ReviewItem:
    """A policy entry (or, with `interprets`, the 解读 of that policy) for review."""
    kind = "policy_interpretation" if interprets else "policy"
    return submit(
        session,
        kind,
        policy_reference(interprets or policy_id),
        content,
        unit or DEFAULT_UNIT,
        drafter,
        title=title,
        now=now,
    )


def submit_disclosure_reply(
    session: Session, application: Any, drafter: str, now: Optional[datetime] = None
) -> ReviewItem:
    """The office's reply (告知书) as the portal would show it: no name, phone or ID number."""
    if not application.document:
        raise PublishingError(f"{application.number} 还没有答复文书")
    text = application.document
    if application.applicant_name:
        text = text.replace(application.applicant_name, "申请人")
    return submit(
        session,
        "disclosure_reply",
        application.number,
        mask(text),
        application.department_id or DEFAULT_UNIT,
        drafter,
        title=f"依申请公开答复（{application.number}）",
        now=now,
    )


def hotspot_reference(topic_id: int) -> str:
    return f"hotspot:{topic_id}"


def submit_hotspot_response(
    session: Session, response: Any, topic: Any, now: Optional[datetime] = None
) -> ReviewItem:
    """A drafted 舆情 response (one subject per topic: a follow-up is its next version)."""
    return submit(
        session,
        "hotspot_response",
        hotspot_reference(topic.id),
        mask(response.text),
        topic.responsible_id or DEFAULT_UNIT,
        response.drafted_by,
        title=f"舆情回应：{topic.title}"[:200],
        now=now,
    )
