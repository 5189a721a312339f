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
