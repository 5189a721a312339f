"""The public consultation blueprint: pages and JSON, escaped, without personal data."""

from __future__ import annotations

import asyncio
import html
import re
from contextlib import asynccontextmanager
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

import httpx
import pytest
from sanic import Sanic

from bot import clock
from bot.consultation import approve_summary, decide_opinion, draft_summary, publish_summary
from bot.consultation.models import Draft, Opinion
from bot.consultation.report import build_content, render_html, render_markdown
from bot.publishing import full_checklist
from bot.services import Services
from bot.web import public_consultation
from tests.unit.consultation_fixtures import NOW, PARKING, publish_samples

pytest_plugins = ("tests.unit.consultation_fixtures",)


@asynccontextmanager
async def serving(app: Sanic):
    """An HTTP client on the app through ASGI, after the lifespan start-up a server would send.

    `Sanic.test_mode` lets several apps start in one process; the lifespan task is cancelled
    rather than shut down because Sanic 21.12 fails after an ASGI lifespan shutdown.
    """
    inbox: asyncio.Queue = asyncio.Queue()
    outbox: asyncio.Queue = asyncio.Queue()
    scope = {"type": "lifespan", "asgi": {"version": "3.0"}}
    lifespan = asyncio.create_task(app(scope, inbox.get, outbox.put))
    await inbox.put({"type": "lifespan.startup"})
    assert (await outbox.get())["type"] == "lifespan.startup.complete"
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client
    finally:
        lifespan.cancel()
        app.ctx.services.close()


@pytest.fixture
def app(settings, db, monkeypatch, request):
    monkeypatch.setattr(Sanic, "test_mode", True)
    application = Sanic(f"consultation_{re.sub(r'[^A-Za-z0-9_]', '_', request.node.name)}")
    application.ctx.settings = settings
    application.ctx.services = Services(settings)
    public_consultation.register(application)
    with clock.frozen(NOW):
        yield application


async def test_open_drafts_and_draft_text(app, db, synced):
    with db.session() as session:
        session.get(Draft, synced[PARKING]).title = "<script>alert(1)</script>停车管理办法（示例）"
    async with serving(app) as client:
        listing = await client.get("/consultations")
        assert listing.status_code == 200
        assert (
            "&lt;script&gt;alert(1)&lt;/script&gt;" in listing.text
            and "<script>alert" not in listing.text
        )
        assert "海岛客运" in listing.text and "垃圾分类" not in listing.text
        page = await client.get(f"/consultations/{synced[PARKING]}")
        assert (
            page.status_code == 200
            and "第十二条" in page.text
            and "短时停车15分钟内免费" in page.text
        )
        assert (await client.get("/consultations/999")).status_code == 404
        api = (await client.get("/api/consultations")).json()["consultations"]
        assert {item["slug"]: item["phase"] for item in api}[PARKING] == "open"
        assert (await client.get(f"/consultations/{synced[PARKING]}/summary")).status_code == 404


async def test_published_summary_html_and_json(app, db, synced, people):
    draft_id = synced[PARKING]
    publish_samples(db, draft_id, people)
    async with serving(app) as client:
        page = await client.get(f"/consultations/{draft_id}/summary")
        assert (
            page.status_code == 200
            and "style-src 'unsafe-inline'" in page.headers["content-security-policy"]
        )
        data = (await client.get(f"/consultations/{draft_id}/summary.json")).json()
        listing = await client.get("/consultations")
    for text in (page.text, str(data)):
        assert "张伟" not in text and "13812345678" not in text and "YJ2026" not in text
    groups = [g for section in data["sections"] for g in section["groups"]]
    assert data["version"] == 1 and data["versions"] == [1] and len(groups) == 3
    assert all(g["outcome_label"] and (g["reason"] or g["outcome"] == "adopted") for g in groups)
    assert "绿色出行" in html.unescape(page.text)
    assert f"/consultations/{draft_id}/summary" in listing.text


