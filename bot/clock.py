"""Local time for people: everything is stored in UTC and shown in Zhoushan's time (UTC+8)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Optional
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def local(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(LOCAL_TZ)


def format_cn(moment: Optional[datetime], with_time: bool = True) -> str:
    """2026年12月04日 17:30 (local time); empty for None."""
    if moment is None:
        return ""
    value = local(moment)
    return value.strftime("%Y年%m月%d日 %H:%M" if with_time else "%Y年%m月%d日")
