"""The scorecard on the web: a staff page (trend charts as inline SVG, sortable tables, the
records behind each figure), monthly submission of the city figures for review, and the public
page showing what was reviewed and registered (never computed on the fly for the public)."""

from __future__ import annotations

import json
import re
from typing import Any, Optional

from sanic import Blueprint, Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, redirect
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import publishing
from bot.clock import now as clock_now
from bot.publishing.models import RegisterRecord
from bot.publishing.register import latest
from bot.scorecard import AREAS, DEFINITIONS, NO_DATA, Scorecard, drill_down, snapshot, trend
from bot.scorecard.compute import today_month
from bot.web.common import error_response, render, run_db
from bot.web.sessions import login_required

MONTH = re.compile(r"20\d\d-(0[1-9]|1[0-2])")
KIND = "scorecard"
CHART_WIDTH, CHART_HEIGHT, CHART_PAD = 360, 120, 20

blueprint = Blueprint("scorecard", url_prefix="/")


def register(app: Sanic) -> None:
    """Add the pages (every request passes the per-address rate limit of `bot.web.gate`)."""
    app.blueprint(blueprint)


def reference(month: str) -> str:
    return f"city:{month}"


def public_content(card: Scorecard) -> dict[str, Any]:
    """What is reviewed and published: the city-level figures of the month, with definitions."""
    return {
        "month": card.month,
        "counted_at": card.as_of.isoformat(timespec="seconds"),
        "figures": [
            {**figure.as_dict(), "explanation": figure.definition.explanation}
            for figure in card.city
        ],
    }


@blueprint.get("/staff/scorecard")
@login_required("staff", "reviewer")
async def staff_page(request: Request) -> HTTPResponse:
    month = _month(request.args.get("month"))
    if month is None:
        return error_response(request, "月份格式应为 YYYY-MM", 400)
    sort = request.args.get("sort") or ""
    descending = request.args.get("dir") != "asc"
    knowledge = request.app.ctx.settings.knowledge_dir

    def work(session: Session) -> dict[str, Any]:
        cards = trend(session, month, knowledge)
        submitted = publishing.latest_item(session, KIND, reference(month))
        stored_at = snapshot.counted_at(session, [card.month for card in cards])
        return {"cards": cards, "submitted": submitted, "stored_at": stored_at}

    found = await run_db(request, work)
    card: Scorecard = found["cards"][-1]
    departments = _sorted(card.departments, sort, descending)
    return render(
        request,
        "scorecard/staff.html",
        month=month,
        card=card,
        departments=departments,
        charts=[_chart(found["cards"], d.key) for d in DEFINITIONS if d.denominator],
        definitions=DEFINITIONS,
        areas=AREAS,
        sort=sort,
        descending=descending,
        submitted=found["submitted"],
        stored_at=found["stored_at"],
        notice="已送审，审查通过后发布。" if request.args.get("done") == "submit" else "",
    )


@blueprint.post("/staff/scorecard/submit")
@login_required("staff")
async def submit(request: Request) -> HTTPResponse:
    month = _month((request.form.get("month") or "").strip())
    if month is None:
        return error_response(request, "月份格式应为 YYYY-MM", 400)
    principal = request.ctx.principal
    knowledge = request.app.ctx.settings.knowledge_dir

    def work(session: Session) -> int:
        card = trend(session, month, knowledge)[-1]
        return publishing.submit(
            session,
            KIND,
            reference(month),
            public_content(card),
            "city.government_office",
            principal.actor,
            title=f"舟山市政务公开考核指标（{month}）",
        ).id

    try:
        await run_db(request, work)
    except publishing.PublishingError as refused:
        return error_response(request, str(refused), 400)
    return redirect(f"/staff/scorecard?month={month}&done=submit")


