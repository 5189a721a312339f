"""routing: operators' corrections of the router (labelled examples for training)

Revision ID: 0016_routing
Revises: 0014_wechat
Create Date: 2026-12-06 23:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0016_routing"
down_revision = "0014_wechat"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "routing_corrections",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("operator", sa.String(length=120), nullable=False),
        sa.Column("ticket_number", sa.String(length=32), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("routed_type", sa.String(length=8), nullable=True),
        sa.Column("routed_category", sa.String(length=64), nullable=True),
        sa.Column("routed_department_id", sa.String(length=64), nullable=True),
        sa.Column("routed_jurisdiction", sa.String(length=32), nullable=True),
        sa.Column("type", sa.String(length=8), nullable=True),
        sa.Column("category", sa.String(length=64), nullable=True),
        sa.Column("department_id", sa.String(length=64), nullable=True),
        sa.Column("jurisdiction", sa.String(length=32), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routing_corrections")),
    )
    with op.batch_alter_table("routing_corrections", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_routing_corrections_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_routing_corrections_ticket_number"), ["ticket_number"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("routing_corrections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_routing_corrections_ticket_number"))
        batch_op.drop_index(batch_op.f("ix_routing_corrections_created_at"))
    op.drop_table("routing_corrections")
