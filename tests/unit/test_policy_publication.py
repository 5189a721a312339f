"""`kb import` into the served library: nothing is served before another person reviewed it,
every publication (the bundled seed included) is in the register, a changed re-import is the
next version."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.cli import main
from bot.policy.publication import SEED_ACTOR, published_dir, sync
from bot.publishing.models import RegisterRecord, ReviewItem
from bot.publishing.review import sha256
from bot.services import Services

pytest_plugins = ("tests.unit.policy_fixtures",)

NOTICE = """舟山市海岛民宿管理办法

舟政办发〔2026〕12号

第一条 为规范海岛民宿经营，保障游客安全，制定本办法。

第二条 民宿经营者应当办理登记，房间数不超过14间。
"""
QUESTION = "海岛民宿经营者房间数不超过多少"


@pytest.fixture
def city(monkeypatch, tmp_path: Path, sample_knowledge: Path, settings, db):
    """The command line and a service on a scratch library, database and var folder."""
    settings = dataclasses.replace(settings, knowledge_dir=sample_knowledge, kb_reload_seconds=0)
    for name, value in (
        ("ZS_KNOWLEDGE_DIR", sample_knowledge), ("ZS_VAR_DIR", settings.var_dir),
        ("DATABASE_URL", settings.database_url), ("ZS_PROFILE", "dev"),
    ):  # fmt: skip
        monkeypatch.setenv(name, str(value))
    source = tmp_path / "docs" / "海岛民宿管理办法.md"
    source.parent.mkdir()
    source.write_text(NOTICE, encoding="utf-8")
    services = Services(settings)
    yield settings, services, source, db
    services.close()


def _served(services: Services) -> set[str]:
    return {policy.title for policy in services.kb.policies}


def _run(*argv: str) -> int:
    return main(list(argv))


def test_imported_policy_is_served_only_after_another_person_reviewed_it(city, capsys):
    settings, services, source, db = city
    seeded = len(services.kb.policies)
    assert _run("kb", "import", str(source.parent), "--drafter", "staff-li") == 0
    assert "submitted for review 1" in capsys.readouterr().out
    assert "舟山市海岛民宿管理办法" not in _served(services), "a draft is never served"
    assert not services.kb.ask(QUESTION).results or all(
        r.title != "舟山市海岛民宿管理办法" for r in services.kb.ask(QUESTION).results
    )
    assert _run("review", "approve", "--all", "--reviewer", "staff-li", "--confirm", "all") == 1
    assert "起草人不能审查" in capsys.readouterr().err
    assert _run("review", "approve", "--all", "--reviewer", "reviewer-zhao") == 1
    assert "保密审查未完成" in capsys.readouterr().err
    assert _run("review", "publish", "--all", "--publisher", "staff-wang") == 0
    assert "0 项完成" in capsys.readouterr().out, "nothing approved, nothing published"
    assert "舟山市海岛民宿管理办法" not in _served(services)

    assert _run("review", "approve", "--all", "--reviewer", "reviewer-zhao", "--confirm", "all") == 0
    assert "舟山市海岛民宿管理办法" not in _served(services), "approved is not yet published"
    assert _run("review", "publish", "--all", "--publisher", "staff-wang", "--channel", "wechat") == 0
    capsys.readouterr()
    assert "舟山市海岛民宿管理办法" in _served(services)
    top = services.kb.ask(QUESTION).results[0]
    assert top.title == "舟山市海岛民宿管理办法" and "14间" in top.answer
    assert len(services.kb.policies) == seeded + 1

    with db.session() as session:
        record = session.execute(
            select(RegisterRecord).where(RegisterRecord.publisher == "staff-wang")
        ).scalar_one()
        assert (record.kind, record.version, record.unit) == ("policy", 1, "city.government_office")
        assert record.content_hash == sha256(record.content) and "14间" in record.content
        assert (record.drafter, record.reviewer) == ("staff-li", "reviewer-zhao")
        assert record.channels == ["wechat"] and record.published_at is not None
        assert record.checklist and all(record.checklist.values())
    served = (published_dir(settings.var_dir) / f"{record.reference.split(':')[1]}.yml").read_text(
        encoding="utf-8"
    )
    assert f"register: {record.number}\npublished_version: 1\n" in served
    assert served.endswith(record.content), "the served entry is the registered content"


def test_a_changed_reimport_is_the_next_version_after_review(city, capsys):
    settings, services, source, db = city
    _run("kb", "import", str(source), "--drafter", "staff-li")
    _run("review", "approve", "--all", "--reviewer", "reviewer-zhao", "--confirm", "all")
    _run("review", "publish", "--all", "--publisher", "staff-wang")
    _run("kb", "import", str(source), "--drafter", "staff-li")
    assert "unchanged 1" in capsys.readouterr().out
    with db.session() as session:
        assert session.execute(select(func.count(ReviewItem.id))).scalar_one() == 1

    source.write_text(NOTICE.replace("14间", "12间"), encoding="utf-8")
    assert _run("kb", "import", str(source), "--drafter", "staff-li") == 0
    assert "changed 1" in capsys.readouterr().out
    assert "14间" in services.kb.ask(QUESTION).results[0].answer, "the old version until review"
    _run("review", "approve", "--all", "--reviewer", "reviewer-zhao", "--confirm", "all")
    _run("review", "publish", "--all", "--publisher", "staff-wang")
    assert "12间" in services.kb.ask(QUESTION).results[0].answer
    with db.session() as session:
        versions = session.execute(
            select(RegisterRecord.version, RegisterRecord.content)
            .where(RegisterRecord.publisher == "staff-wang")
            .order_by(RegisterRecord.version)
        ).all()
    assert [v for v, _ in versions] == [1, 2]
    assert "14间" in versions[0][1] and "12间" in versions[1][1], "the history stays"


def test_the_bundled_library_is_a_seed_publication_recorded_once(city):
    settings, services, source, db = city
    bundled = sorted((settings.knowledge_dir / "policies").glob("*.yml"))
    assert len(services.kb.policies) == len(bundled), "served out of the box"
    with db.session() as session:
        records = session.execute(select(RegisterRecord)).scalars().all()
        assert len(records) == len(bundled)
        for record in records:
            assert record.publisher == record.reviewer == SEED_ACTOR
            assert record.checklist["bundled"] is True and "种子" in record.checklist["note"]
            assert record.content_hash == sha256(record.content) and record.channels == ["web"]
        assert sync(session, settings.knowledge_dir, settings.var_dir)["seeded"] == 0
    changed = bundled[0]
    changed.write_text(changed.read_text(encoding="utf-8") + "\n# 勘误\n", encoding="utf-8")
    with db.session() as session:
        assert sync(session, settings.knowledge_dir, settings.var_dir)["seeded"] == 1
        latest = session.execute(
            select(RegisterRecord).order_by(RegisterRecord.id.desc())
        ).scalars().first()
        assert latest.version == 2 and latest.content.endswith("# 勘误\n")


def test_an_entry_not_written_by_the_register_is_not_served(city):
    settings, services, source, db = city
    bundled = next((settings.knowledge_dir / "policies").glob("*.yml"))
    folder = published_dir(settings.var_dir)
    folder.mkdir(parents=True)
    text = bundled.read_text(encoding="utf-8").replace(f"id: {bundled.stem}", "id: sneaked-in")
    (folder / "sneaked-in.yml").write_text(text, encoding="utf-8")
    assert "sneaked-in" not in {policy.id for policy in services.kb.policies}


def test_production_names_the_drafter(city, monkeypatch, capsys):
    monkeypatch.setenv("ZS_PROFILE", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("RASA_TOKEN", "y" * 40)
    _, _, source, _ = city
    assert _run("kb", "import", str(source)) == 2
    assert "--drafter" in capsys.readouterr().err