async def test_superseded_version_stays_readable(app, db, synced, people):
    draft_id = synced[PARKING]
    publish_samples(db, draft_id, people)
    with db.session() as session:
        receipt = session.query(Opinion).filter(Opinion.clause_id.isnot(None)).first().receipt_no
        later = NOW.replace(year=2027)
        decide_opinion(session, receipt, "采纳", "", actor=people["li"], now=later)
        draft_summary(session, draft_id, actor=people["li"], now=later)
        approve_summary(
            session, draft_id, actor=people["chen"], checklist=full_checklist(), now=later
        )
        publish_summary(session, draft_id, actor=people["li"], now=later)
    async with serving(app) as client:
        old = await client.get(f"/consultations/{draft_id}/summary?version=1")
        new = await client.get(f"/consultations/{draft_id}/summary")
        assert old.status_code == 200 and "本版本已被第2版取代" in old.text
        assert "本版替代第1版" in new.text and "已被第2版取代" not in new.text
        assert (await client.get(f"/consultations/{draft_id}/summary?version=x")).status_code == 404
        assert (await client.get(f"/consultations/{draft_id}/summary.json?version=1")).json()[
            "state"
        ] == "superseded"


async def test_unreleased_drafts_are_not_public(app, db, synced):
    with db.session() as session:
        draft = session.get(Draft, synced[PARKING])
        draft.status = "draft"
    async with serving(app) as client:
        assert (await client.get(f"/consultations/{synced[PARKING]}")).status_code == 404
        api = (await client.get("/api/consultations")).json()["consultations"]
        assert PARKING not in {item["slug"] for item in api}


@pytest.mark.parametrize("today", [NOW, None], ids=["fixed", "real-date"])
async def test_open_drafts_offer_an_opinion_and_show_the_days_left(app, db, synced, today):
    moment = today or datetime.now(timezone.utc)
    with db.session() as session:
        draft = session.get(Draft, synced[PARKING])
        draft.opens_on = clock.local_day(moment) - timedelta(days=3)
        draft.closes_on = clock.local_day(moment) + timedelta(days=5)
        title = draft.display_title
    with clock.frozen(moment):
        async with serving(app) as client:
            listing = html.unescape((await client.get("/consultations")).text)
    assert "还剩 5 天截止" in listing
    assert f'href="/?say={quote("我想对《" + title + "》提意见", safe="")}"' in listing
    assert f'aria-label="提意见：《{title}》">提意见</a>' in listing


async def test_draft_page_has_a_comment_link_per_clause_and_whole_sentences(app, db, synced):
    async with serving(app) as client:
        page = html.unescape((await client.get(f"/consultations/{synced[PARKING]}")).text)
    with db.session() as session:
        draft = session.get(Draft, synced[PARKING])
        title, clauses = draft.display_title, [c.label for c in draft.clauses]
        summary = draft.summary
    for label in clauses:
        message = quote(f"我想对《{title}》{label}提意见", safe="")
        assert f'<a href="/?say={message}">对{label}提意见</a>' in page
    assert "\n" in summary.strip()
    assert summary.replace("\n", "").strip() in page.replace("\n", "")
    assert f"<p>{''.join(line.strip() for line in summary.splitlines())}</p>" in page


def test_prose_is_rejoined_only_inside_sentences():
    text = "为缓解停车难，起草了\n本办法。主要内容：\n\n一是配建；\n二是收费\n分时段。"
    assert public_consultation.paragraphs(text) == [
        "为缓解停车难，起草了本办法。主要内容：",
        "一是配建；",
        "二是收费分时段。",
    ]


async def test_published_summary_page_has_the_site_navigation(app, db, synced, people):
    draft_id = synced[PARKING]
    publish_samples(db, draft_id, people)
    async with serving(app) as client:
        page = (await client.get(f"/consultations/{draft_id}/summary")).text
    navigation = page[page.index('<nav aria-label="主导航"'): page.index("</nav>")]
    for link in ('href="/"', 'href="/policies"', 'href="/consultations"', 'href="tel:12345"'):
        assert link in navigation
    assert page.index("</nav>") < page.index("<h1>")


def test_a_summary_without_opinions_says_so(db, synced):
    with db.session() as session:
        content = build_content(session, session.get(Draft, synced[PARKING]))
    meta = {"version": 1, "published_at": "2027-01-05 10:00", "supersedes": None, "preview": False}
    page, markdown = render_html(content, meta), render_markdown(content, meta)
    for text in (page, markdown):
        assert "征求意见期间未收到意见" in text
        assert "0.0%" not in text and "占比" not in text
