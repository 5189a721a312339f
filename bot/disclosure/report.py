"""The annual report's table "收到和处理政府信息公开申请情况", laid out as the national template
(国务院办公厅政府信息与政务公开办公室 年度报告格式): one column for 自然人, one for each kind of
法人或其他组织, and 总计; rows for 本年新收, 上年结转, each 办理结果 with its sub-reasons, 总计
and 结转下年度继续办理.

Every figure is counted in the database from the stored applications (four grouped queries on
indexed columns), so the table is as fast with 100,000 applications as with ten. The year runs
on Zhoushan's calendar. For every column 本年新收 + 上年结转 = 总计 + 结转下年度, which
`Report.reconciles` checks.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Optional

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from bot.clock import LOCAL_TZ
from bot.disclosure.models import DisclosureApplication as Application
from bot.disclosure.rules import Rules

TEMPLATES = Path(__file__).resolve().parent / "templates"
TOTAL = "total"


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    level: int
    counts: Optional[dict[str, int]]
    """None for a heading without figures (三、本年度办理结果, （三）不予公开 …)."""


@dataclass(frozen=True)
class Report:
    year: int
    columns: list[tuple[str, str]]
    rows: list[Row]

    def row(self, key: str) -> Row:
        return next(r for r in self.rows if r.key == key)

    @property
    def reconciles(self) -> bool:
        """新收 + 结转 = 办理结果总计 + 结转下年度, column by column."""
        new, carried, total, onward = (
            self.row(k).counts for k in ("new", "carried_in", "results_total", "carried_out")
        )
        return all(new[c] + carried[c] == total[c] + onward[c] for c, _ in self.columns)

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": "收到和处理政府信息公开申请情况",
            "year": self.year,
            "columns": [{"key": k, "label": label} for k, label in self.columns],
            "rows": [
                {"key": r.key, "label": r.label, "level": r.level, "counts": r.counts}
                for r in self.rows
            ],
            "reconciles": self.reconciles,
        }


def build_report(session: Session, rules: Rules, year: int) -> Report:
    start = datetime(year, 1, 1, tzinfo=LOCAL_TZ)
    end = datetime(year + 1, 1, 1, tzinfo=LOCAL_TZ)
    kinds = list(rules.kinds)
    columns = [(k.code, k.label) for k in rules.kinds.values()] + [(TOTAL, "总计")]
    kind = Application.applicant_kind

    def by_kind(*conditions) -> dict[str, int]:
        found = dict(
            session.execute(select(kind, func.count()).where(*conditions).group_by(kind)).all()
        )
        return _with_total({k: found.get(k, 0) for k in kinds})

    def still_open_at(moment: datetime):
        return and_(
            Application.created_at < moment,
            or_(Application.closed_at.is_(None), Application.closed_at >= moment),
        )

    closed = session.execute(
        select(Application.result_row, kind, func.count())
        .where(Application.closed_at >= start, Application.closed_at < end)
        .group_by(Application.result_row, kind)
    ).all()
    results: dict[str, dict[str, int]] = {}
    for row_key, applicant_kind, count in closed:
        results.setdefault(row_key, dict.fromkeys(kinds, 0))[applicant_kind] = count

    rows = [
        Row(
            "new",
            "一、本年新收政府信息公开申请数量",
            0,
            by_kind(Application.created_at >= start, Application.created_at < end),
        ),
        Row("carried_in", "二、上年结转政府信息公开申请数量", 0, by_kind(still_open_at(start))),
        Row("results", "三、本年度办理结果", 0, None),
    ]
    for section, label in rules.sections.items():
        items = sorted(
            {
                (t.item, t.item_label)
                for t in rules.reply_types.values()
                if t.section == section and t.item
            }
        )
        if not items:
            rows.append(
                Row(section, label, 1, _with_total(results.get(section, dict.fromkeys(kinds, 0))))
            )
            continue
        rows.append(Row(section, label, 1, None))
        for item, item_label in items:
            key = f"{section}.{item}"
            counts = results.get(key, dict.fromkeys(kinds, 0))
            rows.append(Row(key, f"{item}.{item_label}", 2, _with_total(counts)))
    figures = [r.counts for r in rows if r.counts is not None and r.level > 0]
    total = {c: sum(f[c] for f in figures) for c, _ in columns}
    rows.append(Row("results_total", "（七）总计", 1, total))
    rows.append(Row("carried_out", "四、结转下年度继续办理", 0, by_kind(still_open_at(end))))
    return Report(year, columns, rows)


def render(report: Report, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(report.to_dict(), ensure_ascii=False, indent=2)
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["项目"] + [label for _, label in report.columns])
        for row in report.rows:
            counts = row.counts or {}
            writer.writerow([row.label] + [counts.get(c, "") for c, _ in report.columns])
        return buffer.getvalue()
    if fmt == "html":
        environment = Environment(
            loader=FileSystemLoader(str(TEMPLATES)),
            autoescape=select_autoescape(default=True),
            undefined=StrictUndefined,
        )
        return environment.get_template("report.html").render(report=report)
    raise ValueError(f"unknown format {fmt!r}: json, csv or html")


def _with_total(counts: dict[str, int]) -> dict[str, int]:
    return {**counts, TOTAL: sum(counts.values())}
