"""Validation of everything that enters the consultation: drafts, opinions, decisions.

Each form cleans its fields with `bot.text.clean` and returns a validated copy, or raises
`ConsultationError` with a Chinese message that can be shown as is to whoever made the mistake.
Commands (in drafts.py, opinions.py, decisions.py, publish.py) validate through these forms first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from typing import Optional, Sequence

from bot.accounts import Principal
from bot.consultation.models import DRAFT_STATUSES, OUTCOMES, Outcome
from bot.privacy import normalise_phone
from bot.text import clean, has_content

MIN_WINDOW_DAYS = 30
OPINION_MIN_CHARS = 10
OPINION_MAX_CHARS = 2000
REASON_MIN_CHARS = 5
REASON_MAX_CHARS = 1000
SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
_OUTCOME_ALIASES = {
    **{outcome.label: code for code, outcome in OUTCOMES.items()},
    "已有规定": "not_applicable",
    "不属于本次范围": "not_applicable",
}


class ConsultationError(ValueError):
    """Invalid input or a refused state change; the message is meant for the person who asked."""


class PermissionDenied(ConsultationError):
    pass


class NotFound(ConsultationError):
    pass


class Ambiguous(ConsultationError):
    """More than one draft or clause matches; `candidates` lets a chat offer buttons."""

    def __init__(self, message: str, candidates: Sequence[object]) -> None:
        super().__init__(message)
        self.candidates = list(candidates)


def require_role(actor: Principal, *roles: str) -> None:
    if not actor.can(*roles):
        raise PermissionDenied(f"{actor.username} 没有此操作的权限（需要{'或'.join(roles)}角色）")


def window_days(opens_on: date, closes_on: date) -> int:
    """Days in a comment window, both ends included."""
    return (closes_on - opens_on).days + 1


@dataclass(frozen=True)
class DraftForm:
    slug: str
    title: str
    department: str
    opens_on: date
    closes_on: date
    text: str
    summary: str = ""
    contact: str = ""
    short_window_reason: Optional[str] = None
    status: str = "draft"
    sample: bool = False
    source: str = ""

    def validate(self) -> DraftForm:
        slug = (self.slug or "").strip()
        if not SLUG.fullmatch(slug):
            raise ConsultationError(
                f"稿件标识 {slug!r} 无效：只能用小写字母、数字和连字符，且以字母或数字开头"
            )
        title = clean(self.title, 200)
        department = clean(self.department, 120)
        if len(title) < 4:
            raise ConsultationError("征求意见稿标题至少4个字")
        if len(department) < 2:
            raise ConsultationError("请填写起草部门")
        if not isinstance(self.opens_on, date) or not isinstance(self.closes_on, date):
            raise ConsultationError("征求意见起止日期格式应为 YYYY-MM-DD")
        if self.closes_on < self.opens_on:
            raise ConsultationError("征求意见截止日期不能早于开始日期")
        reason = clean(self.short_window_reason or "", 500) or None
        days = window_days(self.opens_on, self.closes_on)
        if days < MIN_WINDOW_DAYS and (reason is None or len(reason) < REASON_MIN_CHARS):
            raise ConsultationError(
                f"征求意见期限为{days}日，少于{MIN_WINDOW_DAYS}日；"
                "确需缩短的，请说明理由（short_window_reason）"
            )
        if self.status not in DRAFT_STATUSES or self.status == "summarised":
            raise ConsultationError("稿件状态只能是 draft、open 或 closed")
        if not (self.text or "").strip():
            raise ConsultationError("征求意见稿正文为空")
        return replace(
            self,
            slug=slug,
            title=title,
            department=department,
            summary=clean(self.summary, 2000),
            contact=clean(self.contact, 200),
            short_window_reason=reason,
        )


@dataclass(frozen=True)
class OpinionForm:
    text: str
    named: bool = False
    name: Optional[str] = None
    phone: Optional[str] = None
    contact_ok: bool = False
    channel: str = "web"
    sender_id: str = ""
    idempotency_key: Optional[str] = None

    def validate(self) -> OpinionForm:
        text = clean(self.text, OPINION_MAX_CHARS + 1)
        if not has_content(text) or len(text) < OPINION_MIN_CHARS:
            raise ConsultationError(
                f"意见内容至少{OPINION_MIN_CHARS}个字，请具体说明您的意见和建议"
            )
        if len(text) > OPINION_MAX_CHARS:
            raise ConsultationError(f"意见内容不能超过{OPINION_MAX_CHARS}字，可以分条提交")
        name = clean(self.name or "", 60) if self.named else ""
        if self.named and not name:
            raise ConsultationError("选择署名提交时，请填写姓名")
        phone = normalise_phone(self.phone) if self.phone else None
        if self.phone and phone is None:
            raise ConsultationError("联系电话格式不正确，请填写手机号或带区号的固定电话")
        key = (self.idempotency_key or "").strip() or None
        if key and len(key) > 128:
            raise ConsultationError("idempotency_key 过长")
        return replace(
            self,
            text=text,
            name=name or None,
            phone=phone or None,
            channel=clean(self.channel, 32) or "web",
            sender_id=(self.sender_id or "").strip()[:128],
            idempotency_key=key,
        )


@dataclass(frozen=True)
class DecisionForm:
    outcome: str
    reason: str = ""

    def validate(self) -> tuple[Outcome, Optional[str]]:
        """(outcome, reason); accepts a code (not_adopted) or its Chinese label (不予采纳)."""
        code = (self.outcome or "").strip()
        outcome = OUTCOMES.get(code) or OUTCOMES.get(_OUTCOME_ALIASES.get(code, ""))
        if outcome is None:
            choices = "、".join(f"{o.label}（{o.code}）" for o in OUTCOMES.values())
            raise ConsultationError(f"处理结果 {code!r} 无效，应为：{choices}")
        reason = clean(self.reason or "", REASON_MAX_CHARS + 1)
        if len(reason) > REASON_MAX_CHARS:
            raise ConsultationError(f"理由不能超过{REASON_MAX_CHARS}字")
        if outcome.needs_reason and len(reason) < REASON_MIN_CHARS:
            raise ConsultationError(
                f"“{outcome.label}”必须说明理由（至少{REASON_MIN_CHARS}个字），理由将随采纳情况一并公开"
            )
        return outcome, reason or None
