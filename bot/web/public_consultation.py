"""Public consultation pages: drafts open for comment, their text, and the published adoption
summaries (采纳情况) exactly as registered.

`register(app)` mounts:
  GET /consultations                         drafts open for comment (HTML)
  GET /consultations/<id>                    a draft's text, clause by clause (HTML)
  GET /consultations/<id>/summary[?version=N] the published summary, latest or a given version
  GET /consultations/<id>/summary.json       the same as data (every group, decision and reason)
  GET /api/consultations                     all released drafts with window, phase and counts

The summary page is the archived HTML from the publication register (with its own strict CSP:
it is self-contained, inline style and a data-URI chart), served with the site's navigation put
in front of it; an older version gets a notice that it has been superseded. List and draft
pages extend the portal's base.html; their 提意见 links open the assistant with the request
written out (`/?say=…`), naming the draft and the clause so the assistant needs not ask.
"""

from __future__ import annotations

import re
from typing import Any, Optional
from urllib.parse import quote

from sanic import Blueprint, Sanic
from sanic.exceptions import NotFound
from sanic.request import Request
from sanic.response import HTTPResponse, html
from sqlalchemy.orm import Session

from bot.clock import local_day
from bot.consultation import NotFound as ConsultationNotFound
from bot.consultation import drafts, publish
from bot.consultation.models import PHASE_LABELS, Summary
from bot.consultation.report import template_environment, to_public_json
from bot.web.common import TEMPLATES, json_response, run_db

MAX_VERSION_DIGITS = 9

SUMMARY_CSP = (
    "default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)

SITE_NAVIGATION = (
    '<nav aria-label="主导航" style="display:flex;flex-wrap:wrap;gap:.25rem 1rem;'
    'padding:.6rem 1rem;margin:0 -1.25rem 1rem;background:#1d4e89">'
    '<a href="/" style="color:#fff;font-weight:bold">舟山政务公开</a>'
    '<a href="/" style="color:#fff">智能助手</a>'
    '<a href="/policies" style="color:#fff">政策解读</a>'
    '<a href="/consultations" style="color:#fff">征求意见</a>'
    '<a href="tel:12345" style="color:#fff">热线 12345</a></nav>'
)
_SENTENCE_END = re.compile(r"[。！？；：:!?）)》”]$")

blueprint = Blueprint("public_consultation")


def register(app: Sanic) -> None:
    environment = template_environment(TEMPLATES)
    environment.filters["paragraphs"] = paragraphs
    environment.filters["say_link"] = say_link
    app.ctx.consultation_templates = environment
    app.blueprint(blueprint)


def paragraphs(text: str) -> list[str]:
    """Prose wrapped at a fixed width in its source file, back into paragraphs: a line break
    counts only after the end of a sentence (or at a blank line), never in mid-sentence."""
    result: list[str] = []
    current = ""
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            if current:
                result.append(current)
            current = ""
            continue
        current += line
        if _SENTENCE_END.search(line):
            result.append(current)
            current = ""
    if current:
        result.append(current)
    return result


def say_link(message: str) -> str:
    """The portal with `message` ready in the chat's input box."""
    return "/?say=" + quote(message, safe="")


def _page(request: Request, template: str, **context: Any) -> HTTPResponse:
    environment = request.app.ctx.consultation_templates
    page = environment.get_template(template).render(
        principal=None,
        csrf_token="",
        consultations_url=getattr(request.app.ctx, "consultations_url", "") or "/consultations",
        **context,
    )
    return html(page)


async def _db(request: Request, work):
    try:
        return await run_db(request, work)
    except ConsultationNotFound as missing:
        raise NotFound(str(missing)) from missing


@blueprint.get("/consultations", strict_slashes=False)
async def index(request: Request) -> HTTPResponse:
    def work(session: Session) -> dict[str, Any]:
        today = local_day()
        listed = drafts.list_drafts(session, today)
        return {
            "today": today,
            "open_drafts": [item for item in listed if item.phase == "open"],
            "summarised": [item for item in listed if item.phase == "summarised"],
        }

    return _page(request, "public_list.html", **await _db(request, work))


@blueprint.get("/consultations/<draft_id:int>")
async def draft_page(request: Request, draft_id: int) -> HTTPResponse:
    def work(session: Session) -> HTTPResponse:
        draft = drafts.get_draft(session, draft_id)
        published = publish.latest_summary(session, draft_id) is not None
        phase = draft.phase(local_day())
        return _page(
            request,
            "public_draft.html",
            draft=draft,
            phase_label=PHASE_LABELS[phase],
            open_for_opinions=phase == "open",
            summary_path=f"/consultations/{draft_id}/summary" if published else None,
        )

    return await _db(request, work)


@blueprint.get("/consultations/<draft_id:int>/summary")
async def summary_page(request: Request, draft_id: int) -> HTTPResponse:
    version = _version(request)

    def work(session: Session) -> tuple[str, Optional[int]]:
        record = publish.publication(session, draft_id, version)
        latest = publish.publication(session, draft_id)
        return record.html, (latest.version if latest.version != record.version else None)

    page, newer = await _db(request, work)
    if newer is not None:
        notice = (
            f'<p style="border:1px solid #e0b4b4;background:#fff6f6;padding:.75rem 1rem">'
            f"本版本已被第{newer}版取代，"
            f'<a href="/consultations/{draft_id}/summary">查看最新版本</a>。</p>'
        )
        page = page.replace("<body>", f"<body>\n{notice}", 1)
    page = page.replace("<body>", f"<body>\n{SITE_NAVIGATION}", 1)
    return html(page, headers={"Content-Security-Policy": SUMMARY_CSP})


@blueprint.get("/consultations/<draft_id:int>/summary.json")
async def summary_json(request: Request, draft_id: int) -> HTTPResponse:
    version = _version(request)

    def work(session: Session) -> dict[str, Any]:
        record = publish.publication(session, draft_id, version)
        summary = session.get(Summary, record.summary_id)
        meta = {
            **publish.publication_meta(summary, None),
            "state": summary.state,
            "content_hash": record.content_hash,
            "channel": record.channel,
            "versions": [p.version for p in publish.publications(session, draft_id)],
        }
        return to_public_json(summary.content, meta)

    return json_response(await _db(request, work))


@blueprint.get("/api/consultations")
async def api_list(request: Request) -> HTTPResponse:
    def work(session: Session) -> list[dict[str, Any]]:
        listed = drafts.list_drafts(session, local_day())
        return [
            {
                **item.to_dict(),
                "summary_path": f"{item.path}/summary" if item.phase == "summarised" else None,
            }
            for item in listed
        ]

    return json_response({"consultations": await _db(request, work)})


def _version(request: Request) -> Optional[int]:
    raw = request.args.get("version")
    if raw is None:
        return None
    if not raw.isdigit() or len(raw) > MAX_VERSION_DIGITS:
        raise NotFound("版本号无效")
    return int(raw)
