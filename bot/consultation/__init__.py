"""Public consultation on draft decisions (征求意见) and the published adoption summary (采纳情况).

Modules: `models` (tables and state tables), `forms` (validation), `drafts` (YAML sync, import,
finding drafts and clauses), `opinions` (submit, look up), `grouping` (相对集中的意见), `decisions`
(staff answers), `publish` (review, publication register, notification outbox), `report` (the
summary as data, HTML, Markdown, JSON), `cli` (`python -m bot consult ...`). The public web pages
are the blueprint in `bot/web/public_consultation.py`.

Every command takes the caller's SQLAlchemy session (one transaction, committed by the caller),
validates, writes, records an audit event and returns the result, or raises `ConsultationError`
(subclasses `NotFound`, `Ambiguous` with `.candidates`, `PermissionDenied`) whose message is
Chinese and meant for whoever asked. `now` parameters default to the current time and exist so
tests and replays can fix the clock.

For the chat (Rasa actions):

    today = local_date(utcnow())                               # Zhoushan's calendar day
    with services().db.session() as session:
        offered = open_drafts(session, today)                  # [DraftInfo], id/title/window/count
        draft = resolve_draft(session, "停车")                  # number, slug or title words;
                                                               # Ambiguous.candidates → buttons
        clause = resolve_clause(draft, "第三条")                # 第3条 / 3 / “quoted text” / None
        receipt = submit_opinion(session, draft.id, "第三条", text, named=False,
                                 contact_ok=True, channel="telegram", sender_id=sender_id,
                                 idempotency_key=f"telegram:{message_id}")
        receipt.receipt_no, receipt.message                    # YJ20261127-0001, reply text
        status = lookup_opinion(session, "YJ20261127-0001")    # .published, .outcome_label, .reason
        status.message                                         # "已收到，正在研究" until published

"Your opinion was answered" messages go through the one outbox, `bot.notices`.
"""

from bot.clock import local_day as local_date
from bot.consultation.decisions import decide_group, decide_opinion, undecided_groups
from bot.consultation.drafts import (
    DraftInfo,
    get_draft,
    import_draft,
    list_drafts,
    open_drafts,
    resolve_clause,
    resolve_draft,
    sync_drafts,
)
from bot.consultation.forms import Ambiguous, ConsultationError, NotFound, PermissionDenied
from bot.consultation.grouping import group_opinions
from bot.consultation.opinions import (
    OpinionStatus,
    Receipt,
    lookup_opinion,
    opinions_of,
    submit_opinion,
)
from bot.consultation.publish import (
    approve_summary,
    draft_summary,
    publish_summary,
    return_summary,
)

__all__ = [
    "Ambiguous",
    "ConsultationError",
    "DraftInfo",
    "NotFound",
    "OpinionStatus",
    "PermissionDenied",
    "Receipt",
    "approve_summary",
    "decide_group",
    "decide_opinion",
    "draft_summary",
    "get_draft",
    "group_opinions",
    "import_draft",
    "list_drafts",
    "local_date",
    "lookup_opinion",
    "open_drafts",
    "opinions_of",
    "publish_summary",
    "resolve_clause",
    "resolve_draft",
    "return_summary",
    "submit_opinion",
    "sync_drafts",
    "undecided_groups",
]
