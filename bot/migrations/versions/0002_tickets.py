"""tickets: 12345 tickets, their daily number counters and department notifications

Revision ID: 0002_tickets
Revises: 0001_foundation
Create Date: 2026-11-27 09:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_tickets"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None

IN_DEPARTMENT = sa.text("status IN ('dispatched', 'signed')")
OPEN = sa.text("status IN ('received', 'dispatched', 'returned', 'signed')")


def upgrade() -> None:
    when = sa.DateTime(timezone=True)
    op.create_table(
        "tickets",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("number", sa.String(length=24), nullable=False),
        sa.Column("created_at", when, nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("sender_id", sa.String(length=128), nullable=True),
        sa.Column("idempotency_key", sa.String(length=128), nullable=True),
        sa.Column("type", sa.String(length=8), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=True),
        sa.Column("category_name", sa.String(length=64), nullable=True),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=True),
        sa.Column("jurisdiction", sa.String(length=64), nullable=True),
        sa.Column("citizen_phone", sa.String(length=32), nullable=True),
        sa.Column("citizen_name", sa.String(length=64), nullable=True),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("department_id", sa.String(length=64), nullable=True),
        sa.Column("co_department_ids", sa.JSON(), nullable=False),
        sa.Column("sign_by", when, nullable=True),
        sa.Column("due_at", when, nullable=True),
        sa.Column("dispatched_at", when, nullable=True),
        sa.Column("signed_at", when, nullable=True),
        sa.Column("return_reason", sa.Text(), nullable=True),
        sa.Column("extension_state", sa.String(length=10), nullable=True),
        sa.Column("extension_days", sa.Integer(), nullable=True),
        sa.Column("extension_reason", sa.Text(), nullable=True),
        sa.Column("reply", sa.Text(), nullable=True),
        sa.Column("replied_at", when, nullable=True),
        sa.Column("satisfaction", sa.String(length=8), nullable=True),
        sa.Column("visited_at", when, nullable=True),
        sa.Column("reopen_count", sa.Integer(), nullable=False),
        sa.Column("closed_at", when, nullable=True),
        sa.Column("supervised", sa.Boolean(), nullable=False),
        sa.Column("supervised_at", when, nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tickets")),
        sa.UniqueConstraint("number", name=op.f("uq_tickets_number")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_tickets_idempotency_key")),
    )
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.create_index("ix_tickets_inbox", ["department_id", "status", "due_at"])
        batch_op.create_index(
            "ix_tickets_open_inbox",
            ["department_id", "due_at", "id"],
            postgresql_where=IN_DEPARTMENT,
            sqlite_where=IN_DEPARTMENT,
        )
        batch_op.create_index(
            "ix_tickets_open_due",
            ["due_at", "id"],
            postgresql_where=OPEN,
            sqlite_where=OPEN,
        )

    op.create_table(
        "ticket_counters",
        sa.Column("day", sa.String(length=8), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_ticket_counters")),
    )

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


def downgrade() -> None:
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notifications_ticket_id"))
        batch_op.drop_index(batch_op.f("ix_notifications_department_id"))
    op.drop_table("notifications")
    op.drop_table("ticket_counters")
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_index("ix_tickets_open_due")
        batch_op.drop_index("ix_tickets_open_inbox")
        batch_op.drop_index("ix_tickets_inbox")
    op.drop_table("tickets")
