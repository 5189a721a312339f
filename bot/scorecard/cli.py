"""`python -m bot scorecard --month YYYY-MM --json|--csv`: the month's figures, every level."""

from __future__ import annotations

import argparse
import json
import re
import sys

from bot.config import Settings
from bot.db import session_scope
from bot.scorecard.card import TREND_MONTHS, build, refresh_past_months, to_csv
from bot.scorecard.compute import today_month


def register(commands) -> None:
    parser = commands.top.add_parser("scorecard", help="政务公开考核指标 for a month")
    parser.add_argument("--month", default="", help="YYYY-MM (default: this month)")
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true")
    output.add_argument("--csv", action="store_true")
    output.add_argument(
        "--refresh",
        action="store_true",
        help="store the ticket counts of the twelve months before this one (run from cron)",
    )
    parser.set_defaults(handler=_scorecard)


def _scorecard(args: argparse.Namespace, settings: Settings) -> int:
    month = args.month or today_month()
    if not re.fullmatch(r"20\d\d-(0[1-9]|1[0-2])", month):
        print("月份格式应为 YYYY-MM，例如 2026-11", file=sys.stderr)
        return 2
    if args.refresh:
        with session_scope(settings.database_url) as session:
            rows = refresh_past_months(session)
        print(f"已更新过去{TREND_MONTHS}个月的工单统计（{rows}行）")
        return 0
    with session_scope(settings.database_url) as session:
        card = build(session, month, settings.knowledge_dir)
    if args.csv:
        sys.stdout.write(to_csv(card))
    elif args.json:
        print(json.dumps(card.as_dict(), ensure_ascii=False, indent=2))
    else:
        print(f"舟山市 {month} 政务公开考核指标（截至 {card.as_of:%Y-%m-%d %H:%M} UTC）")
        for figure in card.city:
            ratio = (
                "" if figure.denominator is None else f"（{figure.numerator}/{figure.denominator}）"
            )
            print(f"  {figure.definition.label}：{figure.shown}{ratio}")
    return 0
