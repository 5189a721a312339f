"""journeys: wrong phone digits on status checks (lockout)

Revision ID: 0007_journeys
Revises: 0016_routing
Create Date: 2026-12-06 23:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_journeys"
down_revision = "0016_routing"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "status_check_failures",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("subject", sa.String(length=160), nullable=False),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_check_failures")),
    )
    with op.batch_alter_table("status_check_failures", schema=None) as batch_op:
        batch_op.create_index(
            "ix_status_check_failures_subject_at", ["subject", "failed_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("status_check_failures", schema=None) as batch_op:
        batch_op.drop_index("ix_status_check_failures_subject_at")
    op.drop_table("status_check_failures")
