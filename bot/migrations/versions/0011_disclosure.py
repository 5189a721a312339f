"""disclosure: applications for government information, their daily number counters

Revision ID: 0011_disclosure
Revises: 0006_seams
Create Date: 2026-12-06 23:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_disclosure"
down_revision = "0006_seams"
branch_labels = None
depends_on = None


def upgrade() -> None:
    when = sa.DateTime(timezone=True)
    op.create_table(
        "disclosure_applications",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("number", sa.String(length=24), nullable=False),
        sa.Column("created_at", when, nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("sender_id", sa.String(length=128), nullable=True),
        sa.Column("idempotency_key", sa.String(length=128), nullable=True),
        sa.Column("applicant_kind", sa.String(length=16), nullable=False),
        sa.Column("applicant_name", sa.String(length=120), nullable=False),
        sa.Column("id_type", sa.String(length=24), nullable=False),
        sa.Column("id_masked", sa.String(length=32), nullable=False),
        sa.Column("id_digest", sa.String(length=64), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("email", sa.String(length=120), nullable=True),
        sa.Column("address", sa.String(length=200), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("description_key", sa.String(length=64), nullable=False),
        sa.Column("medium", sa.String(length=8), nullable=False),
        sa.Column("delivery", sa.String(length=8), nullable=False),
        sa.Column("department_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("clock_started_at", when, nullable=False),
        sa.Column("due_at", when, nullable=False),
        sa.Column("paused_at", when, nullable=True),
        sa.Column("correction_note", sa.Text(), nullable=True),
        sa.Column("correction_due_at", when, nullable=True),
        sa.Column("corrections", sa.Integer(), nullable=False),
        sa.Column("extension_days", sa.Integer(), nullable=True),
        sa.Column("extension_reason", sa.Text(), nullable=True),
        sa.Column("extension_approver", sa.String(length=64), nullable=True),
        sa.Column("reply_type", sa.String(length=32), nullable=True),
        sa.Column("reply_detail", sa.JSON(), nullable=False),
        sa.Column("result_row", sa.String(length=24), nullable=True),
        sa.Column("document", sa.Text(), nullable=True),
        sa.Column("replied_at", when, nullable=True),
        sa.Column("closed_at", when, nullable=True),
        sa.Column("supervised", sa.Boolean(), nullable=False),
        sa.Column("supervised_at", when, nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disclosure_applications")),
        sa.UniqueConstraint(
            "idempotency_key", name=op.f("uq_disclosure_applications_idempotency_key")
        ),
        sa.UniqueConstraint("number", name=op.f("uq_disclosure_applications_number")),
    )
    with op.batch_alter_table("disclosure_applications", schema=None) as batch_op:
        batch_op.create_index("ix_disclosure_applications_closed_at", ["closed_at"], unique=False)
        batch_op.create_index("ix_disclosure_applications_created_at", ["created_at"], unique=False)
        batch_op.create_index(
            "ix_disclosure_applications_inbox", ["department_id", "status", "due_at"], unique=False
        )
        batch_op.create_index(
            "ix_disclosure_applications_repeat", ["id_digest", "description_key"], unique=False
        )
        batch_op.create_index(
            "ix_disclosure_applications_status_due", ["status", "due_at"], unique=False
        )



def downgrade() -> None:
    with op.batch_alter_table("disclosure_applications", schema=None) as batch_op:
        batch_op.drop_index("ix_disclosure_applications_status_due")
        batch_op.drop_index("ix_disclosure_applications_repeat")
        batch_op.drop_index("ix_disclosure_applications_inbox")
        batch_op.drop_index("ix_disclosure_applications_created_at")
        batch_op.drop_index("ix_disclosure_applications_closed_at")

    op.drop_table("disclosure_applications")
