"""The consultation staff console: drafts, opinions grouped by similarity, decisions with reasons,
then the adoption summary drafted, reviewed by someone else and published (先审查、后公开).

Each form calls one command of `bot.consultation` as the logged-in account; the commands check
roles (staff decide and draft, a reviewer other than the drafter approves) and say in Chinese
what is refused. A group's outcome is always chosen explicitly (nothing defaults to 采纳) and a
refused decision comes back with what was chosen; the reviewer reads the summary as it would be
published (`/staff/drafts/<id>/summary/preview`) before approving it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Callable, Optional

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse, html, redirect
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.accounts import Principal
from bot.clock import local_day
from bot.consultation import (
    ConsultationError,
    NotFound,
    approve_summary,
    decide_group,
    draft_summary,
    get_draft,
    group_opinions,
    list_drafts,
    publish_summary,
    return_summary,
)
from bot.consultation.drafts import info as draft_info
from bot.consultation.models import OUTCOMES, Opinion, OpinionGroup
from bot.consultation.publish import latest_summary, pending_summary
from bot.consultation.report import render_html
from bot.privacy import mask
from bot.publishing import checklist_from_form, checklist_items
from bot.web.common import render, run_db
from bot.web.errors import status_for
from bot.web.sessions import login_required

SUMMARY_STATES = {
    "drafted": "待审核",
    "returned": "已退回修改",
    "approved": "审核通过，待发布",
    "published": "已发布",
    "superseded": "已被新版本取代",
}
DONE_MESSAGES = {
    "group": "已重新归组（已作出决定的组保持不变）。",
    "decide": "处理决定已保存。",
    "summary": "采纳情况已起草，等待另一位审核人员审核。",
    "approve": "已审核通过，可以发布。",
    "return": "已退回起草人修改。",
    "publish": "采纳情况已发布，并已登记。",
}

PREVIEW_CSP = (
    "default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
    "frame-ancestors 'self'; base-uri 'none'; form-action 'none'"
)

blueprint = Blueprint("staff", url_prefix="/staff")


@dataclass(frozen=True)
class DraftCommand:
    """A form on the draft page: the consultation command and the form fields it takes."""

    command: Callable[..., Any]
    fields: Callable[[Request, dict], dict[str, Any]]


COMMANDS: dict[str, DraftCommand] = {
    "group": DraftCommand(group_opinions, lambda request, form: {}),
    "summary": DraftCommand(draft_summary, lambda request, form: {}),
    "approve": DraftCommand(
        approve_summary,
        lambda request, form: {
            "note": form.get("note") or "",
            "checklist": checklist_from_form(form),
        },
    ),
    "return": DraftCommand(
        return_summary, lambda request, form: {"note": form.get("note") or ""}
    ),
    "publish": DraftCommand(
        publish_summary,
        lambda request, form: {
            "public_base_url": request.app.ctx.settings.public_base_url,
            "channel": "web",
        },
    ),
}


@blueprint.get("", strict_slashes=False)
@login_required("staff", "reviewer")
async def index(request: Request) -> HTTPResponse:
    def work(session: Session) -> list[dict[str, Any]]:
        today = local_day()
        return [
            {"info": info, "summary": _summary_view(session, info.id)}
            for info in list_drafts(session, today, include_unreleased=True)
        ]

    return render(
        request, "staff/index.html", drafts=await run_db(request, work), states=SUMMARY_STATES
    )


@blueprint.get("/drafts/<draft_id:int>")
@login_required("staff", "reviewer")
async def draft_page(request: Request, draft_id: int) -> HTTPResponse:
    done = DONE_MESSAGES.get(request.args.get("done") or "", "")
    return await _draft_page(request, draft_id, notice=done)


@blueprint.post("/drafts/<draft_id:int>/<name:[a-z]+>")
@login_required("staff", "reviewer")
async def draft_command(request: Request, draft_id: int, name: str) -> HTTPResponse:
    command = COMMANDS.get(name)
    if command is None:
        return await _draft_page(request, draft_id, error="未知的操作", status=404)
    principal: Principal = request.ctx.principal
    fields = command.fields(request, _form(request))
    try:
        await run_db(request, lambda s: command.command(s, draft_id, actor=principal, **fields))
    except ConsultationError as error:
        return await _draft_page(request, draft_id, error=str(error), status=_status(error))
    return redirect(f"/staff/drafts/{draft_id}?done={name}")


@blueprint.post("/drafts/<draft_id:int>/groups/<group_id:int>/decide")
@login_required("staff")
async def decide(request: Request, draft_id: int, group_id: int) -> HTTPResponse:
    principal: Principal = request.ctx.principal
    form = _form(request)
    outcome = form.get("outcome") or ""
    try:
        if not outcome:
            raise ConsultationError("请选择处理结果（采纳、部分采纳、不予采纳或不适用）")
        await run_db(
            request,
            lambda s: decide_group(s, group_id, outcome, form.get("reason") or "", actor=principal),
        )
    except ConsultationError as error:
        return await _draft_page(
            request,
            draft_id,
            error=str(error),
            status=_status(error),
            refused={"group_id": group_id, "outcome": outcome, "reason": form.get("reason") or ""},
        )
    return redirect(f"/staff/drafts/{draft_id}?done=decide#group-{group_id}")


@blueprint.get("/drafts/<draft_id:int>/summary/preview")
@login_required("staff", "reviewer")
async def summary_preview(request: Request, draft_id: int) -> HTTPResponse:
    """The summary awaiting review exactly as it would be published, marked as a preview."""

    def work(session: Session) -> Optional[str]:
        summary = pending_summary(session, draft_id)
        if summary is None:
            return None
        meta = {"version": summary.version, "published_at": None, "supersedes": None}
        return render_html(summary.content, {**meta, "preview": True})

    page = await run_db(request, work)
    if page is None:
        return render(request, "error.html", status=404, message="没有待审核的采纳情况", status_code=404)
    return html(
        page, headers={"Content-Security-Policy": PREVIEW_CSP, "X-Frame-Options": "SAMEORIGIN"}
    )


async def _draft_page(
    request: Request,
    draft_id: int,
    notice: str = "",
    error: str = "",
    status: int = 200,
    refused: Optional[dict[str, Any]] = None,
) -> HTTPResponse:
    def work(session: Session) -> dict[str, Any]:
        draft = get_draft(session, draft_id, public=False)
        groups = group_views(session, draft_id)
        opinions = sum(len(group["opinions"]) for group in groups)
        return {
            "draft": draft_info(draft, local_day(), opinions),
            "clauses": {clause.id: clause.display for clause in draft.clauses},
            "groups": groups,
            "summary": _summary_view(session, draft_id),
        }

    try:
        page = await run_db(request, work)
    except NotFound as missing:
        return render(request, "error.html", status=404, message=str(missing), status_code=404)
    return render(
        request,
        "staff/draft.html",
        status=status,
        notice=notice,
        error=error,
        outcomes=OUTCOMES,
        states=SUMMARY_STATES,
        checklist=checklist_items(),
        refused=refused or {},
        **page,
    )


def group_views(session: Session, draft_id: int) -> list[dict[str, Any]]:
    """Each opinion group with its members (personal data masked), largest first."""
    members: dict[Optional[int], list[dict[str, Any]]] = defaultdict(list)
    for opinion in session.execute(
        select(Opinion).where(Opinion.draft_id == draft_id).order_by(Opinion.id)
    ).scalars():
        members[opinion.group_id].append(
            {"receipt_no": opinion.receipt_no, "text": mask(opinion.text)}
        )
    groups = session.execute(
        select(OpinionGroup)
        .where(OpinionGroup.draft_id == draft_id)
        .order_by(OpinionGroup.clause_id, OpinionGroup.size.desc(), OpinionGroup.id)
    ).scalars()
    views = [_group_view(group, members.get(group.id, [])) for group in groups]
    views.append(_group_view(None, members.get(None, [])))
    return [view for view in views if view["opinions"]]


def _group_view(group: Optional[OpinionGroup], opinions: list[dict[str, Any]]) -> dict[str, Any]:
    """A group as the page shows it; `None` collects opinions not grouped yet."""
    outcome = OUTCOMES.get(group.outcome or "") if group else None
    return {
        "id": group.id if group else None,
        "clause_id": group.clause_id if group else None,
        "keywords": group.keywords if group else "",
        "outcome": outcome.code if outcome else "",
        "outcome_label": outcome.label if outcome else "",
        "reason": (group.reason or "") if group else "",
        "decided_by": (group.decided_by or "") if group else "",
        "published": bool(group and group.published_at),
        "opinions": opinions,
    }


def _summary_view(session: Session, draft_id: int) -> Optional[dict[str, Any]]:
    summary = pending_summary(session, draft_id) or latest_summary(session, draft_id)
    if summary is None:
        return None
    return {
        "version": summary.version,
        "state": summary.state,
        "drafted_by": summary.drafted_by,
        "reviewed_by": summary.reviewed_by or "",
        "review_note": summary.review_note or "",
        "statistics": (summary.content or {}).get("statistics") or {},
    }


def _form(request: Request) -> dict[str, str]:
    return {key: request.form.get(key) for key in request.form or {}}


def _status(error: ConsultationError) -> int:
    return status_for(error) or 400
