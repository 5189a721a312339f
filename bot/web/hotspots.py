"""政务舆情 on the web: the staff console (/staff/hotspots), the public page of published
responses (/hotspots) and the import API (POST /api/hotspots/items).

The live monitor that forms the topics runs in a process of its own (`bot.hotspots.worker`).
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta
from typing import Any, Optional

from sanic import Blueprint, Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, redirect
from sanic.response import json as json_response
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from bot import audit, publishing
from bot.accounts import Principal
from bot.clock import local
from bot.hotspots import service
from bot.hotspots.models import (
    CLOSED,
    RESPONSE_KINDS,
    STATUS_NAMES,
    WATCHING,
    HotspotResponse,
    HotspotTopic,
)
from bot.tickets.models import as_utc
from bot.web.auth import authenticate, bearer_token
from bot.web.common import error_response, json_body, render, render_loaded, run_db
from bot.web.sessions import login_required

MAX_ITEMS_PER_CALL = 200
PAGE = 100

staff_blueprint = Blueprint("staff_hotspots", url_prefix="/staff/hotspots")
public_blueprint = Blueprint("public_hotspots", url_prefix="/hotspots")
api_blueprint = Blueprint("api_hotspots", url_prefix="/api/hotspots")
log = logging.getLogger(__name__)

DONE = {
    "confirm": "级别已确认。",
    "judge": "会商研判意见已记录。",
    "draft": "回应已起草，等待另一位人员审查。",
    "approve": "回应已审查通过，可以发布。",
    "refuse": "回应已退回，理由已记录。",
    "publish": "回应已发布，并已告知反映该事项的市民。",
    "close": "评估已记录，话题已关闭。",
}


def register(app: Sanic) -> None:
    for blueprint in (staff_blueprint, public_blueprint, api_blueprint):
        app.blueprint(blueprint)


@staff_blueprint.get("", strict_slashes=False)
@login_required("staff", "reviewer")
async def topics_page(request: Request) -> HTTPResponse:
    show_all = request.args.get("all") == "1"

    def work(session: Session) -> dict[str, Any]:
        query = select(HotspotTopic).where(HotspotTopic.status != CLOSED)
        if not show_all:
            query = query.where(HotspotTopic.status != WATCHING)
        rows = session.execute(
            query.order_by(HotspotTopic.alert_at.desc().nulls_last(), HotspotTopic.last_seen.desc()).limit(PAGE)
        ).scalars().all()
        return {"topics": [_view(row) for row in rows], "districts": district_breakdown(session)}

    return render(request, "staff/hotspots.html", show_all=show_all, **await run_db(request, work))


@staff_blueprint.get("/<topic_id:int>")
@login_required("staff", "reviewer")
async def topic_page(request: Request, topic_id: int) -> HTTPResponse:
    return await _topic_page(request, topic_id, notice=DONE.get(request.args.get("done") or "", ""))


async def _topic_page(
    request: Request, topic_id: int, notice: str = "", error: str = "", status: int = 200
) -> HTTPResponse:
    def work(session: Session) -> dict[str, Any]:
        topic = service.get_topic(session, topic_id)
        responses = session.execute(
            select(HotspotResponse)
            .where(HotspotResponse.topic_id == topic_id)
            .order_by(HotspotResponse.version)
        ).scalars().all()
        return {
            "topic": _view(topic),
            "members": service.masked_members(session, topic_id),
            "responses": responses,
            "history": audit.history(session, "hotspot", str(topic_id)),
        }

    return await render_loaded(
        request,
        "staff/hotspot.html",
        work,
        service.HotspotNotFound,
        status=status,
        notice=notice,
        error=error,
        kinds=RESPONSE_KINDS,
        checklist=publishing.checklist_items(),
        local=local,
    )


@staff_blueprint.post("/<topic_id:int>/<name:[a-z]+>")
@login_required("staff", "reviewer")
async def topic_command(request: Request, topic_id: int, name: str) -> HTTPResponse:
    principal: Principal = request.ctx.principal
    form = {key: request.form.get(key) or "" for key in request.form or {}}
    commands = {
        "confirm": lambda s: service.confirm_level(s, topic_id, principal, form.get("level", "")),
        "judge": lambda s: service.record_judgement(s, topic_id, principal, form.get("judgement", "")),
        "draft": lambda s: service.draft_response(
            s, topic_id, principal, form.get("kind", ""), form.get("text", "")
        ),
        "close": lambda s: service.close_topic(s, topic_id, principal, form.get("evaluation", "")),
    }
    response_id = _int(form.get("response"))
    if response_id is not None:
        commands.update(
            approve=lambda s: service.review_response(
                s, response_id, principal, approve=True, checklist=request.form.getlist("checklist")
            ),
            refuse=lambda s: service.review_response(
                s, response_id, principal, approve=False, reason=form.get("reason", "")
            ),
            publish=lambda s: service.publish_response(s, response_id, principal),
        )
    command = commands.get(name)
    if command is None:
        return await _topic_page(request, topic_id, error="未知的操作", status=404)
    try:
        await run_db(request, command)
    except service.HotspotError as error:
        status = 403 if isinstance(error, service.HotspotForbidden) else 404 if isinstance(
            error, service.HotspotNotFound
        ) else 400
        return await _topic_page(request, topic_id, error=str(error), status=status)
    return redirect(f"/staff/hotspots/{topic_id}?done={name}")


@public_blueprint.get("", strict_slashes=False)
async def public_page(request: Request) -> HTTPResponse:
    def work(session: Session) -> list[dict[str, Any]]:
        return [
            {
                "title": topic.title,
                "kind": RESPONSE_KINDS.get(response.kind, response.kind),
                "text": response.text,
                "responsible": topic.responsible or "",
                "published_at": local(response.published_at),
                "version": response.version,
            }
            for response, topic in service.published_responses(session)
        ]

    return render(request, "portal/hotspots.html", responses=await run_db(request, work))


@api_blueprint.post("/items")
async def import_items(request: Request) -> HTTPResponse:
    """Outside items (web posts, news, comments): {"items": [{"source", "id", "text", "time",
    "url"?, "engagement"?}, ...]}; each is stored once per source and id."""
    token = bearer_token(request)
    body = json_body(request)
    items = body.get("items")
    if not isinstance(items, list) or not items or len(items) > MAX_ITEMS_PER_CALL:
        return error_response(request, f"items 应是 1 至 {MAX_ITEMS_PER_CALL} 条的列表", 400)
    parsed, problems = [], []
    for index, raw in enumerate(items):
        try:
            parsed.append(_item(raw))
        except ValueError as error:
            problems.append({"index": index, "error": str(error)})
    if problems:
        return json_response({"error": "部分条目无效，均未保存", "problems": problems}, status=400)

    def work(session: Session) -> dict[str, int]:
        principal = authenticate(session, token)
        if not principal.can("staff", "operator"):
            raise service.HotspotForbidden("当前账号无权导入舆情信息")
        stored = sum(1 for item in parsed if service.add_item(session, item) is not None)
        return {"stored": stored, "duplicates": len(parsed) - stored}

    try:
        return json_response(await run_db(request, work))
    except service.HotspotForbidden as error:
        return error_response(request, str(error), 403)


def _item(raw: Any) -> service.ItemIn:
    if not isinstance(raw, dict):
        raise ValueError("每个条目应是 JSON 对象")
    for key in ("source", "id", "text", "time"):
        if not isinstance(raw.get(key), str | int) or raw.get(key) in ("", None):
            raise ValueError(f"缺少或错误的字段 {key}")
    text = str(raw["text"])
    if len(text) > 2000:
        raise ValueError("text 超过2000字")
    try:
        moment = datetime.fromisoformat(str(raw["time"]).replace("Z", "+00:00"))
    except ValueError:
        raise ValueError("time 不是 ISO 8601 时间") from None
    if moment.tzinfo is None:
        raise ValueError("time 须带时区")
    engagement = raw.get("engagement", 0)
    if not isinstance(engagement, int) or not 0 <= engagement < 10**9:
        raise ValueError("engagement 应是非负整数")
    return service.ItemIn(
        source=str(raw["source"])[:40],
        external_id=str(raw["id"])[:160],
        text=text,
        received_at=moment,
        url=str(raw.get("url") or "")[:500] or None,
        engagement=engagement,
    )


def _view(topic: HotspotTopic) -> dict[str, Any]:
    now = as_utc()
    left: Optional[timedelta] = (
        as_utc(topic.respond_by) - now if topic.respond_by and not topic.responded_at else None
    )
    heat = json.loads(topic.heat) if topic.heat else []
    return {
        "id": topic.id,
        "title": topic.title,
        "status": STATUS_NAMES.get(topic.status, topic.status),
        "level": topic.level or "",
        "needs_confirmation": bool(topic.needs_confirmation),
        "kind": topic.kind_name or "",
        "district": topic.district_name or "",
        "responsible": topic.responsible or "",
        "messages": topic.messages,
        "alert_at": local(topic.alert_at) if topic.alert_at else None,
        "respond_by": local(topic.respond_by) if topic.respond_by else None,
        "press_conference_by": local(topic.press_conference_by) if topic.press_conference_by else None,
        "overdue": left is not None and left.total_seconds() < 0,
        "left": _left(left),
        "supervised": bool(topic.supervised_at),
        "heat": heat,
        "spark": _spark(heat),
        "judgement": topic.judgement or "",
        "evaluation": topic.evaluation or "",
        "state": topic.status,
    }


def district_breakdown(session: Session, now: Optional[datetime] = None) -> list[dict[str, Any]]:
    """Open alerted topics per district (属地): how many, how many overdue or 督办, and the
    nearest response deadline with the time left; most topics first. One grouped query, so the
    page stays fast with thousands of open topics."""
    now = as_utc(now)
    waiting = HotspotTopic.responded_at.is_(None)
    rows = session.execute(
        select(
            HotspotTopic.district_name,
            func.count(),
            func.sum(case((waiting & (HotspotTopic.respond_by < now), 1), else_=0)),
            func.sum(case((HotspotTopic.supervised_at.is_not(None), 1), else_=0)),
            func.min(case((waiting, HotspotTopic.respond_by), else_=None)),
        )
        .where(HotspotTopic.status != CLOSED, HotspotTopic.alert_at.is_not(None))
        .group_by(HotspotTopic.district_name)
    ).all()
    most = max((count for _, count, *_ in rows), default=0) or 1
    found = []
    for name, count, overdue, supervised, nearest in rows:
        left = as_utc(nearest) - now if nearest else None
        found.append(
            {
                "name": name or "未指明",
                "open": count,
                "overdue": int(overdue or 0),
                "supervised": int(supervised or 0),
                "nearest": local(nearest) if nearest else None,
                "left": _left(left),
                "nearest_overdue": left is not None and left.total_seconds() < 0,
                "share": round(100 * count / most),
            }
        )
    return sorted(found, key=lambda row: (-row["open"], row["name"]))


def _left(left: Optional[timedelta]) -> str:
    if left is None:
        return ""
    minutes = int(abs(left.total_seconds()) // 60)
    text = f"{minutes // 60}小时{minutes % 60}分"
    return f"已超时 {text}" if left.total_seconds() < 0 else f"剩余 {text}"


def _spark(counts: list[int], width: int = 96, height: int = 20) -> str:
    """Points of an SVG polyline for messages per hour."""
    if not counts:
        return ""
    top = max(counts) or 1
    step = width / max(1, len(counts) - 1)
    return " ".join(
        f"{i * step:.1f},{height - value * height / top:.1f}" for i, value in enumerate(counts)
    )


def _int(value: Optional[str]) -> Optional[int]:
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if 0 < number < 2**31 else None
