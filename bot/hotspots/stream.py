"""Streams of messages as files (one JSON object a line) and topics as JSON lines.

A line is `{"id", "time" (ISO 8601 with offset), "text", "source"}`, optionally `"citizen"` (who
wrote, when the source says) and `"label"` (for evaluation). A line that cannot be read gets one
error naming its number and the reason, and reading goes on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import IO, Iterator, Optional

from bot.hotspots.assess import Assessment, district_of, title
from bot.hotspots.detect import Message, Topic
from bot.tickets.routing import Router

MAX_LINE_CHARS = 100_000


@dataclass(frozen=True)
class Line:
    number: int
    message: Optional[Message]
    label: Optional[str] = None
    error: Optional[str] = None


def read_lines(stream: IO[str]) -> Iterator[Line]:
    for number, raw in enumerate(stream, 1):
        if not raw.strip():
            continue
        try:
            message, label = parse(raw)
        except ValueError as error:
            yield Line(number, None, error=str(error))
            continue
        yield Line(number, message, label)


_ZONES: dict = {}
ZONES = 100


def _one_zone(moment: datetime) -> datetime:
    """`moment` with the one offset object of its offset: `fromisoformat` makes a new one per
    line, and times of different offset objects compare and subtract several times slower (the
    same instants, printed the same way)."""
    offset = moment.utcoffset()
    zone = _ZONES.get(offset)
    if zone is None:
        if len(_ZONES) >= ZONES or type(moment.tzinfo) is not timezone:
            return moment
        zone = _ZONES[offset] = moment.tzinfo
    return moment if zone is moment.tzinfo else moment.replace(tzinfo=zone)


def parse(raw: str) -> tuple[Message, Optional[str]]:
    if len(raw) > MAX_LINE_CHARS:
        raise ValueError(f"一行超过{MAX_LINE_CHARS}个字符")
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as error:
        raise ValueError(f"不是 JSON：{error.msg}（第{error.colno}列）") from None
    if not isinstance(data, dict):
        raise ValueError("每行应是一个 JSON 对象")
    missing = [key for key in ("id", "time", "text", "source") if data.get(key) in (None, "")]
    if missing:
        raise ValueError(f"缺少字段：{', '.join(missing)}")
    if not isinstance(data["text"], str):
        raise ValueError("text 应是字符串")
    try:
        moment = datetime.fromisoformat(str(data["time"]).replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"time 不是 ISO 8601 时间：{str(data['time'])[:40]}") from None
    if moment.tzinfo is None:
        raise ValueError("time 须带时区（如 +08:00）")
    moment = _one_zone(moment)
    citizen = data.get("citizen") or data.get("user")
    message = Message(
        id=str(data["id"])[:100],
        time=moment,
        text=data["text"],
        source=str(data["source"])[:40],
        citizen=str(citizen)[:100] if citizen else None,
    )
    label = data.get("label")
    return message, str(label) if label is not None else None


def topic_record(
    topic: Topic, router: Router, assessment: Optional[Assessment]
) -> dict[str, object]:
    """A topic as the `hotspots detect --json` line."""
    if assessment is None:
        district = district_of(router, topic)
        return {
            "topic_id": topic.id,
            "title": title(topic),
            "message_ids": topic.message_ids,
            "first_seen": topic.first_seen.isoformat(),
            "alert_at": "",
            "level": "",
            "district": router.gazetteer.jurisdiction(district).name if district else "",
            "responsible": "",
            "respond_by": "",
        }
    return {
        "topic_id": topic.id,
        "title": assessment.title,
        "message_ids": topic.message_ids,
        "first_seen": topic.first_seen.isoformat(),
        "alert_at": topic.alert_at.isoformat() if topic.alert_at else "",
        "level": assessment.level,
        "district": assessment.district_name or "",
        "responsible": assessment.responsible or "",
        "respond_by": assessment.respond_by.isoformat() if assessment.respond_by else "",
        "kind": assessment.kind_name,
        "needs_confirmation": assessment.needs_confirmation,
        "co_responsible": assessment.co_responsible,
        "press_conference_by": (
            assessment.press_conference_by.isoformat() if assessment.press_conference_by else ""
        ),
        "heat": topic.heat(topic.last_seen),
    }
