"""The citizens' portal: the chat page and policy interpretations.

The chat widget (static/js/chat.js) talks only to our web service (`bot/web/chat.py`).
"""

from __future__ import annotations

from itertools import groupby

from sanic import Blueprint
from sanic.exceptions import NotFound
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.clock import local_day
from bot.policy import catalogue
from bot.policy.model import INTERPRETATION_FIELDS, Policy
from bot.threads import in_thread
from bot.web.chat import MAX_MESSAGE
from bot.web.common import render

TOC_FROM = 12
"""A policy page with more clauses than this gets a table of contents (of its titled parts)."""
TOC_TITLE_CHARS = 40

blueprint = Blueprint("portal")


@blueprint.get("/")
async def home(request: Request) -> HTTPResponse:
    return render(request, "portal/index.html", max_message=MAX_MESSAGE)


@blueprint.get("/policies")
async def policies(request: Request) -> HTTPResponse:
    kb = await in_thread(lambda: request.app.ctx.services.kb)
    filters = catalogue.Filters.from_args({k: v[0] for k, v in request.args.items() if v})
    shown, total = await in_thread(catalogue.listing, kb, filters, local_day())
    return render(
        request,
        "portal/policies.html",
        policies=shown,
        total=total,
        filters=filters,
        facets=catalogue.facets(kb),
        statuses=catalogue.STATUSES,
        pages=(total + catalogue.PAGE_SIZE - 1) // catalogue.PAGE_SIZE,
        in_force=lambda p: catalogue.in_force(kb, p, local_day()),
    )


@blueprint.get("/policies/<policy_id:[A-Za-z0-9_.-]{1,120}>")
async def policy(request: Request, policy_id: str) -> HTTPResponse:
    kb = await in_thread(lambda: request.app.ctx.services.kb)
    found = kb.policy(policy_id)
    if found is None:
        raise NotFound("没有找到该政策")
    return render(
        request,
        "portal/policy.html",
        policy=found,
        interpretation=interpretation_sections(found),
        related=catalogue.related(kb, found),
        toc=[c for c in found.clauses if c.title and len(c.title) <= TOC_TITLE_CHARS]
        if len(found.clauses) > TOC_FROM
        else [],
    )


def interpretation_sections(policy: Policy) -> list[tuple[str, list]]:
    """解读材料 grouped under its fields, in the order the city's rules list them."""
    order = {name: index for index, name in enumerate(INTERPRETATION_FIELDS)}
    ordered = sorted(policy.interpretation, key=lambda p: order.get(p.field, len(order)))
    return [(name, list(parts)) for name, parts in groupby(ordered, key=lambda p: p.field)]
