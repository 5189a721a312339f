"""Drafts: YAML sync, comment windows, import with clause structure, finding drafts and clauses."""

from __future__ import annotations

import os
from datetime import date

import pytest

from bot.clock import local_day
from bot.consultation import Ambiguous, ConsultationError, NotFound, submit_opinion, sync_drafts
from bot.consultation.drafts import import_draft, list_drafts, resolve_clause, resolve_draft
from bot.consultation.forms import DraftForm
from bot.consultation.models import Draft
from tests.unit.consultation_fixtures import NOW, PARKING

pytest_plugins = ("tests.unit.consultation_fixtures",)

TODAY = local_day(NOW)
WASTE = "island-waste-sorting-2026-sample"
FERRY = "ferry-spring-festival-2027-sample"

ARTICLES = """示例渔港管理办法（征求意见稿）
第一章 总则
第一条 为规范渔港管理，制定本办法。
第二条 本办法适用于本市渔港。
第二章 管理
第三条 渔船进出港应当报告：
（一）船名；
（二）船员人数。
第四条 禁止在港区倾倒垃圾。
"""
ITEMS = """# 示例菜市场改造方案（征求意见稿）

一、改造范围
（一）定海区。改造东门菜场等3处。
（二）普陀区。改造沈家门菜场等2处。
二、资金保障
"""


def test_samples_sync_with_one_open_and_one_closed(db, knowledge):
    with db.session() as session:
        report = sync_drafts(session, knowledge, now=NOW)
        assert sorted(report.created) == sorted([PARKING, WASTE, FERRY]) and not report.errors
        phases = {i.slug: i.phase for i in list_drafts(session, TODAY)}
        assert phases == {PARKING: "open", WASTE: "closed", FERRY: "open"}
        assert all("示例" in i.title and i.sample for i in list_drafts(session, TODAY))
        ferry = resolve_draft(session, FERRY)
        assert ferry.short_window_reason and (ferry.closes_on - ferry.opens_on).days + 1 == 15
    with db.session() as session:
        again = sync_drafts(session, knowledge, now=NOW)
        assert sorted(again.unchanged) == sorted([PARKING, WASTE, FERRY])


def test_windows_under_30_days_need_a_reason():
    form = DraftForm(
        slug="short",
        title="示例短期方案",
        department="示例局",
        opens_on=date(2026, 12, 1),
        closes_on=date(2026, 12, 20),
        text="第一条 示例。",
    )
    with pytest.raises(ConsultationError, match="20日，少于30日"):
        form.validate()
    assert DraftForm(**{**form.__dict__, "short_window_reason": "春运安排须提前公布"}).validate()
    with pytest.raises(ConsultationError, match="不能早于"):
        DraftForm(**{**form.__dict__, "closes_on": date(2026, 11, 1)}).validate()


def test_import_text_draft_detects_articles_and_writes_yaml(db, knowledge, tmp_path):
    source = tmp_path / "fishing-port.txt"
    source.write_text(ARTICLES, encoding="utf-8")
    with db.session() as session:
        draft = import_draft(
            session,
            source,
            knowledge,
            department="示例海洋与渔业局",
            opens_on=date(2026, 12, 1),
            closes_on=date(2026, 12, 31),
            contact="0580-0000000",
            status="open",
            now=NOW,
        )
        assert draft.slug == "fishing-port" and draft.title == "示例渔港管理办法（征求意见稿）"
        assert [c.label for c in draft.clauses] == ["第一条", "第二条", "第三条", "第四条"]
        third = draft.clauses[2]
        assert third.heading == "第二章 管理" and third.number == 3
        assert third.text == "渔船进出港应当报告：\n（一）船名；\n（二）船员人数。"
    written = knowledge / "drafts" / "fishing-port.yml"
    assert written.exists() and "第三条 渔船进出港应当报告" in written.read_text(encoding="utf-8")
    with db.session() as session:
        assert sync_drafts(session, knowledge, now=NOW).unchanged.count("fishing-port") == 1


