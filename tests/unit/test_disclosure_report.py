"""The annual-report table on a built year: each figure counted from stored applications, and
the totals reconcile row by row (新收 + 结转 = 总计 + 结转下年度)."""

from __future__ import annotations

import csv
import io
import json

from bot.cli import main
from bot.disclosure import report, service
from bot.disclosure.monitor import run_monitor
from tests.unit.disclosure_fixtures import FINANCE_OFFICE, apply, local, resident_id

pytest_plugins = ("tests.unit.disclosure_fixtures",)

BUSINESS_CODE = "91350100M000100Y43"


def _reply(session, rules, catalogue, number, reply_type, when, **given):
    service.reply(
        session,
        rules,
        number,
        FINANCE_OFFICE,
        reply_type=reply_type,
        catalogue=catalogue,
        now=when,
        **given,
    )


def build_year(session, rules, catalogue) -> None:
    """2026: 2 carried in from 2025 (one answered in 2025 is not), 6 new, 2 carried on to 2027."""
    counter = iter(range(1, 29))

    def new(when, **changes):
        index = next(counter)
        changes.setdefault("id_number", resident_id(f"330902199003{index:02d}123"))
        changes.setdefault("description", f"舟山市第{index}号文件全文及其附件")
        return apply(session, rules, when, **changes).number

    answered_2025 = new(local(2025, 3, 2))
    _reply(session, rules, catalogue, answered_2025, "granted", local(2025, 3, 20))
    carried_person = new(local(2025, 12, 20))
    carried_firm = new(
        local(2025, 12, 22),
        applicant_kind="商业企业",
        id_number=BUSINESS_CODE,
        applicant_name="舟山某某贸易有限公司",
    )
    _reply(
        session,
        rules,
        catalogue,
        carried_person,
        "already_public",
        local(2026, 1, 8),
        where="舟山市人民政府网站",
    )
    _reply(
        session,
        rules,
        catalogue,
        carried_firm,
        "third_party_rights",
        local(2026, 1, 9),
        reason="涉及商业秘密",
    )
    granted = new(local(2026, 3, 2))
    _reply(session, rules, catalogue, granted, "granted", local(2026, 3, 10))
    process = new(local(2026, 5, 6))
    _reply(session, rules, catalogue, process, "process_information", local(2026, 5, 20))
    complaint = new(
        local(2026, 6, 1),
        applicant_kind="法律服务机构",
        applicant_name="浙江某某律师事务所",
        id_number=BUSINESS_CODE,
    )
    _reply(session, rules, catalogue, complaint, "petition_complaint", local(2026, 6, 5))
    lapsing = new(local(2026, 9, 1))
    service.request_correction(
        session, rules, lapsing, FINANCE_OFFICE, note="写明年份", now=local(2026, 9, 2)
    )
    run_monitor(session, rules, catalogue, now=local(2026, 10, 30))
    new(local(2026, 12, 28))
    new(
        local(2026, 12, 30),
        applicant_kind="科研机构",
        id_number=BUSINESS_CODE,
        applicant_name="舟山某某研究院",
    )


def test_report_counts_and_reconciles(db, rules, catalogue):
    with db.session() as session:
        build_year(session, rules, catalogue)
    with db.session() as session:
        table = report.build_report(session, rules, 2026)
    counts = {row.key: row.counts for row in table.rows}
    assert counts["new"] == {
        "natural": 4,
        "business": 0,
        "research": 1,
        "public_interest": 0,
        "legal_service": 1,
        "other": 0,
        "total": 6,
    }
    assert counts["carried_in"]["natural"] == 1 and counts["carried_in"]["business"] == 1
    assert counts["carried_in"]["total"] == 2
    assert counts["granted"]["natural"] == 2
    assert counts["refused.4"]["business"] == 1
    assert counts["refused.6"]["natural"] == 1
    assert counts["not_handled.1"]["legal_service"] == 1
    assert counts["other.1"]["natural"] == 1
    assert counts["results_total"]["total"] == 6
    assert counts["carried_out"] == {
        "natural": 1,
        "business": 0,
        "research": 1,
        "public_interest": 0,
        "legal_service": 0,
        "other": 0,
        "total": 2,
    }
    assert counts["results"] is None and counts["refused"] is None
    assert table.reconciles
    for key, _ in table.columns:
        assert counts["new"][key] + counts["carried_in"][key] == (
            counts["results_total"][key] + counts["carried_out"][key]
        )
    with db.session() as session:
        before = report.build_report(session, rules, 2025)
    assert before.row("carried_out").counts == table.row("carried_in").counts
    assert before.reconciles


def test_report_command_formats(db, rules, catalogue, settings, monkeypatch, capsys):
    with db.session() as session:
        build_year(session, rules, catalogue)
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    assert main(["disclosure", "report", "--year", "2026", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["title"] == "收到和处理政府信息公开申请情况" and data["reconciles"] is True
    assert [c["label"] for c in data["columns"]] == [
        "自然人",
        "商业企业",
        "科研机构",
        "社会公益组织",
        "法律服务机构",
        "其他",
        "总计",
    ]
    assert main(["disclosure", "report", "--year", "2026", "--format", "csv"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[1][0] == "一、本年新收政府信息公开申请数量" and rows[1][-1] == "6"
    assert rows[-1][0] == "四、结转下年度继续办理" and rows[-1][-1] == "2"
    assert main(["disclosure", "report", "--year", "2026", "--format", "html"]) == 0
    page = capsys.readouterr().out
    assert "<th>法律服务机构</th>" in page and "（七）总计" in page
