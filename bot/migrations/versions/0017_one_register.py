"""one register: consultation publications live in the publication register only (issue 19)

Every row of `consultation_publications` is copied into `publication_register` unless the register
already holds that version of the draft's summary (kind `consultation_summary`, reference
`draft:<id>`), then the table goes. Pages are rendered from the registered content.

Revision ID: 0017_one_register
Revises: 0013_register
Create Date: 2026-12-07 12:00:00
"""

import hashlib
import json

import sqlalchemy as sa
from alembic import op

revision = "0017_one_register"
down_revision = "0013_register"
branch_labels = None
depends_on = None

MIGRATED_NOTE = "自 consultation_publications 迁入发布登记簿（迁移 0017）"


def upgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT p.id, p.draft_id, p.version, p.channel, p.department, p.publisher, "
            "p.reviewer, p.published_at, s.content, s.drafted_by, d.title "
            "FROM consultation_publications p "
            "JOIN consultation_summaries s ON s.id = p.summary_id "
            "JOIN consultation_drafts d ON d.id = p.draft_id ORDER BY p.id"
        )
    ).mappings().all()
    register = sa.table(
        "publication_register",
        *(sa.column(name) for name in (
            "number", "kind", "reference", "version", "title", "unit", "content", "content_hash",
            "drafter", "reviewer", "checklist", "publisher", "published_at", "channels",
        )),  # fmt: skip
    )
    for row in rows:
        reference = f"draft:{row['draft_id']}"
        held = bind.execute(
            sa.text(
                "SELECT 1 FROM publication_register WHERE kind = 'consultation_summary' "
                "AND reference = :reference AND version = :version"
            ),
            {"reference": reference, "version": row["version"]},
        ).first()
        if held:
            continue
        content = row["content"] if isinstance(row["content"], dict) else json.loads(row["content"])
        text = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        op.execute(
            register.insert().values(
                number=f"FBM-{row['id']:08d}",
                kind="consultation_summary",
                reference=reference,
                version=row["version"],
                title=f"《{row['title']}》采纳情况"[:200],
                unit=row["department"][:64],
                content=text,
                content_hash=hashlib.sha256(text.encode("utf-8")).hexdigest(),
                drafter=row["drafted_by"],
                reviewer=row["reviewer"],
                checklist=json.dumps({"migrated": True, "note": MIGRATED_NOTE}, ensure_ascii=False),
                publisher=row["publisher"],
                published_at=row["published_at"],
                channels=json.dumps([row["channel"]]),
            )
        )
    op.drop_table("consultation_publications")


def downgrade() -> None:
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
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["draft_id"], ["consultation_drafts.id"], ondelete="CASCADE",
            name=op.f("fk_consultation_publications_draft_id_consultation_drafts"),
        ),  # fmt: skip
        sa.ForeignKeyConstraint(
            ["summary_id"], ["consultation_summaries.id"],
            name=op.f("fk_consultation_publications_summary_id_consultation_summaries"),
        ),  # fmt: skip
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_publications")),
        sa.UniqueConstraint(
            "summary_id", "channel", name=op.f("uq_consultation_publications_summary_id")
        ),
    )
    op.create_index(
        op.f("ix_consultation_publications_draft_id"), "consultation_publications", ["draft_id"]
    )
