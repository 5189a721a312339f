"""`python -m bot register list|show`: the publication register (信息发布登记) for the archive;
`python -m bot review list|approve|refuse|publish`: the one review step from the command line."""

from __future__ import annotations

import argparse
import json
import sys

from sqlalchemy import select

from bot.clock import local
from bot.config import Settings
from bot.db import session_scope
from bot.publishing.models import (
    APPROVED,
    CHANNELS,
    KINDS,
    STATE_NAMES,
    SUBMITTED,
    ReviewItem,
)
from bot.publishing.register import Query, get_record, search, summary, to_csv, versions
from bot.publishing.review import (
    NotFound,
    PublishingError,
    approve,
    checklist_from_confirmations,
    publish,
    refuse,
)


def register(commands) -> None:
    parser = commands.top.add_parser("register", help="the publication register: list, show")
    sub = parser.add_subparsers(dest="register_command", metavar="ACTION")
    sub.required = True
    listing = sub.add_parser("list", help="registered publications, newest first")
    listing.add_argument("--search", default="", help="number, title, subject, unit or person")
    listing.add_argument("--kind", choices=sorted(KINDS))
    listing.add_argument("--unit", default="")
    listing.add_argument("--limit", type=int, default=50)
    output = listing.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true")
    output.add_argument("--csv", action="store_true")
    listing.set_defaults(handler=_list)
    show = sub.add_parser("show", help="one record with its content and every version")
    show.add_argument("number")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=_show)


    review = commands.top.add_parser(
        "review", help="先审查、后公开: items waiting for review; approve, refuse, publish"
    )
    steps = review.add_subparsers(dest="review_command", metavar="ACTION")
    steps.required = True
    waiting = steps.add_parser("list", help="items waiting for review or for publication")
    waiting.add_argument("--kind", choices=sorted(KINDS))
    waiting.add_argument("--json", action="store_true")
    waiting.set_defaults(handler=_review_list)
    for name, helped in (
        ("approve", "approve each item (one review per item, never by its drafter)"),
        ("refuse", "refuse each item, with the reason"),
        ("publish", "publish each approved item and record it in the register"),
    ):
        step = steps.add_parser(name, help=helped)
        step.add_argument("items", nargs="*", type=int, help="item numbers (see review list)")
        step.add_argument("--all", action="store_true", help="every item waiting for this step")
        step.add_argument("--kind", choices=sorted(KINDS), help="with --all: only this kind")
        if name == "publish":
            step.add_argument("--publisher", required=True)
            step.add_argument("--channel", action="append", choices=CHANNELS, default=None)
        else:
            step.add_argument("--reviewer", required=True)
        if name == "approve":
            step.add_argument(
                "--confirm", action="append", default=[], metavar="ITEM",
                help="a 保密审查 item confirmed (repeat), or 'all'",
            )  # fmt: skip
        if name == "refuse":
            step.add_argument("--reason", required=True)
        step.set_defaults(handler=_review_step, step=name)


def _review_list(args: argparse.Namespace, settings: Settings) -> int:
    with session_scope(settings.database_url) as session:
        rows = [_item_row(item) for item in _waiting(session, (SUBMITTED, APPROVED), args.kind)]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    for row in rows:
        print(f"#{row['id']}  {row['state_name']}  {row['kind_name']}  {row['title']}  "
              f"起草 {row['drafter']}  送审 {row['submitted_at']}")  # fmt: skip
    print(f"共 {len(rows)} 项")
    return 0


def _review_step(args: argparse.Namespace, settings: Settings) -> int:
    """Each item on its own: one reviewer's batch is still one review, one audit row and one
    stored checklist per item; an item refused by the rules is named and the rest go on."""
    if bool(args.items) == bool(args.all):
        print(f"review {args.step}: give item numbers or --all", file=sys.stderr)
        return 2
    state = APPROVED if args.step == "publish" else SUBMITTED
    failed = 0
    with session_scope(settings.database_url) as session:
        ids = args.items or [item.id for item in _waiting(session, (state,), args.kind)]
        for item_id in ids:
            try:  # every step checks before it changes anything
                print(_do(session, args, item_id))
            except PublishingError as refused:
                failed += 1
                print(f"#{item_id}: {refused}", file=sys.stderr)
        if args.step == "publish":
            _sync_policies(session, settings)
    print(f"{len(ids) - failed} 项完成，{failed} 项未完成")
    return 1 if failed else 0


