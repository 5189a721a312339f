"""hotspots: the public-opinion monitor's items, topics, responses and cursors

Revision ID: 0012_hotspots
Revises: 0011_disclosure
Create Date: 2026-12-07 00:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_hotspots"
down_revision = "0011_disclosure"
branch_labels = None
depends_on = None


def upgrade() -> None:
    when = sa.DateTime(timezone=True)
    op.create_table(
        "hotspot_topics",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=True),
        sa.Column("kind_name", sa.String(length=40), nullable=True),
        sa.Column("level", sa.String(length=8), nullable=True),
        sa.Column("needs_confirmation", sa.Integer(), nullable=False),
        sa.Column("confirmed_by", sa.String(length=64), nullable=True),
        sa.Column("district", sa.String(length=32), nullable=True),
        sa.Column("district_name", sa.String(length=40), nullable=True),
        sa.Column("responsible_id", sa.String(length=80), nullable=True),
        sa.Column("responsible", sa.String(length=120), nullable=True),
        sa.Column("co_responsible", sa.Text(), nullable=True),
        sa.Column("first_seen", when, nullable=False),
        sa.Column("last_seen", when, nullable=False),
        sa.Column("alert_at", when, nullable=True),
        sa.Column("respond_by", when, nullable=True),
        sa.Column("press_conference_by", when, nullable=True),
        sa.Column("messages", sa.Integer(), nullable=False),
        sa.Column("citizens", sa.Integer(), nullable=False),
        sa.Column("heat", sa.Text(), nullable=True),
        sa.Column("judgement", sa.Text(), nullable=True),
        sa.Column("evaluation", sa.Text(), nullable=True),
        sa.Column("supervised_at", when, nullable=True),
        sa.Column("responded_at", when, nullable=True),
        sa.Column("closed_at", when, nullable=True),
        sa.Column("updated_at", when, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hotspot_topics")),
    )
    with op.batch_alter_table("hotspot_topics", schema=None) as batch_op:
        batch_op.create_index("ix_hotspot_topics_status", ["status", "last_seen"], unique=False)
        batch_op.create_index("ix_hotspot_topics_respond_by", ["respond_by"], unique=False)
        batch_op.create_index("ix_hotspot_topics_alert_at", ["alert_at"], unique=False)
    op.create_table(
        "hotspot_items",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("external_id", sa.String(length=160), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=True),
        sa.Column("sender_id", sa.String(length=128), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=True),
        sa.Column("engagement", sa.Integer(), nullable=False),
        sa.Column("received_at", when, nullable=False),
        sa.Column("topic_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["topic_id"], ["hotspot_topics.id"], name=op.f("fk_hotspot_items_topic_id_hotspot_topics")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hotspot_items")),
        sa.UniqueConstraint("source", "external_id", name="uq_hotspot_items_source"),
    )
    with op.batch_alter_table("hotspot_items", schema=None) as batch_op:
        batch_op.create_index("ix_hotspot_items_topic", ["topic_id"], unique=False)
        batch_op.create_index("ix_hotspot_items_received", ["received_at"], unique=False)
    op.create_table(
        "hotspot_responses",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("topic_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("drafted_by", sa.String(length=64), nullable=False),
        sa.Column("drafted_at", when, nullable=False),
        sa.Column("reviewed_by", sa.String(length=64), nullable=True),
        sa.Column("reviewed_at", when, nullable=True),
        sa.Column("checklist", sa.Text(), nullable=True),
        sa.Column("refusal_reason", sa.Text(), nullable=True),
        sa.Column("published_by", sa.String(length=64), nullable=True),
        sa.Column("published_at", when, nullable=True),
        sa.ForeignKeyConstraint(
            ["topic_id"], ["hotspot_topics.id"],
            name=op.f("fk_hotspot_responses_topic_id_hotspot_topics"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hotspot_responses")),
        sa.UniqueConstraint("topic_id", "version", name="uq_hotspot_responses_version"),
    )
    op.create_table(
        "hotspot_cursors",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_hotspot_cursors")),
    )


def downgrade() -> None:
    op.drop_table("hotspot_cursors")
    op.drop_table("hotspot_responses")
    with op.batch_alter_table("hotspot_items", schema=None) as batch_op:
        batch_op.drop_index("ix_hotspot_items_received")
        batch_op.drop_index("ix_hotspot_items_topic")
    op.drop_table("hotspot_items")
    with op.batch_alter_table("hotspot_topics", schema=None) as batch_op:
        batch_op.drop_index("ix_hotspot_topics_alert_at")
        batch_op.drop_index("ix_hotspot_topics_respond_by")
        batch_op.drop_index("ix_hotspot_topics_status")
    op.drop_table("hotspot_topics")
