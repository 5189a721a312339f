"""How long conversations keep personal data, and the command that enforces it.

The rule: a ticket keeps the citizen's phone number in the `tickets` table for as long as the
ticket exists (the department calls back, status checks compare its last four digits). The
conversation itself needs the raw number only while the citizen is talking and an operator may
read the transcript; after `days` (default 30) every event of Rasa's tracker store older than
that, and every hand-over line, has its phone numbers, ID-card numbers, e-mail addresses and
cued names masked in place. Nothing is deleted: transcripts and counts stay readable.

`python -m bot privacy retain [--days N]` runs it (daily, from cron, beside `tickets monitor`);
it works on the SQLite and the PostgreSQL tracker store and can run again at any time.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Optional, Sequence

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, select, update
from sqlalchemy.engine import Engine

from bot import models  # noqa: F401 - every table mapped, so hand-over lines resolve their keys
from bot.config import Settings
from bot.db import Database, make_engine
from bot.handoff import HandoffMessage
from bot.privacy import mask

DEFAULT_DAYS = 30
BATCH = 500

_tracker = MetaData()
TRACKER_EVENTS = Table(
    "events",
    _tracker,
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255)),
    Column("type_name", String(255)),
    Column("timestamp", Float),
    Column("data", Text),
)
"""The columns of Rasa's `SQLTrackerStore` table this command reads and writes."""


@dataclass(frozen=True)
class RetentionReport:
    cutoff: datetime
    events_scanned: int
    events_masked: int
    handoff_lines_masked: int


def tracker_database_url(settings: Settings) -> str:
    """Where `bot run` tells Rasa to keep its tracker store (see `bot.runner.render_endpoints`)."""
    if settings.is_sqlite:
        return f"sqlite:///{settings.var_dir / 'rasa_tracker.db'}"
    return settings.database_url


def masked_value(value: Any) -> Any:
    """`value` with every string in it masked, however deeply nested (event JSON), except the
    identifiers Rasa gives events (`message_id`, `model_id`, `assistant_id`, `sender_id`: keys
    ending in `_id`). A random hex id holds a run of eleven digits now and then (…13955554444…),
    which reads as a phone number: masking it changed the id and found "a number" again in a
    conversation already masked."""
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, list):
        return [masked_value(item) for item in value]
    if isinstance(value, dict):
        return {
            key: item if _is_identifier(key, item) else masked_value(item)
            for key, item in value.items()
        }
    return value


def _is_identifier(key: Any, item: Any) -> bool:
    return isinstance(key, str) and key.endswith("_id") and isinstance(item, str)


def _mask_tracker(engine: Engine, cutoff: float, senders: Sequence[str]) -> tuple[int, int]:
    scanned = changed = 0
    last_id = 0
    with engine.connect() as connection:
        if not engine.dialect.has_table(connection, "events"):
            return 0, 0
    while True:
        query = select(TRACKER_EVENTS.c.id, TRACKER_EVENTS.c.data).where(
            TRACKER_EVENTS.c.id > last_id, TRACKER_EVENTS.c.timestamp < cutoff
        )
        if senders:
            query = query.where(TRACKER_EVENTS.c.sender_id.in_(senders))
        with engine.begin() as connection:
            rows = connection.execute(query.order_by(TRACKER_EVENTS.c.id).limit(BATCH)).all()
            if not rows:
                return scanned, changed
            for event_id, raw in rows:
                scanned += 1
                last_id = event_id
                try:
                    data = json.loads(raw or "null")
                except ValueError:
                    continue
                masked = masked_value(data)
                if masked != data:
                    changed += 1
                    connection.execute(
                        update(TRACKER_EVENTS)
                        .where(TRACKER_EVENTS.c.id == event_id)
                        .values(data=json.dumps(masked))
                    )


def _mask_handoff_lines(database: Database, cutoff: datetime, senders: Sequence[str]) -> int:
    changed = 0
    last_id = 0
    while True:
        query = select(HandoffMessage).where(
            HandoffMessage.id > last_id, HandoffMessage.at < cutoff
        )
        if senders:
            query = query.where(HandoffMessage.sender_id.in_(senders))
        with database.session() as session:
            lines = session.execute(query.order_by(HandoffMessage.id).limit(BATCH)).scalars().all()
            if not lines:
                return changed
            for line in lines:
                last_id = line.id
                masked = mask(line.text)
                if masked != line.text:
                    line.text = masked
                    changed += 1


def retain(
    settings: Settings,
    days: int = DEFAULT_DAYS,
    now: Optional[datetime] = None,
    senders: Sequence[str] = (),
) -> RetentionReport:
    """Mask personal data in conversation events and hand-over lines older than `days`; only
    those of `senders` when given (a citizen who asks for their conversation to be masked)."""
    if days < 0:
        raise ValueError("保留天数不能为负数")
    cutoff = (now or datetime.now(timezone.utc)) - timedelta(days=days)
    engine = make_engine(tracker_database_url(settings))
    try:
        scanned, masked = _mask_tracker(engine, cutoff.timestamp(), senders)
    finally:
        engine.dispose()
    database = Database(settings.database_url)
    try:
        lines = _mask_handoff_lines(database, cutoff, senders)
    finally:
        database.dispose()
    return RetentionReport(cutoff, scanned, masked, lines)


def _retain(args: argparse.Namespace, settings: Settings) -> int:
    days = settings.retention_days if args.days is None else args.days
    report = retain(settings, days, senders=args.sender or ())
    print(
        f"早于 {report.cutoff:%Y-%m-%d %H:%M} UTC 的对话：检查事件 {report.events_scanned} 条，"
        f"遮盖 {report.events_masked} 条；人工客服对话遮盖 {report.handoff_lines_masked} 行"
    )
    return 0


def register(commands) -> None:
    privacy = commands.top.add_parser("privacy", help="personal data retention")
    sub = privacy.add_subparsers(dest="privacy_command", metavar="ACTION")
    sub.required = True
    retain_parser = sub.add_parser(
        "retain", help="mask phone/ID numbers and names in conversations older than N days"
    )
    retain_parser.add_argument(
        "--days", type=int, help=f"days to keep (default ZS_RETENTION_DAYS, {DEFAULT_DAYS})"
    )
    retain_parser.add_argument(
        "--sender",
        action="append",
        help="only this conversation (repeatable); with --days 0 masks it at once, on request",
    )
    retain_parser.set_defaults(handler=_retain)
