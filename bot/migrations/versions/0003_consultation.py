"""consultation: drafts, clauses, opinions, opinion groups, summaries, publication register, outbox

Revision ID: 0003_consultation
Revises: 0002_tickets
Create Date: 2026-11-27 10:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_consultation"
down_revision = "0002_tickets"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def _draft_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["draft_id"],
        ["consultation_drafts.id"],
        name=op.f(f"fk_{table}_draft_id_consultation_drafts"),
        ondelete="CASCADE",
    )


def _index(table: str, *columns: str) -> None:
    for column in columns:
        op.create_index(op.f(f"ix_{table}_{column}"), table, [column], unique=False)


def upgrade() -> None:
    op.create_table(
        "consultation_drafts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("department", sa.String(length=120), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("preamble", sa.Text(), nullable=False),
        sa.Column("contact", sa.String(length=200), nullable=False),
        sa.Column("opens_on", sa.Date(), nullable=False),
        sa.Column("closes_on", sa.Date(), nullable=False),
        sa.Column("short_window_reason", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("sample", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("source_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_drafts")),
        sa.UniqueConstraint("slug", name=op.f("uq_consultation_drafts_slug")),
    )
    _index("consultation_drafts", "status")

    op.create_table(
        "consultation_clauses",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=60), nullable=False),
        sa.Column("number", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("heading", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        _draft_fk("consultation_clauses"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_clauses")),
        sa.UniqueConstraint("draft_id", "label", name=op.f("uq_consultation_clauses_draft_id")),
    )
    _index("consultation_clauses", "draft_id")

    op.create_table(
        "consultation_groups",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=False),
        sa.Column("clause_id", sa.Integer(), nullable=True),
        sa.Column("representative_id", sa.Integer(), nullable=True),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("keywords", sa.String(length=200), nullable=False),
        sa.Column("outcome", sa.String(length=24), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.String(length=120), nullable=True),
        sa.Column("decided_at", WHEN, nullable=True),
        sa.Column("published_outcome", sa.String(length=24), nullable=True),
        sa.Column("published_reason", sa.Text(), nullable=True),
        sa.Column("published_at", WHEN, nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["clause_id"],
            ["consultation_clauses.id"],
            name=op.f("fk_consultation_groups_clause_id_consultation_clauses"),
        ),
        _draft_fk("consultation_groups"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_groups")),
    )
    _index("consultation_groups", "clause_id", "draft_id")

    op.create_table(
        "consultation_opinions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("receipt_no", sa.String(length=24), nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=False),
        sa.Column("clause_id", sa.Integer(), nullable=True),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("terms", sa.Text(), nullable=False),
        sa.Column("named", sa.Boolean(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=True),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("contact_ok", sa.Boolean(), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("sender_id", sa.String(length=128), nullable=False),
        sa.Column("idempotency_key", sa.String(length=128), nullable=True),
        sa.Column("submitted_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["clause_id"],
            ["consultation_clauses.id"],
            name=op.f("fk_consultation_opinions_clause_id_consultation_clauses"),
        ),
        _draft_fk("consultation_opinions"),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["consultation_groups.id"],
            name=op.f("fk_consultation_opinions_group_id_consultation_groups"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_opinions")),
        sa.UniqueConstraint(
            "idempotency_key", name=op.f("uq_consultation_opinions_idempotency_key")
        ),
        sa.UniqueConstraint("receipt_no", name=op.f("uq_consultation_opinions_receipt_no")),
    )
    _index("consultation_opinions", "clause_id", "draft_id", "group_id", "sender_id")

    op.create_table(
        "consultation_receipt_counters",
        sa.Column("day", sa.String(length=8), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_consultation_receipt_counters")),
    )

    op.create_table(
        "consultation_summaries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("drafted_by", sa.String(length=120), nullable=False),
        sa.Column("drafted_at", WHEN, nullable=False),
        sa.Column("reviewed_by", sa.String(length=120), nullable=True),
        sa.Column("reviewed_at", WHEN, nullable=True),
        sa.Column("review_note", sa.Text(), nullable=True),
        sa.Column("published_by", sa.String(length=120), nullable=True),
        sa.Column("published_at", WHEN, nullable=True),
        sa.Column("superseded_at", WHEN, nullable=True),
        _draft_fk("consultation_summaries"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_summaries")),
        sa.UniqueConstraint("draft_id", "version", name=op.f("uq_consultation_summaries_draft_id")),
    )
    _index("consultation_summaries", "draft_id", "state")

    op.create_table(
        "consultation_publications",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("summary_id", sa.Integer(), nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("department", sa.String(length=120), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("publisher", sa.String(length=120), nullable=False),
        sa.Column("reviewer", sa.String(length=120), nullable=False),
        sa.Column("published_at", WHEN, nullable=False),
        _draft_fk("consultation_publications"),
        sa.ForeignKeyConstraint(
            ["summary_id"],
            ["consultation_summaries.id"],
            name=op.f("fk_consultation_publications_summary_id_consultation_summaries"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_publications")),
        sa.UniqueConstraint(
            "summary_id", "channel", name=op.f("uq_consultation_publications_summary_id")
        ),
    )
    _index("consultation_publications", "draft_id")

    op.create_table(
        "consultation_notifications",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("summary_id", sa.Integer(), nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("sender_id", sa.String(length=128), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(length=500), nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("sent_at", WHEN, nullable=True),
        _draft_fk("consultation_notifications"),
        sa.ForeignKeyConstraint(
            ["summary_id"],
            ["consultation_summaries.id"],
            name=op.f("fk_consultation_notifications_summary_id_consultation_summaries"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_notifications")),
        sa.UniqueConstraint(
            "summary_id",
            "channel",
            "sender_id",
            name=op.f("uq_consultation_notifications_summary_id"),
        ),
    )
    _index("consultation_notifications", "draft_id", "status")


def downgrade() -> None:
    for table in (
        "consultation_notifications",
        "consultation_publications",
        "consultation_summaries",
        "consultation_receipt_counters",
        "consultation_opinions",
        "consultation_groups",
        "consultation_clauses",
        "consultation_drafts",
    ):
        op.drop_table(table)
