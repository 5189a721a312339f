"""`python -m bot register list|show`: the publication register (信息发布登记) for the archive."""

from __future__ import annotations

import argparse
import json
import sys

from bot.config import Settings
from bot.db import session_scope
from bot.publishing.models import KINDS
from bot.publishing.register import Query, get_record, search, summary, to_csv, versions
from bot.publishing.review import NotFound


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
