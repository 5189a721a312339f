"""依申请公开 on the web: the public application form and status page, the disclosure office's
inbox and application page (each action one call of `bot.disclosure.service` as the logged-in
account), and the staff view of every application's clock.

`register(app)` mounts:
  GET/POST /disclosure                  the application form (public), then the number and due date
  GET/POST /disclosure/status           status and 告知书 by number + last four phone digits
  GET      /department/disclosure       the office's inbox, soonest due first, with time left
  GET      /department/disclosure/<no>  one application, its history and the action forms
  POST     /department/disclosure/<no>/<action>
  GET      /staff/disclosure            every application's clock (operators, staff, admins)

The public form carries a signed one-time token that is also the idempotency key, so a double
click or a resent form stores one application. ID numbers are shown masked everywhere.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any, Callable, Optional

from sanic import Blueprint, Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, redirect
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.accounts import Principal
from bot.disclosure import clock, errors, intake, service
from bot.disclosure.models import OPEN_STATUSES, STATES, DisclosureApplication
from bot.disclosure.rules import Rules, cached_rules
from bot.privacy import mask, mask_name, mask_phone
from bot.threads import in_thread
from bot.tickets.models import as_utc
from bot.web import limits
from bot.web.common import render, run_db
from bot.web.errors import status_for
from bot.web.gate import client_address
from bot.web.sessions import csrf_token, login_required

NUMBER = r"[A-Za-z0-9-]{1,32}"
TOKEN = "submission"
MAX_FIELD = 4000
PAGE_SIZE = 100
SUBMISSIONS = limits.Rule("disclosure_submissions", 10, 10 * 60)
"""Applications per address; a status check that finds nothing counts against the same window."""
LOOKUPS = limits.Rule("disclosure_lookups", 10, 10 * 60)
FORM_FIELDS = (
    "applicant_kind",
    "applicant_name",
    "id_type",
    "id_number",
    "phone",
    "destination",
    "description",
    "authority",
    "medium",
    "delivery",
)
DONE = {
    "start": "已开始办理。",
    "correction": "补正通知已发出，答复期限暂停计算。",
    "corrected": "已登记补正内容，答复期限重新计算。",
    "transfer": "已转办，本机关不再看到该申请。",
    "extend": "已延期，申请人会收到通知。",
    "consult": "已登记征求第三方意见，答复期限暂停计算。",
    "answered": "第三方意见已回复，答复期限已顺延。",
    "reply": "已答复，告知书已生成并发送给申请人。",
}

blueprint = Blueprint("disclosure")


def register(app: Sanic) -> None:
    app.blueprint(blueprint)


def _rules(request: Request) -> Rules:
    return cached_rules(request.app.ctx.settings.knowledge_dir)


def _form(request: Request) -> dict[str, str]:
    return {key: (request.form.get(key) or "")[:MAX_FIELD] for key in (request.form or {})}


def _submission_token(request: Request, nonce: str) -> str:
    return csrf_token(request.app.ctx.settings.secret_key, "disclosure", nonce)


def _new_nonce() -> str:
    return secrets.token_urlsafe(18)


def _apply_page(request: Request, form: dict, error: str = "", problems=None, status=200):
    nonce = form.get("nonce") or _new_nonce()
    return render(
        request,
        "disclosure/apply.html",
        status=status,
        rules=_rules(request),
        form=form,
        error=error,
        problems=problems or {},
        nonce=nonce,
        signature=_submission_token(request, nonce),
    )


@blueprint.get("/disclosure", strict_slashes=False)
async def apply_form(request: Request) -> HTTPResponse:
    return _apply_page(request, {})


@blueprint.post("/disclosure", strict_slashes=False)
async def apply_submit(request: Request) -> HTTPResponse:
    form = _form(request)
    nonce, signature = form.get("nonce", ""), form.get("signature", "")
    if not nonce or len(nonce) > 64 or signature != _submission_token(request, nonce):
        form.pop("nonce", None)
        return _apply_page(request, form, "页面已过期，请重新提交", status=400)
    try:
        await limits.check(request.app.ctx.rate_windows, SUBMISSIONS, client_address(request))
    except limits.Limited:
        return _apply_page(request, form, "提交过于频繁，请稍后再试", status=429)
    rules = _rules(request)
    settings = request.app.ctx.settings
    try:
        data = intake.check_application(rules, form, settings.secret_key)
    except errors.DisclosureInvalid as error:
        return _apply_page(request, form, str(error), error.problems, status=400)
    router = await in_thread(lambda: request.app.ctx.services.router)
    department_id = await in_thread(
        intake.choose_authority, router, data.description, form.get("authority")
    )

    def work(session: Session) -> DisclosureApplication:
        return service.create_application(
            session,
            rules,
            data,
            department_id=department_id,
            channel="portal",
            idempotency_key=f"portal:{nonce}",
        )

    try:
        application = await run_db(request, work)
    except errors.DisclosureRepeated as repeated:
        return _apply_page(request, form, str(repeated), status=409)
    return render(
        request,
        "disclosure/applied.html",
        number=application.number,
        due_at=application.due_at,
        organ=service.department_name(request.app.ctx.catalogue, application.department_id),
    )


@blueprint.route("/disclosure/status", methods=["GET", "POST"])
async def status_page(request: Request) -> HTTPResponse:
    form = _form(request) if request.method == "POST" else {}
    result, error = None, ""
    if request.method == "POST":
        try:
            await limits.check(
                request.app.ctx.rate_windows, LOOKUPS, client_address(request), record=False
            )
        except limits.Limited:
            return render(
                request,
                "disclosure/status.html",
                status=429,
                form=form,
                result=None,
                error="查询过于频繁，请稍后再试",
            )
        number, last4 = form.get("number", "")[:32], form.get("last4", "")[:8]
        result = await run_db(
            request,
            lambda s: service.lookup(s, number, last4, catalogue=request.app.ctx.catalogue),
        )
        if result is None:
            await request.app.ctx.rate_windows.hit(LOOKUPS, client_address(request))
            error = "没有找到该申请，或手机号后四位不一致"
    return render(
        request,
        "disclosure/status.html",
        status=404 if error else 200,
        form=form,
        result=result,
        error=error,
    )


Command = Callable[[Session, str, Principal], DisclosureApplication]


def _start(request: Request, form: dict) -> Command:
    return lambda s, number, actor: service.start(s, number, actor)


def _correction(request: Request, form: dict) -> Command:
    rules, note = _rules(request), form.get("note", "")
    return lambda s, number, actor: service.request_correction(s, rules, number, actor, note=note)


def _corrected(request: Request, form: dict) -> Command:
    rules, supplement = _rules(request), form.get("supplement", "")
    return lambda s, number, actor: service.complete_correction(
        s, rules, number, actor, supplement=supplement
    )


def _transfer(request: Request, form: dict) -> Command:
    catalogue = request.app.ctx.catalogue
    named = form.get("organ", "")[:80]
    body = catalogue.resolve(named)
    department_id, reason = (body.id if body else named), form.get("reason", "")
    return lambda s, number, actor: service.transfer(
        s, number, actor, department_id=department_id, reason=reason, catalogue=catalogue
    )


def _extend(request: Request, form: dict) -> Command:
    raw = (form.get("days") or "").strip()
    if not raw.isdigit() or len(raw) > 3:
        raise errors.DisclosureInvalid("延长天数必须是整数")
    rules, days = _rules(request), int(raw)
    reason, approver = form.get("reason", ""), form.get("approver", "")
    return lambda s, number, actor: service.extend(
        s, rules, number, actor, days=days, reason=reason, approver=approver
    )


def _consult(request: Request, form: dict) -> Command:
    note = form.get("note", "")
    return lambda s, number, actor: service.consult_third_party(s, number, actor, note=note)


def _answered(request: Request, form: dict) -> Command:
    note = form.get("note", "")
    return lambda s, number, actor: service.third_party_answered(s, number, actor, note=note)


def _reply(request: Request, form: dict) -> Command:
    rules, catalogue = _rules(request), request.app.ctx.catalogue
    given = {key: form.get(key, "") for key in ("where", "reason", "organ")}
    reply_type = form.get("reply_type", "")
    return lambda s, number, actor: service.reply(
        s, rules, number, actor, reply_type=reply_type, catalogue=catalogue, **given
    )


ACTIONS: dict[str, Callable[[Request, dict], Command]] = {
    "start": _start,
    "correction": _correction,
    "corrected": _corrected,
    "transfer": _transfer,
    "extend": _extend,
    "consult": _consult,
    "answered": _answered,
    "reply": _reply,
}


@blueprint.get("/department/disclosure", strict_slashes=False)
@login_required("department")
async def inbox(request: Request) -> HTTPResponse:
    principal: Principal = request.ctx.principal
    show_all = request.args.get("status") == "all"
    catalogue = request.app.ctx.catalogue

    def work(session: Session) -> tuple[list[dict], int]:
        conditions = [DisclosureApplication.department_id == principal.department_id]
        if not show_all:
            conditions.append(DisclosureApplication.status.in_(OPEN_STATUSES))
        total = session.execute(
            select(func.count()).select_from(DisclosureApplication).where(*conditions)
        ).scalar_one()
        rows = session.execute(
            select(DisclosureApplication)
            .where(*conditions)
            .order_by(DisclosureApplication.due_at, DisclosureApplication.id)
            .limit(PAGE_SIZE)
        ).scalars()
        now = as_utc()
        return [application_view(a, catalogue, now) for a in rows], total

    applications, total = await run_db(request, work)
    return render(
        request,
        "disclosure/inbox.html",
        applications=applications,
        total=total,
        show_all=show_all,
        department=service.department_name(catalogue, principal.department_id),
    )


@blueprint.get("/staff/disclosure", strict_slashes=False)
@login_required("operator", "staff")
async def clocks(request: Request) -> HTTPResponse:
    catalogue = request.app.ctx.catalogue

    def work(session: Session) -> tuple[list[dict], int]:
        open_only = DisclosureApplication.status.in_(OPEN_STATUSES)
        total = session.execute(
            select(func.count()).select_from(DisclosureApplication).where(open_only)
        ).scalar_one()
        rows = session.execute(
            select(DisclosureApplication)
            .where(open_only)
            .order_by(DisclosureApplication.due_at, DisclosureApplication.id)
            .limit(PAGE_SIZE)
        ).scalars()
        now = as_utc()
        return [application_view(a, catalogue, now) for a in rows], total

    applications, total = await run_db(request, work)
    return render(request, "disclosure/clocks.html", applications=applications, total=total)


@blueprint.get(f"/department/disclosure/<number:{NUMBER}>")
@login_required("department", "operator", "staff")
async def application_page(request: Request, number: str) -> HTTPResponse:
    return await _application_page(
        request, number, notice=DONE.get(request.args.get("done") or "", "")
    )


@blueprint.post(f"/department/disclosure/<number:{NUMBER}>/<name:[a-z]+>")
@login_required("department")
async def act(request: Request, number: str, name: str) -> HTTPResponse:
    action = ACTIONS.get(name)
    if action is None:
        return await _application_page(request, number, error="未知的操作", status=404)
    principal: Principal = request.ctx.principal
    form = _form(request)
    try:
        command = action(request, form)
        await run_db(request, lambda s: command(s, number, principal))
    except errors.DisclosureError as error:
        return await _application_page(
            request, number, error=str(error), status=status_for(error) or 400, form=form
        )
    if name == "transfer":
        return redirect(f"/department/disclosure?done={name}")
    return redirect(f"/department/disclosure/{number}?done={name}")


async def _application_page(
    request: Request,
    number: str,
    notice: str = "",
    error: str = "",
    status: int = 200,
    form: Optional[dict] = None,
) -> HTTPResponse:
    principal: Principal = request.ctx.principal
    catalogue = request.app.ctx.catalogue

    def work(session: Session) -> tuple[dict, list[dict]]:
        application = service.get_application(session, number, principal)
        events = [
            {
                "at": event.at,
                "actor": event.actor,
                "action": service.EVENT_LABELS.get(
                    event.action.removeprefix("disclosure."), event.action
                ),
                "note": (event.detail or {}).get("note") or "",
            }
            for event in service.history(session, application.number)
        ]
        return application_view(application, catalogue, as_utc(), full=True), events

    try:
        application, history = await run_db(request, work)
    except errors.DisclosureNotFound as missing:
        return render(request, "error.html", status=404, message=str(missing), status_code=404)
    return render(
        request,
        "disclosure/application.html",
        status=status,
        application=application,
        history=history,
        notice=notice,
        error=error,
        form=form or {},
        rules=_rules(request),
        own=principal.role == "department"
        and principal.department_id == application["department_id"],
    )


def application_view(
    application: DisclosureApplication, catalogue, now: datetime, full: bool = False
) -> dict[str, Any]:
    """What a console shows: name and phone masked, the ID number only ever masked."""
    running = application.status in OPEN_STATUSES
    paused = running and application.status not in ("received", "processing")
    left = clock.working_days_left(application.due_at, now) if running else None
    if left is None:
        level = "done"
    elif paused:
        level = "ok"
    elif left < 0:
        level = "overdue"
    elif left <= 3:
        level = "soon"
    else:
        level = "ok"
    view = {
        "number": application.number,
        "status": application.status,
        "status_label": application.state.label,
        "organ": service.department_name(catalogue, application.department_id),
        "department_id": application.department_id,
        "applicant_kind": application.applicant_kind,
        "applicant": mask_name(application.applicant_name),
        "description": mask(application.description),
        "created_at": application.created_at,
        "due_at": application.due_at,
        "paused": paused,
        "left": left,
        "level": level,
        "supervised": application.supervised,
        "extended": bool(application.extension_days),
    }
    if full:
        view.update(
            id_masked=application.id_masked,
            phone=mask_phone(application.phone),
            email=mask(application.email or ""),
            address=mask(application.address or ""),
            medium=application.medium,
            delivery=application.delivery,
            channel=application.channel,
            correction_note=application.correction_note or "",
            correction_due_at=application.correction_due_at,
            extension=(
                f"{application.extension_days} 个工作日 · {application.extension_reason}"
                f" · 批准人 {application.extension_approver}"
                if application.extension_days
                else ""
            ),
            reply_type=application.reply_type or "",
            document=application.document or "",
            states=STATES,
        )
    return view

