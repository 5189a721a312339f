"""register: review before publication, the publication register, stored scorecard counts (issue 19)

Revision ID: 0013_register
Revises: 0007_journeys
Create Date: 2026-12-07 00:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_register"
down_revision = "0007_journeys"
branch_labels = None
depends_on = None


def upgrade() -> None:
    when = sa.DateTime(timezone=True)
    op.create_table(
        "publication_register",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("number", sa.String(length=24), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("reference", sa.String(length=120), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("unit", sa.String(length=64), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("drafter", sa.String(length=120), nullable=False),
        sa.Column("reviewer", sa.String(length=120), nullable=False),
        sa.Column("checklist", sa.JSON(), nullable=False),
        sa.Column("publisher", sa.String(length=120), nullable=False),
        sa.Column("published_at", when, nullable=False),
        sa.Column("channels", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_publication_register")),
        sa.UniqueConstraint("number", name=op.f("uq_publication_register_number")),
        sa.UniqueConstraint("kind", "reference", "version", name="uq_publication_register_version"),
    )
    op.create_index(
        "ix_publication_register_published_at", "publication_register", ["published_at"]
    )
    op.create_table(
        "publication_items",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("reference", sa.String(length=120), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("unit", sa.String(length=64), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("drafter", sa.String(length=120), nullable=False),
        sa.Column("submitted_at", when, nullable=False),
        sa.Column("reviewer", sa.String(length=120), nullable=True),
        sa.Column("reviewed_at", when, nullable=True),
        sa.Column("checklist", sa.JSON(), nullable=True),
        sa.Column("refusal_reason", sa.Text(), nullable=True),
        sa.Column("record_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["publication_register.id"],
            name=op.f("fk_publication_items_record_id_publication_register"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_publication_items")),
    )
    op.create_index(
        "ix_publication_items_subject", "publication_items", ["kind", "reference", "state"]
    )
    op.create_table(
        "scorecard_ticket_months",
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("unit", sa.String(length=120), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("counted_at", when, nullable=False),
        sa.PrimaryKeyConstraint("month", "unit", name=op.f("pk_scorecard_ticket_months")),
    )
    op.create_index("ix_tickets_created_at", "tickets", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_tickets_created_at", table_name="tickets")
    op.drop_table("scorecard_ticket_months")
    op.drop_index("ix_publication_items_subject", table_name="publication_items")
    op.drop_table("publication_items")
    op.drop_index("ix_publication_register_published_at", table_name="publication_register")
    op.drop_table("publication_register")
