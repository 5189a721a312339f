"""`python -m bot consult ...`: drafts, grouping, decisions, review and publication for staff,
and `python -m bot eval grouping FILE` to measure the grouping threshold.

Commands that change state act as a named account (`--as USERNAME`, looked up in the users table)
so the traceability log says who did it; the usual order after a comment window closes is
group → decide → summarise → approve (another person, reviewer role) → publish.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any, Callable, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.accounts import Principal, User, principal_of
from bot.clock import local_day
from bot.config import Settings
from bot.consultation import decisions, drafts, grouping, opinions, publish, report
from bot.consultation.forms import ConsultationError
from bot.consultation.models import Summary
from bot.db import Database
from bot.publishing import checklist_from_confirmations


def _today(args: argparse.Namespace) -> date:
    return args.today or local_day()


def _principal(session: Session, username: str) -> Principal:
    user = session.execute(
        select(User).where(User.username == username, User.active.is_(True))
    ).scalar_one_or_none()
    if user is None:
        raise ConsultationError(f"没有名为 {username} 的有效账号")
    return principal_of(user)


def _run(settings: Settings, work: Callable[[Session], int]) -> int:
    """Run `work` in one transaction; a refused command prints its reason and exits 1."""
    database = Database(settings.database_url)
    try:
        with database.session() as session:
            return work(session)
    except ConsultationError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    finally:
        database.dispose()


def _print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _list(args: argparse.Namespace, settings: Settings) -> int:
    def work(session: Session) -> int:
        items = drafts.list_drafts(session, _today(args), include_unreleased=args.all)
        if args.json:
            _print_json([item.to_dict() for item in items])
            return 0
        if not items:
            print("没有征求意见稿。先运行 python -m bot consult sync")
        for item in items:
            print(
                f"{item.id:>3}  {item.phase_label:<8} {item.opens_on} ~ {item.closes_on}  "
                f"{item.opinion_count:>6} 条意见  {item.title}"
            )
        return 0

    return _run(settings, work)


def _show(args: argparse.Namespace, settings: Settings) -> int:
    def work(session: Session) -> int:
        draft = drafts.resolve_draft(session, args.draft, public=False)
        clauses = [
            {"label": c.label, "title": c.title, "heading": c.heading, "text": c.text}
            for c in draft.clauses
        ]
        if args.json:
            _print_json({**drafts.info(draft, _today(args)).to_dict(), "clauses": clauses})
            return 0
        print(f"{draft.id} 《{draft.display_title}》 {draft.department} {draft.window_text}")
        for clause in clauses:
            print(f"  {clause['label']:<10} {clause['title']} {clause['text'][:60]}")
        return 0

    return _run(settings, work)


def _sync(args: argparse.Namespace, settings: Settings) -> int:
    def work(session: Session) -> int:
        result = drafts.sync_drafts(session, settings.knowledge_dir)
        print(
            f"新增 {len(result.created)}，更新 {len(result.updated)}，未变 {len(result.unchanged)}，"
            f"出错 {len(result.errors)}"
        )
        for name, message in result.errors:
            print(f"  {name}: {message}", file=sys.stderr)
        return 1 if result.errors else 0

    return _run(settings, work)


def _import(args: argparse.Namespace, settings: Settings) -> int:
    def work(session: Session) -> int:
        draft = drafts.import_draft(
            session,
            Path(args.file),
            settings.knowledge_dir,
            department=args.department,
            title=args.title,
            opens_on=args.start,
            closes_on=args.end,
            contact=args.contact,
            summary=args.summary,
            slug=args.slug,
            short_window_reason=args.short_window_reason,
            status="open" if args.open else "draft",
            overwrite=args.overwrite,
            actor="staff:cli",
        )
        print(
            f"已导入 {draft.id} 《{draft.title}》：{len(draft.clauses)} 个条款，"
            f"{draft.window_text}，状态 {draft.status}；文件 knowledge/{draft.source}"
        )
        for clause in draft.clauses:
            print(f"  {clause.label:<10} {clause.title} {clause.text[:40]}")
        return 0

    return _run(settings, work)


def _group(args: argparse.Namespace, settings: Settings) -> int:
    def work(session: Session) -> int:
        actor = _principal(session, args.as_user)
        draft = drafts.resolve_draft(session, args.draft, public=False)
        result = grouping.group_opinions(session, draft.id, actor=actor, threshold=args.threshold)
        print(
            f"《{draft.title}》：{result.opinions} 条意见归为 {result.groups} 组"
            f"（保留已决定的 {result.kept_groups} 组），阈值 {result.threshold}，用时 {result.seconds} 秒"
        )
        for group in decisions.undecided_groups(session, draft.id)[: args.show]:
            print(f"  组 {group.id:>6}  {group.size:>6} 条  {group.keywords}")
        return 0

    return _run(settings, work)


def _decide(args: argparse.Namespace, settings: Settings) -> int:
    def work(session: Session) -> int:
        actor = _principal(session, args.as_user)
        if args.group is not None:
            group = decisions.decide_group(
                session, args.group, args.outcome, args.reason, actor=actor
            )
        else:
            group = decisions.decide_opinion(
                session, args.receipt, args.outcome, args.reason, actor=actor
            )
        print(f"组 {group.id}（{group.size} 条意见）：{args.outcome} 已记录")
        return 0

    return _run(settings, work)


def _summarise(args: argparse.Namespace, settings: Settings) -> int:
    def work(session: Session) -> int:
        actor = _principal(session, args.as_user)
        draft = drafts.resolve_draft(session, args.draft, public=False)
        summary = publish.draft_summary(session, draft.id, actor=actor)
        print(
            f"第{summary.version}版采纳情况已起草，待审核（内容摘要 {summary.content_hash[:12]}）"
        )
        return 0

    return _run(settings, work)


def _approve(args: argparse.Namespace, settings: Settings) -> int:
    def work(session: Session) -> int:
        actor = _principal(session, args.as_user)
        draft = drafts.resolve_draft(session, args.draft, public=False)
        if args.return_note:
            summary = publish.return_summary(session, draft.id, actor=actor, note=args.return_note)
            print(f"第{summary.version}版采纳情况已退回：{summary.review_note}")
        else:
            summary = publish.approve_summary(
                session,
                draft.id,
                actor=actor,
                checklist=checklist_from_confirmations(args.confirm),
                note=args.note,
            )
            print(f"第{summary.version}版采纳情况审核通过，可以发布")
        return 0

    return _run(settings, work)


def _publish(args: argparse.Namespace, settings: Settings) -> int:
    def work(session: Session) -> int:
        actor = _principal(session, args.as_user)
        draft = drafts.resolve_draft(session, args.draft, public=False)
        record = publish.publish_summary(
            session,
            draft.id,
            actor=actor,
            channel=args.channel,
            public_base_url=settings.public_base_url,
        )
        print(
            f"已发布第{record.version}版采纳情况（发布登记 {record.id}，内容摘要 "
            f"{record.content_hash[:12]}，审核人 {record.reviewer}）："
            f"{settings.public_base_url}/consultations/{draft.id}/summary"
        )
        return 0

    return _run(settings, work)


def _report(args: argparse.Namespace, settings: Settings) -> int:
    def work(session: Session) -> int:
        draft = drafts.resolve_draft(session, args.draft, public=False)
        if args.published or args.version:
            record = publish.publication(session, draft.id, args.version)
            summary = session.get(Summary, record.summary_id)
            content = summary.content
            meta = {**publish.publication_meta(summary, None), "content_hash": record.content_hash}
            html: Optional[str] = record.html
        else:
            content = report.build_content(session, draft)
            meta = {"version": None, "published_at": None, "supersedes": None, "preview": True}
            html = None
        if args.format == "json":
            text = json.dumps(report.to_public_json(content, meta), ensure_ascii=False, indent=2)
        elif args.format == "md":
            text = report.render_markdown(content, meta)
        else:
            text = html or report.render_html(content, meta)
        if args.out:
            Path(args.out).write_text(text, encoding="utf-8")
        else:
            print(text)
        return 0

    return _run(settings, work)


def _lookup(args: argparse.Namespace, settings: Settings) -> int:
    def work(session: Session) -> int:
        print(opinions.lookup_opinion(session, args.receipt).message)
        return 0

    return _run(settings, work)


def _eval_grouping(args: argparse.Namespace, settings: Settings) -> int:
    if args.sweep:
        thresholds = [round(0.03 + 0.01 * i, 2) for i in range(15)]
    else:
        thresholds = [args.threshold]
    total, groups, scores = grouping.evaluate(Path(args.file), thresholds)
    if args.json:
        _print_json({"opinions": total, "groups": groups, "scores": [s.__dict__ for s in scores]})
        return 0
    print(f"{total} 条意见，人工标注 {groups} 组")
    print("threshold  precision  recall     F1    ARI  groups")
    for score in scores:
        mark = "  ← default" if score.threshold == grouping.DEFAULT_THRESHOLD else ""
        print(
            f"{score.threshold:>9.2f}  {score.precision:>9.3f}  {score.recall:>6.3f}  "
            f"{score.f1:>5.3f}  {score.ari:>5.3f}  {score.groups:>6}{mark}"
        )
    return 0


def register(commands) -> None:
    consult = commands.top.add_parser("consult", help="public consultation (征求意见)")
    sub = consult.add_subparsers(dest="consult_command", metavar="ACTION")
    sub.required = True

    def with_user(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
        parser.add_argument("--as", dest="as_user", required=True, metavar="USERNAME")
        return parser

    listing = sub.add_parser("list", help="drafts with their windows and opinion counts")
    listing.add_argument("--json", action="store_true")
    listing.add_argument("--all", action="store_true", help="include unreleased drafts")
    listing.add_argument("--today", type=date.fromisoformat, help=argparse.SUPPRESS)
    listing.set_defaults(handler=_list)

    show = sub.add_parser("show", help="a draft's clauses")
    show.add_argument("draft", help="number, slug or part of the title")
    show.add_argument("--json", action="store_true")
    show.add_argument("--today", type=date.fromisoformat, help=argparse.SUPPRESS)
    show.set_defaults(handler=_show)

    sub.add_parser("sync", help="load knowledge/drafts/*.yml into the database").set_defaults(
        handler=_sync
    )

    imp = sub.add_parser("import-draft", help="import a .txt/.md/.html draft")
    imp.add_argument("file")
    imp.add_argument("--department", required=True)
    imp.add_argument("--title")
    imp.add_argument("--start", type=date.fromisoformat, help="YYYY-MM-DD, default today")
    imp.add_argument("--end", type=date.fromisoformat, help="YYYY-MM-DD, default start + 29 days")
    imp.add_argument("--contact", default="")
    imp.add_argument("--summary", default="")
    imp.add_argument("--slug", help="file name in knowledge/drafts/ (a-z, 0-9, -)")
    imp.add_argument("--short-window-reason", help="required for windows under 30 days")
    imp.add_argument(
        "--open", action="store_true", help="release for comment (default: unreleased)"
    )
    imp.add_argument("--overwrite", action="store_true")
    imp.set_defaults(handler=_import)

    grp = with_user(sub.add_parser("group", help="group similar opinions of a draft"))
    grp.add_argument("draft")
    grp.add_argument("--threshold", type=float, default=grouping.DEFAULT_THRESHOLD)
    grp.add_argument("--show", type=int, default=20, help="undecided groups to list")
    grp.set_defaults(handler=_group)

    dec = with_user(sub.add_parser("decide", help="decide a group or a single opinion"))
    target = dec.add_mutually_exclusive_group(required=True)
    target.add_argument("--group", type=int)
    target.add_argument("--receipt")
    dec.add_argument(
        "--outcome",
        required=True,
        help="adopted | partially_adopted | not_adopted | not_applicable",
    )
    dec.add_argument("--reason", default="")
    dec.set_defaults(handler=_decide)

    summ = with_user(sub.add_parser("summarise", help="draft the adoption summary for review"))
    summ.add_argument("draft")
    summ.set_defaults(handler=_summarise)

    approve = with_user(sub.add_parser("approve", help="review the summary (reviewer role)"))
    approve.add_argument("draft")
    approve.add_argument("--note", default="")
    approve.add_argument(
        "--confirm",
        action="append",
        default=[],
        metavar="ITEM",
        help="a 保密审查 item confirmed (knowledge/publishing/checklist.yml ids; 'all' for every item)",
    )
    approve.add_argument(
        "--return", dest="return_note", metavar="NOTE", help="send it back instead"
    )
    approve.set_defaults(handler=_approve)

    pub = with_user(sub.add_parser("publish", help="publish the approved summary"))
    pub.add_argument("draft")
    pub.add_argument("--channel", default="web")
    pub.set_defaults(handler=_publish)

    rep = sub.add_parser(
        "report", help="the adoption summary: staff preview or a published version"
    )
    rep.add_argument("draft")
    rep.add_argument("--format", choices=("html", "md", "json"), default="md")
    rep.add_argument("--published", action="store_true", help="the latest published version")
    rep.add_argument("--version", type=int, help="a given published version")
    rep.add_argument("--out", help="write to a file instead of stdout")
    rep.set_defaults(handler=_report)

    look = sub.add_parser("lookup", help="what became of an opinion (by receipt number)")
    look.add_argument("receipt")
    look.set_defaults(handler=_lookup)

    ev = commands.eval.add_parser("grouping", help="opinion grouping against a labelled file")
    ev.add_argument("file")
    ev.add_argument("--threshold", type=float, default=grouping.DEFAULT_THRESHOLD)
    ev.add_argument("--sweep", action="store_true", help="try thresholds 0.03 to 0.17")
    ev.add_argument("--json", action="store_true")
    ev.set_defaults(handler=_eval_grouping)
