"""Structure detection (bot/documents.py) and `kb import` (bot/policy/importer.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.cli import main
from bot.documents import cn_number, parse_document, read_document, tidy
from bot.policy import load_policy
from bot.policy.importer import DocumentImportError, import_document
from tests.unit.policy_data import SEED

ARTICLES = """舟山市示例管理办法

第一章 总则
第一条 为了规范示例管理，制定本办法。
第二条 本办法适用于本市行政区域。
第二章 管理
第三条 管理部门应当履行下列职责：
（一）制定计划；
（二）组织实施。
第四条【监督】市人民政府负责监督。
"""

HEADINGS = """关于加强示例工作的通知

各县（区）人民政府：
一、总体要求
（一）明确目标。到2025年基本建成示例体系。
1.建立制度。各部门要建立制度。
2.落实责任。
（二）工作原则
二、保障措施
加强组织领导，明确分工。
"""

MARKDOWN = """# 示例实施方案

## 一、工作目标

1. **完善**平台建设，见[说明](https://example.org)。
2. 提升服务水平。

## 二、工作措施

- （一）加强协调。各单位要加强协调。
"""

HTML = """<html><head><title>示例</title><style>p{color:red}</style></head><body>
<h1>示例实施细则</h1>
<table>
<tr><th>实施细则</th><th>对应考核指标</th></tr>
<tr><td>（一）政策解读</td><td></td></tr>
<tr><td>1.明确解读责任。按照&ldquo;谁起草、谁解读&rdquo;的原则。</td><td>解读责任落实到位</td></tr>
<tr><td></td><td>主要负责人带头解读</td></tr>
</table>
</body></html>
"""


def test_articles_nest_under_chapters() -> None:
    document = parse_document(ARTICLES)
    assert document.title == "舟山市示例管理办法"
    chapter_one, chapter_two = document.nodes
    assert (chapter_one.kind, chapter_one.number, chapter_one.title) == ("chapter", 1, "总则")
    assert [a.label for a in chapter_one.children] == ["第一条", "第二条"]
    article_three = chapter_two.children[0]
    assert [item.label for item in article_three.children] == ["（一）", "（二）"]
    assert article_three.children[1].reference() == "第二章 管理 第三条 （二）"
    assert chapter_two.children[1].title == "监督"
    assert chapter_two.children[1].text == "市人民政府负责监督。"


def test_chinese_numbered_headings_nest_in_order_of_appearance() -> None:
    document = parse_document(HEADINGS)
    assert document.preamble == "各县（区）人民政府："
    first, second = document.nodes
    assert (first.label, first.title) == ("一、", "总体要求")
    goal = first.children[0]
    assert (goal.label, goal.title, goal.text) == (
        "（一）",
        "明确目标",
        "到2025年基本建成示例体系。",
    )
    assert [(c.label, c.title, c.text) for c in goal.children] == [
        ("第1条", "建立制度", "各部门要建立制度。"),
        ("第2条", "", "落实责任。"),
    ]
    assert first.children[1].title == "工作原则"
    assert second.text == "加强组织领导，明确分工。"


def test_markdown_markup_is_stripped() -> None:
    document = parse_document(MARKDOWN, "markdown")
    assert document.title == "示例实施方案"
    goals = document.nodes[0]
    assert goals.heading == "一、工作目标"
    assert goals.children[0].text == "完善平台建设，见说明。"
    assert document.nodes[1].children[0].title == "加强协调"


def test_html_table_columns_become_notes() -> None:
    document = parse_document(HTML, "html")
    assert document.title == "示例实施细则"
    assert document.notes_title == "对应考核指标"
    section = document.nodes[0]
    item = section.children[0]
    assert item.reference() == "（一）政策解读 第1条"
    assert item.text == "按照“谁起草、谁解读”的原则。"
    assert item.notes == ["解读责任落实到位", "主要负责人带头解读"]


def test_seed_rules_structure() -> None:
    document = read_document(SEED)
    assert document.title == "舟山市全面推进政务公开实施细则"
    assert document.notes_title == "对应考核指标"
    sections = [n for n in document.nodes if n.kind == "cn_paren"]
    assert [s.title for s in sections][:2] == ["“五公开”", "政策解读"]
    items = [n for n in document.walk() if n.kind == "arabic"]
    assert [i.number for i in items] == list(range(1, 24))
    five = items[4]
    assert five.reference() == "（二）政策解读 第5条"
    assert five.title == "明确解读责任主体"
    assert "主要负责人权威解读达到基本要求" in five.notes
    assert "5小时内" in items[10].text
    assert [n.label for n in document.nodes[-2:]] == ["特别加分项", "特别减分项"]


def test_numbers_and_spacing() -> None:
    assert [cn_number(t) for t in ("十", "十二", "二十三", "一百零五", "7", "甲")] == [
        10,
        12,
        23,
        105,
        7,
        None,
    ]
    assert (
        tidy("最迟要在5 小时内，权重不低于4 ％，“12345 ”热线")
        == "最迟要在5小时内，权重不低于4％，“12345”热线"
    )
    assert tidy("Open Government 2017 10") == "Open Government 2017 10"


def test_import_writes_a_loadable_entry(tmp_path: Path) -> None:
    path = import_document(SEED, tmp_path, issuer="舟山市人民政府办公室")
    assert path == tmp_path / "zhoushan-open-government-rules.yml"
    policy = load_policy(path)
    assert policy.doc_no == ""
    assert policy.sample is False
    assert policy.clause("2.5").reference == "（二）政策解读 第5条"
    assert policy.clause("6.19").text.endswith("（舟政办发〔2017〕80号）文件执行。")


def test_import_reads_doc_number_from_the_heading_only(tmp_path: Path) -> None:
    source = tmp_path / "notice.txt"
    source.write_text(
        "示例通知\n示政发〔2020〕3号\n2020年5月6日\n一、总则\n按照示办发〔2019〕9号执行。\n",
        encoding="utf-8",
    )
    policy = load_policy(
        import_document(
            source, tmp_path / "out", policy_id="notice", issuer="示例单位", sample=True
        )
    )
    assert policy.doc_no == "示政发〔2020〕3号"
    assert str(policy.published) == "2020-05-06"


@pytest.mark.parametrize("policy_id", ["../escape", "a/b", "..", "/tmp/x", "中文"])
def test_import_rejects_path_tricks(tmp_path: Path, policy_id: str) -> None:
    with pytest.raises(DocumentImportError):
        import_document(SEED, tmp_path / "out", policy_id=policy_id)
    assert not (tmp_path / "escape.yml").exists()


def test_import_refuses_symlink_out_of_the_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    os.symlink(tmp_path / "elsewhere.yml", out / "rules.yml")
    with pytest.raises(DocumentImportError, match="outside"):
        import_document(SEED, out, policy_id="rules", overwrite=True)
    assert not (tmp_path / "elsewhere.yml").exists()


def test_import_without_an_issuer_says_so_in_the_entry(tmp_path: Path) -> None:
    source = tmp_path / "notice.txt"
    source.write_text("示例通知\n一、总则\n按照规定执行。\n", encoding="utf-8")
    assert load_policy(import_document(source, tmp_path / "out", policy_id="n")).issuer == "未载明"


def test_import_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "方案.md"
    source.write_text(MARKDOWN, encoding="utf-8")
    out = str(tmp_path / "out")
    code = main(
        [
            "kb",
            "import",
            str(source),
            "--out",
            out,
            "--id",
            "plan",
            "--issuer",
            "示例单位",
            "--sample",
            "--date",
            "2021-03-04",
        ]
    )
    assert code == 0
    written = Path(capsys.readouterr().out.strip())
    assert written == (tmp_path / "out" / "plan.yml").resolve()
    assert load_policy(written).sample is True
    assert main(["kb", "import", str(source), "--out", out, "--issuer", "示例单位"]) == 0
    assert "imported 0, updated 0, unchanged 1" in capsys.readouterr().out
