"""seams: one daily-sequence table for every record number, one outbox for every notice

The tickets' and the consultation receipts' day counters move into `daily_sequences` (series ZS
and YJ); the consultation's `consultation_notifications` and the tickets' department
`notifications` move into `notices` (renamed columns: dedupe_key, recipient), under dedupe keys
naming their cause. A downgrade restores the counters; notices stay in `notices`.

Revision ID: 0006_seams
Revises: 0005_web
Create Date: 2026-12-06 23:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_seams"
down_revision = "0005_web"
branch_labels = None
depends_on = None

COUNTERS = {"ticket_counters": "ZS", "consultation_receipt_counters": "YJ"}


def upgrade() -> None:
    op.create_table(
        "daily_sequences",
        sa.Column("series", sa.String(length=16), nullable=False),
        sa.Column("day", sa.String(length=8), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("series", "day", name=op.f("pk_daily_sequences")),
    )
    for table, series in COUNTERS.items():
        op.execute(
            f"INSERT INTO daily_sequences (series, day, last) "
            f"SELECT '{series}', day, last FROM {table}"
        )
        op.drop_table(table)

    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.drop_constraint("uq_notices_key", type_="unique")
        batch_op.alter_column(
            "key",
            new_column_name="dedupe_key",
            existing_type=sa.String(length=160),
            type_=sa.String(length=255),
            existing_nullable=False,
        )
        batch_op.alter_column(
            "sender_id",
            new_column_name="recipient",
            existing_type=sa.String(length=128),
            existing_nullable=False,
        )
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.create_unique_constraint(op.f("uq_notices_dedupe_key"), ["dedupe_key"])

    op.execute(
        "INSERT INTO notices (dedupe_key, channel, recipient, message, status, attempts, error,"
        " created_at, sent_at) "
        "SELECT 'consultation:summary:' || summary_id || ':' || channel || ':' || sender_id,"
        " channel, sender_id, message, status, attempts, error, created_at, sent_at"
        " FROM consultation_notifications ORDER BY id"
    )
    op.execute(
        "INSERT INTO notices (dedupe_key, channel, recipient, message, status, attempts, error,"
        " created_at, sent_at) "
        "SELECT 'ticket:' || t.number || ':supervised:' || n.id, 'department', n.department_id,"
        " n.message, CASE WHEN n.sent_at IS NULL THEN 'pending' ELSE 'sent' END, 0, NULL,"
        " n.created_at, n.sent_at"
        " FROM notifications n JOIN tickets t ON t.id = n.ticket_id ORDER BY n.id"
    )
    op.drop_table("consultation_notifications")
    op.drop_table("notifications")


def downgrade() -> None:
    when = sa.DateTime(timezone=True)
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("created_at", when, nullable=False),
        sa.Column("department_id", sa.String(length=64), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("sent_at", when, nullable=True),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name=op.f("fk_notifications_ticket_id_tickets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_notifications_department_id"), ["department_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_notifications_ticket_id"), ["ticket_id"], unique=False)
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
        sa.Column("created_at", when, nullable=False),
        sa.Column("sent_at", when, nullable=True),
        sa.ForeignKeyConstraint(
            ["draft_id"],
            ["consultation_drafts.id"],
            name=op.f("fk_consultation_notifications_draft_id_consultation_drafts"),
            ondelete="CASCADE",
        ),
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
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.drop_constraint("uq_notices_dedupe_key", type_="unique")
        batch_op.alter_column(
            "recipient",
            new_column_name="sender_id",
            existing_type=sa.String(length=128),
            existing_nullable=False,
        )
        batch_op.alter_column(
            "dedupe_key",
            new_column_name="key",
            existing_type=sa.String(length=255),
            type_=sa.String(length=160),
            existing_nullable=False,
        )
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.create_unique_constraint(op.f("uq_notices_key"), ["key"])

    for table, series in COUNTERS.items():
        op.create_table(
            table,
            sa.Column("day", sa.String(length=8), nullable=False),
            sa.Column("last", sa.Integer(), nullable=False),
            sa.PrimaryKeyConstraint("day", name=op.f(f"pk_{table}")),
        )
        op.execute(
            f"INSERT INTO {table} (day, last) "
            f"SELECT day, last FROM daily_sequences WHERE series = '{series}'"
        )
    op.drop_table("daily_sequences")
