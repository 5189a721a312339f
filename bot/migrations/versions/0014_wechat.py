"""wechat: deliveries taken on and what we keep of each follower

Revision ID: 0014_wechat
Revises: 0012_hotspots
Create Date: 2026-12-06 23:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_wechat"
down_revision = "0012_hotspots"
branch_labels = None
depends_on = None


def upgrade() -> None:
    when = sa.DateTime(timezone=True)
    op.create_table(
        "wechat_deliveries",
        sa.Column("key", sa.String(length=160), nullable=False),
        sa.Column("received_at", when, nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_wechat_deliveries")),
    )
    op.create_table(
        "wechat_followers",
        sa.Column("openid", sa.String(length=64), nullable=False),
        sa.Column("last_seen_at", when, nullable=False),
        sa.Column("choices", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("openid", name=op.f("pk_wechat_followers")),
    )


def downgrade() -> None:
    op.drop_table("wechat_followers")
    op.drop_table("wechat_deliveries")