def test_import_markdown_draft_uses_second_level_items(db, knowledge, tmp_path):
    source = tmp_path / "菜市场.md"
    source.write_text(ITEMS, encoding="utf-8")
    with db.session() as session:
        draft = import_draft(session, source, knowledge, department="示例商务局", now=NOW)
        assert draft.slug.startswith("draft-") and draft.status == "draft"
        assert [c.label for c in draft.clauses] == ["一（一）", "一（二）", "二"]
        assert draft.clauses[0].heading == "一、改造范围"
        assert (draft.closes_on - draft.opens_on).days + 1 == 30


@pytest.mark.parametrize("slug", ["../escape", "a/b", "UPPER", "-dash", "x" * 70, "..", "con\x00"])
def test_import_refuses_path_tricks_in_names(db, knowledge, tmp_path, slug):
    source = tmp_path / "draft.txt"
    source.write_text(ARTICLES, encoding="utf-8")
    with db.session() as session, pytest.raises(ConsultationError, match="稿件标识"):
        import_draft(session, source, knowledge, department="示例局", slug=slug, now=NOW)
    assert sorted(p.name for p in (knowledge / "drafts").iterdir()) == sorted(
        p.name for p in (knowledge / "drafts").glob("*-sample.yml")
    )


def test_import_refuses_odd_sources_and_silent_overwrites(db, knowledge, tmp_path):
    source = tmp_path / "port.txt"
    source.write_text(ARTICLES, encoding="utf-8")
    link = tmp_path / "link.txt"
    os.symlink(source, link)
    binary = tmp_path / "port.exe"
    binary.write_bytes(b"MZ")
    with db.session() as session:
        with pytest.raises(ConsultationError, match="不是普通文件"):
            import_draft(session, link, knowledge, department="示例局", now=NOW)
        with pytest.raises(ConsultationError, match="只能导入"):
            import_draft(session, binary, knowledge, department="示例局", now=NOW)
        with pytest.raises(ConsultationError, match="已存在"):
            import_draft(session, source, knowledge, department="示例局", slug=PARKING, now=NOW)


def test_resolve_draft_by_number_or_words(db, synced):
    with db.session() as session:
        assert resolve_draft(session, str(synced[PARKING])).slug == PARKING
        assert resolve_draft(session, f"{synced[WASTE]}号").slug == WASTE
        assert resolve_draft(session, "停车办法").slug == PARKING
        assert resolve_draft(session, "《垃圾分类》").slug == WASTE
        with pytest.raises(Ambiguous) as ambiguous:
            resolve_draft(session, "海岛")
        assert {d.slug for d in ambiguous.value.candidates} == {WASTE, FERRY}
        with pytest.raises(NotFound):
            resolve_draft(session, "义务教育")


def test_resolve_clause_variants(db, synced):
    with db.session() as session:
        parking = session.get(Draft, synced[PARKING])
        for said in ("第三条", "第3条", "3", "三", " 第 三 条 "):
            assert resolve_clause(parking, said).label == "第三条"
        assert resolve_clause(parking, "“短时停车15分钟内免费”").label == "第十二条"
        assert resolve_clause(parking, None) is None
        assert resolve_clause(parking, "整体") is None
        with pytest.raises(NotFound, match="可选条款"):
            resolve_clause(parking, "第99条")
        with pytest.raises(Ambiguous):
            resolve_clause(parking, "停车泊位")
        waste = session.get(Draft, synced[WASTE])
        assert resolve_clause(waste, "二、（三）").title == "海上转运"
        assert resolve_clause(waste, "二（三）").title == "海上转运"


def test_clauses_are_fixed_once_opinions_arrive(db, synced, knowledge):
    with db.session() as session:
        submit_opinion(
            session, synced[PARKING], "第七条", "收费标准太高了，建议降低一些。", now=NOW
        )
    path = knowledge / "drafts" / f"{PARKING}.yml"
    original = path.read_text(encoding="utf-8")
    path.write_text(
        original.replace("首小时收费不超过5元", "首小时收费不超过4元"), encoding="utf-8"
    )
    with db.session() as session:
        report = sync_drafts(session, knowledge, now=NOW)
        assert report.errors and "已收到意见，不能再修改条款" in report.errors[0][1]
    path.write_text(
        original.replace("closes_on: 2026-12-31", "closes_on: 2027-01-15"), encoding="utf-8"
    )
    with db.session() as session:
        assert sync_drafts(session, knowledge, now=NOW).updated == [PARKING]
        assert session.get(Draft, synced[PARKING]).closes_on == date(2027, 1, 15)
