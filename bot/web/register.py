"""The shared review queue (先审查、后公开) and the publication register on the web.

Staff pages: `/staff/review` (everything waiting, from every publisher), an item page where a
reviewer other than the drafter approves with the 保密审查 checklist or refuses with a reason and
staff publish on chosen channels; `/staff/register` (search, CSV export) and a record page with
every version. Public: `/publications/<number>`, a registered publication as it was published.
"""

from __future__ import annotations

import json
from typing import Any

from sanic import Blueprint, Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, raw, redirect
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import publishing
from bot.privacy import mask
from bot.publishing.models import CHANNELS, KINDS, STATE_NAMES, ReviewItem
from bot.publishing.register import Query, get_record, search, summary, to_csv, versions
from bot.web.common import render, render_loaded, run_db
from bot.web.sessions import login_required

QUEUE_LIMIT = 200
CHANNEL_NAMES = {
    "web": "政府网站",
    "portal": "政务公开门户",
    "wechat": "政务微信",
    "telegram": "Telegram",
    "weibo": "政务微博",
    "press": "新闻发布会",
}
DONE = {
    "approve": "审查通过，可以发布。",
    "refuse": "已不予通过，并记录理由。",
    "publish": "已发布并登记。",
}

blueprint = Blueprint("register", url_prefix="/")


def register(app: Sanic) -> None:
    """Add the pages (every request passes the per-address rate limit of `bot.web.gate`)."""
    app.blueprint(blueprint)


@blueprint.get("/staff/review")
@login_required("staff", "reviewer")
async def queue(request: Request) -> HTTPResponse:
    def work(session: Session) -> list[ReviewItem]:
        return list(
            session.execute(
                select(ReviewItem)
                .where(ReviewItem.state.in_(("submitted", "approved")))
                .order_by(ReviewItem.submitted_at)
                .limit(QUEUE_LIMIT)
            ).scalars()
        )

    items = await run_db(request, work)
    return render(request, "publishing/queue.html", items=items, kinds=KINDS, states=STATE_NAMES)


@blueprint.get("/staff/review/<item_id:int>")
@login_required("staff", "reviewer")
async def item_page(request: Request, item_id: int) -> HTTPResponse:
    return await _item_page(request, item_id, notice=DONE.get(request.args.get("done") or "", ""))


@blueprint.post("/staff/review/<item_id:int>/<step:[a-z]+>")
@login_required("staff", "reviewer")
async def item_step(request: Request, item_id: int, step: str) -> HTTPResponse:
    principal = request.ctx.principal
    if step not in DONE:
        return await _item_page(request, item_id, error="未知的操作", status=404)
    form = {key: request.form.get(key) for key in request.form or {}}
    if step in ("approve", "refuse") and not principal.can("reviewer"):
        return await _item_page(request, item_id, error="只有审核人员可以审查", status=403)

    def work(session: Session) -> None:
        if step == "approve":
            publishing.approve(
                session,
                item_id,
                reviewer=principal.actor,
                checklist=publishing.checklist_from_form(form),
            )
        elif step == "refuse":
            publishing.refuse(
                session, item_id, reviewer=principal.actor, reason=form.get("reason") or ""
            )
        else:
            channels = request.form.getlist("channel") or []
            publishing.publish(session, item_id, publisher=principal.actor, channels=channels)

    try:
        await run_db(request, work)
    except publishing.PublishingError as refused:
        return await _item_page(request, item_id, error=str(refused), status=_status(refused))
    if step == "publish":
        request.app.ctx.services.refresh_kb()  # a published policy entry is served on next use
    return redirect(f"/staff/review/{item_id}?done={step}")


async def _item_page(
    request: Request, item_id: int, notice: str = "", error: str = "", status: int = 200
) -> HTTPResponse:
    def work(session: Session) -> dict[str, Any]:
        item = publishing.get_item(session, item_id)
        record = (
            summary(session.get(publishing.RegisterRecord, item.record_id))
            if item.record_id
            else None
        )
        return {"item": item, "content": shown_content(item.content), "record": record}

    return await render_loaded(
        request,
        "publishing/item.html",
        work,
        publishing.NotFound,
        status=status,
        notice=notice,
        error=error,
        kinds=KINDS,
        states=STATE_NAMES,
        checklist=publishing.checklist_items(),
        channels=CHANNEL_NAMES,
    )


@blueprint.get("/staff/register")
@login_required("staff", "reviewer")
async def register_page(request: Request) -> HTTPResponse:
    query = _query(request)

    def work(session: Session) -> list[dict[str, Any]]:
        return [summary(record) for record in search(session, query)]

    rows = await run_db(request, work)
    return render(request, "publishing/register.html", rows=rows, query=query, kinds=KINDS)


@blueprint.get("/staff/register.csv")
@login_required("staff", "reviewer")
async def register_csv(request: Request) -> HTTPResponse:
    query = _query(request, limit=100_000)
    text = await run_db(request, lambda session: to_csv(search(session, query)))
    return raw(
        ("\ufeff" + text).encode("utf-8"),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="publication-register.csv"'},
    )


@blueprint.get("/staff/register/<number:[A-Z0-9-]+>")
@login_required("staff", "reviewer")
async def record_page(request: Request, number: str) -> HTTPResponse:
    return await _record(request, number, staff=True)


@blueprint.get("/publications/<number:[A-Z0-9-]+>")
async def public_record(request: Request, number: str) -> HTTPResponse:
    return await _record(request, number, staff=False)


async def _record(request: Request, number: str, staff: bool) -> HTTPResponse:
    def work(session: Session) -> dict[str, Any]:
        record = get_record(session, number)
        return {
            "record": summary(record, with_content=True),
            "content": shown_content(record.content),
            "history": [summary(each) for each in versions(session, record)],
        }

    return await render_loaded(
        request,
        "publishing/record.html",
        work,
        publishing.NotFound,
        staff=staff,
        channels=CHANNEL_NAMES,
        checklist=publishing.checklist_items(),
    )


def shown_content(content: str) -> str:
    """Stored content for reading: structured content pretty-printed; personal data masked."""
    try:
        parsed = json.loads(content)
    except ValueError:
        return mask(content)
    if isinstance(parsed, dict | list):
        return mask(json.dumps(parsed, ensure_ascii=False, indent=2))
    return mask(content)


def _query(request: Request, limit: int = 100) -> Query:
    kind = request.args.get("kind") or ""
    return Query(
        text=(request.args.get("q") or "")[:100],
        kind=kind if kind in KINDS else "",
        unit=(request.args.get("unit") or "")[:64],
        limit=limit,
    )


def _status(error: publishing.PublishingError) -> int:
    if isinstance(error, publishing.NotFound):
        return 404
    if isinstance(error, publishing.PermissionDenied):
        return 403
    return 400


__all__ = ["CHANNELS", "blueprint", "register"]
