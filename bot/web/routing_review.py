"""The router's reasons and operators' corrections, for the 12345 operator console.

    GET  /operator/routing/explain?q=<text>   the words that decided category, district and
                                              emergency (an HTML block for the console)
    POST /operator/routing/corrections        {"text", "type", "category", "department_id",
                                              "jurisdiction", "ticket_number", "note"}: store the
                                              operator's correction as a training example

Tickets an operator files with another type, category or department than the router's are
recorded as corrections by the console's ticket endpoint too (`record_ticket_correction`).
"""

from __future__ import annotations

from typing import Any, Optional

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.orm import Session

from bot.threads import in_thread
from bot.tickets import corrections
from bot.tickets.catalogue import Catalogue
from bot.tickets.models import TICKET_TYPES
from bot.tickets.routing import RoutingResult
from bot.tickets.service import is_department
from bot.web.common import json_body, json_response, render, run_db
from bot.web.sessions import login_required

MAX_TEXT = 5000
MAX_NOTE = 1000

blueprint = Blueprint("routing_review", url_prefix="/operator/routing")


@blueprint.get("/explain")
@login_required("operator")
async def explain(request: Request) -> HTTPResponse:
    text = (request.args.get("q") or "")[:MAX_TEXT]
    routing = await in_thread(request.app.ctx.services.router.route, text)
    return render(request, "operator/_routing_explain.html", routing=routing.to_dict())


@blueprint.post("/corrections")
@login_required("operator")
async def correct(request: Request) -> HTTPResponse:
    data = json_body(request)
    text = str(data.get("text") or "")[:MAX_TEXT]
    catalogue: Catalogue = request.app.ctx.catalogue
    problem = _problem(data, text, catalogue)
    if problem:
        return json_response({"error": problem}, 400)
    routed = await in_thread(request.app.ctx.services.router.route, text)
    corrected = {
        key: (str(data[key])[:64] or None) for key in corrections.CORRECTED if key in data
    }
    operator = request.ctx.principal.actor

    def work(session: Session) -> Optional[int]:
        row = corrections.record(
            session,
            routed,
            corrected,
            operator,
            ticket_number=str(data.get("ticket_number") or "")[:32] or None,
            note=str(data.get("note") or "")[:MAX_NOTE] or None,
        )
        return row.id if row else None

    correction_id = await run_db(request, work)
    if correction_id is None:
        return json_response({"id": None, "unchanged": True})
    return json_response({"id": correction_id}, 201)


def record_ticket_correction(
    session: Session, routed: RoutingResult, filed: RoutingResult, operator: str, number: str
) -> None:
    """Store what an operator changed of the router's route when filing a ticket."""
    corrections.record(
        session,
        routed,
        {key: getattr(filed, key) for key in corrections.CORRECTED},
        operator,
        ticket_number=number,
    )


def _problem(data: dict[str, Any], text: str, catalogue: Catalogue) -> str:
    """What is wrong with a correction, in Chinese; empty when it is fine."""
    if not text.strip():
        return "缺少字段 text"
    if data.get("type") and data["type"] not in TICKET_TYPES:
        return f"工单类型必须是 {'、'.join(TICKET_TYPES)} 之一"
    if data.get("category") and data["category"] not in {f.id for f in catalogue.functions}:
        return f"未知的分类：{data['category']}"
    if data.get("department_id") and not is_department(catalogue, str(data["department_id"])):
        return f"未知的承办单位：{data['department_id']}"
    if not any(key in data for key in corrections.CORRECTED):
        return "请至少更正 type、category、department_id 或 jurisdiction 之一"
    return ""
