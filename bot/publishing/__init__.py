"""Review before publication and the publication register, shared by every publisher.

from bot.publishing import submit, approve, refuse, publish, full_checklist
item = submit(session, "hotspot_response", "topic:12:v1", text, "city.publicity", "staff:li")
approve(session, item.id, reviewer="reviewer:wang", checklist=full_checklist())
record = publish(session, item.id, publisher="staff:li", channels=["web", "weibo"])
record.number, record.version, record.content_hash          # FB20261207-0001, 1, sha256
"""

from bot.publishing.models import KINDS, RegisterIsAppendOnly, RegisterRecord, ReviewItem
from bot.publishing.review import (
    NotFound,
    PermissionDenied,
    PublishingError,
    approve,
    checklist_from_confirmations,
    checklist_from_form,
    checklist_items,
    full_checklist,
    get_item,
    latest_item,
    open_item,
    publish,
    refuse,
    submit,
)

__all__ = [
    "KINDS",
    "NotFound",
    "PermissionDenied",
    "PublishingError",
    "RegisterIsAppendOnly",
    "RegisterRecord",
    "ReviewItem",
    "approve",
    "checklist_from_confirmations",
    "checklist_from_form",
    "checklist_items",
    "full_checklist",
    "get_item",
    "latest_item",
    "open_item",
    "publish",
    "refuse",
    "submit",
]
