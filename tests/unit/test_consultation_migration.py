"""The hand-written migration 0003_consultation creates exactly what the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from bot.models import metadata


def test_migration_matches_the_models(db):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = [d for d in compare_metadata(context, metadata) if "consultation_" in repr(d)]
        tables = {t for t in inspect(connection).get_table_names() if t.startswith("consultation_")}
    assert differences == []
    assert tables == {t for t in metadata.tables if t.startswith("consultation_")}


def test_consultation_publications_move_into_the_one_register(settings):
    """0017: a row of the old `consultation_publications` becomes a register record (kept once)."""
    import json

    from sqlalchemy import text

    from bot.db import Database
    from bot.dbcli import upgrade
    from bot.publishing.register import summary as record_summary
    from bot.publishing.review import sha256

    upgrade(settings.database_url, "0013_register")
    database = Database(settings.database_url)
    content = {"title": "停车收费调整", "sections": []}
    moment = "2026-11-02 02:00:00.000000+00:00"
    with database.engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO consultation_drafts (id, slug, title, department, summary, preamble, "
            "contact, opens_on, closes_on, status, sample, source, source_hash, created_at, "
            "updated_at) VALUES (7, 'p', '停车收费调整方案', 'city.transport', '', '', '', "
            "'2026-10-01', '2026-10-31', 'summarised', 0, '', '', :t, :t)"), {"t": moment})
        connection.execute(text(
            "INSERT INTO consultation_summaries (id, draft_id, version, state, content, "
            "content_hash, drafted_by, drafted_at, reviewed_by, published_by, published_at) "
            "VALUES (3, 7, 1, 'published', :c, 'h', 'staff:zhou', :t, 'reviewer:chen', "
            "'staff:zhou', :t)"), {"c": json.dumps(content, ensure_ascii=False), "t": moment})
        connection.execute(text(
            "INSERT INTO consultation_publications (summary_id, draft_id, version, channel, "
            "department, content_hash, html, publisher, reviewer, published_at) VALUES "
            "(3, 7, 1, 'web', 'city.transport', 'h', '<p>x</p>', 'staff:zhou', 'reviewer:chen', :t)"
        ), {"t": moment})  # fmt: skip
    upgrade(settings.database_url)
    with database.session() as session:
        from bot.publishing import RegisterRecord

        [record] = session.query(RegisterRecord).all()
        row = record_summary(record, with_content=True)
        assert (row["kind"], row["reference"], row["version"]) == ("consultation_summary", "draft:7", 1)
        assert (row["unit"], row["drafter"], row["reviewer"], row["publisher"]) == (
            "city.transport", "staff:zhou", "reviewer:chen", "staff:zhou",
        )  # fmt: skip
        assert row["channels"] == ["web"] and row["hash_verified"]
        assert json.loads(row["content"]) == content and record.content_hash == sha256(row["content"])
        assert record.checklist["migrated"] is True
        assert "consultation_publications" not in inspect(session.get_bind()).get_table_names()
    database.dispose()