@blueprint.get("/staff/scorecard/records")
@login_required("staff", "reviewer")
async def records(request: Request) -> HTTPResponse:
    month = _month(request.args.get("month"))
    key, part = request.args.get("key") or "", request.args.get("part") or ""
    unit = (request.args.get("unit") or "")[:120]
    if month is None or key not in {d.key for d in DEFINITIONS}:
        return error_response(request, "请求的指标不存在", 400)
    knowledge = request.app.ctx.settings.knowledge_dir
    rows = await run_db(
        request, lambda session: drill_down(session, month, key, part, knowledge, unit)
    )
    definition = next(d for d in DEFINITIONS if d.key == key)
    return render(
        request,
        "scorecard/records.html",
        month=month,
        definition=definition,
        part=part,
        unit=unit,
        rows=rows,
        areas=AREAS,
    )


@blueprint.get("/scorecard")
async def public_latest(request: Request) -> HTTPResponse:
    return await _public(request, None)


@blueprint.get("/scorecard/<month:[0-9-]+>")
async def public_month(request: Request, month: str) -> HTTPResponse:
    if _month(month) is None:
        return error_response(request, "月份格式应为 YYYY-MM", 404)
    return await _public(request, month)


async def _public(request: Request, month: Optional[str]) -> HTTPResponse:
    def work(session: Session) -> dict[str, Any]:
        published = session.execute(
            select(RegisterRecord.reference)
            .where(RegisterRecord.kind == KIND)
            .distinct()
            .order_by(RegisterRecord.reference.desc())
        ).scalars()
        months = [ref.split(":", 1)[1] for ref in published]
        chosen = month or (months[0] if months else None)
        record = latest(session, KIND, reference(chosen)) if chosen else None
        return {"months": months, "record": record}

    found = await run_db(request, work)
    record = found["record"]
    if month and record is None:
        return error_response(request, f"{month} 的考核指标尚未公布", 404)
    content = json.loads(record.content) if record else None
    return render(
        request,
        "scorecard/public.html",
        record=record,
        content=content,
        months=found["months"],
        areas=AREAS,
    )


def _month(given: Optional[str]) -> Optional[str]:
    if not given:
        return today_month(clock_now())
    return given if MONTH.fullmatch(given) else None


def _sorted(departments, key: str, descending: bool):
    """Departments by one figure (ratio, or count); "—" last whichever the direction."""
    if key not in {d.key for d in DEFINITIONS}:
        return departments

    def value(entry) -> float:
        figure = next(f for f in entry[1] if f.definition.key == key)
        return figure.numerator if figure.denominator is None else (figure.ratio or 0.0)

    measured = [d for d in departments if _figure(d[1], key).shown != NO_DATA]
    unmeasured = [d for d in departments if _figure(d[1], key).shown == NO_DATA]
    return sorted(measured, key=value, reverse=descending) + unmeasured


def _figure(figures, key):
    return next(f for f in figures if f.definition.key == key)


def _chart(cards: list[Scorecard], key: str) -> dict[str, Any]:
    """A rate's twelve months as SVG polyline points; months without data leave a gap."""
    step = (CHART_WIDTH - 2 * CHART_PAD) / max(1, len(cards) - 1)
    segments: list[list[str]] = [[]]
    dots = []
    for index, card in enumerate(cards):
        figure = _figure(card.city, key)
        x = CHART_PAD + index * step
        if figure.ratio is None:
            if segments[-1]:
                segments.append([])
            continue
        y = CHART_HEIGHT - CHART_PAD - figure.ratio * (CHART_HEIGHT - 2 * CHART_PAD)
        segments[-1].append(f"{x:.1f},{y:.1f}")
        dots.append(
            {
                "x": f"{x:.1f}",
                "y": f"{y:.1f}",
                "title": f"{card.month}：{figure.shown}（{figure.numerator}/{figure.denominator}）",
            }
        )
    return {
        "key": key,
        "label": _figure(cards[-1].city, key).definition.label,
        "lines": [" ".join(points) for points in segments if points],
        "dots": dots,
        "first": cards[0].month,
        "last": cards[-1].month,
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
    }