def _do(session, args: argparse.Namespace, item_id: int) -> str:
    if args.step == "approve":
        checklist = checklist_from_confirmations(args.confirm)
        item = approve(session, item_id, reviewer=args.reviewer, checklist=checklist)
        return f"#{item.id} 审查通过：{item.title}"
    if args.step == "refuse":
        item = refuse(session, item_id, reviewer=args.reviewer, reason=args.reason)
        return f"#{item.id} 不予通过：{item.title}"
    record = publish(session, item_id, publisher=args.publisher, channels=args.channel or ["web"])
    return f"#{item_id} 已发布并登记 {record.number}（第{record.version}版）：{record.title}"


def _sync_policies(session, settings: Settings) -> None:
    """Published policy entries are written for the services at once (they also sync on reload)."""
    from bot.policy.publication import sync

    written = sync(session, settings.knowledge_dir, settings.var_dir)["written"]
    if written:
        print(f"政策库已写出 {len(written)} 项；运行中的服务在 ZS_KB_RELOAD_SECONDS 内载入")


def _waiting(session, states, kind: str | None) -> list[ReviewItem]:
    statement = select(ReviewItem).where(ReviewItem.state.in_(states)).order_by(ReviewItem.id)
    if kind:
        statement = statement.where(ReviewItem.kind == kind)
    return list(session.execute(statement).scalars())


def _item_row(item: ReviewItem) -> dict:
    return {
        "id": item.id, "kind": item.kind, "kind_name": KINDS.get(item.kind, item.kind),
        "reference": item.reference, "title": item.title, "unit": item.unit,
        "state": item.state, "state_name": STATE_NAMES.get(item.state, item.state),
        "drafter": item.drafter, "content_hash": item.content_hash,
        "submitted_at": local(item.submitted_at).isoformat(timespec="seconds"),
    }  # fmt: skip


def _list(args: argparse.Namespace, settings: Settings) -> int:
    query = Query(text=args.search, kind=args.kind or "", unit=args.unit, limit=args.limit)
    with session_scope(settings.database_url) as session:
        records = search(session, query)
        if args.csv:
            sys.stdout.write(to_csv(records))
            return 0
        rows = [summary(record) for record in records]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    for row in rows:
        print(
            f"{row['number']}  {row['published_at']}  {row['kind_name']} 第{row['version']}版  "
            f"{row['title']}  单位 {row['unit']}  审查 {row['reviewer']}  发布 {row['publisher']}  "
            f"渠道 {'、'.join(row['channels'])}"
        )
    print(f"共 {len(rows)} 条")
    return 0


def _show(args: argparse.Namespace, settings: Settings) -> int:
    with session_scope(settings.database_url) as session:
        try:
            record = get_record(session, args.number)
        except NotFound as missing:
            print(missing, file=sys.stderr)
            return 1
        row = summary(record, with_content=True)
        row["versions"] = [
            {"number": r.number, "version": r.version, "published_at": summary(r)["published_at"]}
            for r in versions(session, record)
        ]
    if args.json:
        print(json.dumps(row, ensure_ascii=False, indent=2))
        return 0
    for label, key in (
        ("登记号", "number"), ("类型", "kind_name"), ("事项", "reference"), ("版本", "version"),
        ("标题", "title"), ("发布单位", "unit"), ("起草人", "drafter"), ("审查人", "reviewer"),
        ("发布人", "publisher"), ("发布时间", "published_at"), ("SHA-256", "content_hash"),
    ):  # fmt: skip
        print(f"{label}：{row[key]}")
    print(f"渠道：{'、'.join(row['channels'])}")
    print(f"内容校验：{'一致' if row['hash_verified'] else '不一致！'}")
    print("版本：" + "；".join(f"第{v['version']}版 {v['number']}" for v in row["versions"]))
    print("内容：")
    print(row["content"])
    return 0
