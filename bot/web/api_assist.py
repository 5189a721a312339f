"""Help for the 12345 operator while a caller talks: suggested answers and a pre-filled ticket.

    GET  /api/assist?q=<what the caller says>   {"answers": Answer.to_dict(), "ticket": routing,
                                                 "intent", "topic", "prefill"}
    POST /api/assist/feedback                   record what the operator did with a suggestion

Both need an operator's login session (the feedback POST its CSRF token in `X-CSRF-Token`).
"""

from __future__ import annotations

from typing import Any

from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse
from sqlalchemy.orm import Session

from bot.db import utcnow
from bot.privacy import mask
from bot.threads import in_thread
from bot.web import topics
from bot.web.common import json_body, json_response, run_db
from bot.web.models import FEEDBACK_ACTIONS, SuggestionFeedback
from bot.web.sessions import login_required

MAX_QUESTION = 2000
MAX_SUGGESTION = 4000

blueprint = Blueprint("assist_api", url_prefix="/api/assist")


@blueprint.get("", strict_slashes=False)
@login_required("operator")
async def assist(request: Request) -> HTTPResponse:
    question = (request.args.get("q") or "")[:MAX_QUESTION]
    services = request.app.ctx.services
    answer = await in_thread(lambda: services.kb.ask(question, top_k=3))
    routing = await in_thread(lambda: services.router.route(question))
    intent = await topics.intent_of(request.app, question)
    prefill = intent in topics.COMPLAINT_INTENTS if intent else not answer.confident
    return json_response(
        {
            "answers": answer.to_dict(),
            "ticket": routing.to_dict(),
            "intent": intent,
            "topic": topics.intent_label(intent),
            "prefill": prefill,
        }
    )


@blueprint.post("/feedback")
@login_required("operator")
async def feedback(request: Request) -> HTTPResponse:
    data = json_body(request)
    problem = _feedback_problem(data)
    if problem:
        return json_response({"error": problem}, 400)
    operator = request.ctx.principal.actor

    def work(session: Session) -> int:
        row = SuggestionFeedback(
            at=utcnow(),
            operator=operator,
            question=mask(str(data["question"]))[:MAX_QUESTION],
            policy_id=str(data["policy_id"])[:120],
            clause_id=str(data.get("clause_id") or "")[:32] or None,
            suggestion=str(data["suggestion"])[:MAX_SUGGESTION],
            action=data["action"],
            final_text=str(data.get("final_text") or "")[:MAX_SUGGESTION] or None,
        )
        session.add(row)
        session.flush()
        return row.id

    return json_response({"id": await run_db(request, work)}, 201)


def _feedback_problem(data: dict[str, Any]) -> str:
    """What is wrong with a feedback record, in Chinese; empty when it is fine."""
    if data.get("action") not in FEEDBACK_ACTIONS:
        return f"action 必须是 {', '.join(FEEDBACK_ACTIONS)} 之一"
    for name in ("question", "policy_id", "suggestion"):
        if not str(data.get(name) or "").strip():
            return f"缺少字段 {name}"
    if data["action"] == "edited" and not str(data.get("final_text") or "").strip():
        return "修改后采用时必须提交修改后的答复"
    return ""
