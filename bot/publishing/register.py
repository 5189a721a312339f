"""Reading the publication register: search, one record with its history, CSV export."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any, Optional

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.clock import local
from bot.publishing.models import KINDS, RegisterRecord
from bot.publishing.review import NotFound, sha256
from bot.text import clean

PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
CSV_COLUMNS = (
    "number", "kind", "reference", "version", "title", "unit", "content_hash", "drafter",
    "reviewer", "publisher", "published_at", "channels",
)  # fmt: skip


@dataclass(frozen=True)
class Query:
    text: str = ""
    kind: str = ""
    unit: str = ""
    limit: int = PAGE_SIZE
    offset: int = 0


def search(session: Session, query: Query) -> list[RegisterRecord]:
    """Newest first; `text` matches number, title, reference, unit or a person."""
    statement = select(RegisterRecord)
    text = clean(query.text, 100)
    if text:
        pattern = f"%{text}%"
        statement = statement.where(
            or_(
                RegisterRecord.number.ilike(pattern),
                RegisterRecord.title.ilike(pattern),
                RegisterRecord.reference.ilike(pattern),
                RegisterRecord.unit.ilike(pattern),
                RegisterRecord.reviewer.ilike(pattern),
                RegisterRecord.publisher.ilike(pattern),
            )
        )
    if query.kind in KINDS:
        statement = statement.where(RegisterRecord.kind == query.kind)
    if query.unit:
        statement = statement.where(RegisterRecord.unit == clean(query.unit, 64))
    limit = max(1, min(query.limit, MAX_PAGE_SIZE))
    statement = statement.order_by(RegisterRecord.published_at.desc(), RegisterRecord.id.desc())
    return list(session.execute(statement.limit(limit).offset(max(0, query.offset))).scalars())


def get_record(session: Session, number: str) -> RegisterRecord:
    record = session.execute(
        select(RegisterRecord).where(RegisterRecord.number == clean(number, 24))
    ).scalar_one_or_none()
    if record is None:
        raise NotFound(f"没有登记记录 {clean(number, 24)}")
    return record


def versions(session: Session, record: RegisterRecord) -> list[RegisterRecord]:
    """Every version of the record's subject, oldest first (the history a correction keeps)."""
    return list(
        session.execute(
            select(RegisterRecord)
            .where(RegisterRecord.kind == record.kind, RegisterRecord.reference == record.reference)
            .order_by(RegisterRecord.version)
        ).scalars()
    )


def latest(session: Session, kind: str, reference: str) -> Optional[RegisterRecord]:
    return (
        session.execute(
            select(RegisterRecord)
            .where(RegisterRecord.kind == kind, RegisterRecord.reference == reference)
            .order_by(RegisterRecord.version.desc())
        )
        .scalars()
        .first()
    )


def summary(record: RegisterRecord, with_content: bool = False) -> dict[str, Any]:
    """A record as the command line, the API and the CSV show it (times in Beijing time)."""
    row: dict[str, Any] = {
        "number": record.number,
        "kind": record.kind,
        "kind_name": KINDS.get(record.kind, record.kind),
        "reference": record.reference,
        "version": record.version,
        "title": record.title,
        "unit": record.unit,
        "content_hash": record.content_hash,
        "hash_verified": sha256(record.content) == record.content_hash,
        "drafter": record.drafter,
        "reviewer": record.reviewer,
        "checklist": record.checklist,
        "publisher": record.publisher,
        "published_at": local(record.published_at).isoformat(timespec="seconds"),
        "channels": list(record.channels),
    }
    if with_content:
        row["content"] = record.content
    return row


def to_csv(records: list[RegisterRecord]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for record in records:
        row = summary(record)
        row["channels"] = ";".join(row["channels"])
        writer.writerow([row[column] for column in CSV_COLUMNS])
    return out.getvalue()
