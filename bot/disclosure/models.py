"""依申请公开 applications as stored, with their statuses and daily number counter.

An application keeps the masked ID number and a keyed digest, never the number itself
(`bot.disclosure.identity`). `created_at` is the receipt that the annual report counts;
`clock_started_at` is when the 20 working days began (it restarts when a 补正 arrives).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import JSON, Boolean, Column, Index, Integer, String, Text

from bot.db import Base
from bot.tickets.models import UTCDateTime


@dataclass(frozen=True)
class State:
    code: str
    label: str
    public_label: str
    open: bool
    clock_runs: bool


RECEIVED = "received"
CORRECTION = "correction"
PROCESSING = "processing"
CONSULTING = "consulting"
REPLIED = "replied"
WITHDRAWN = "withdrawn"

STATES: dict[str, State] = {
    state.code: state
    for state in (
        State(RECEIVED, "已收到", "已收到，等待办理", open=True, clock_runs=True),
        State(CORRECTION, "待补正", "等待您补正申请内容（答复期限暂停计算）", True, False),
        State(PROCESSING, "办理中", "正在办理", open=True, clock_runs=True),
        State(CONSULTING, "征求第三方意见", "正在征求第三方意见（答复期限暂停计算）", True, False),
        State(REPLIED, "已答复", "已答复", open=False, clock_runs=False),
        State(WITHDRAWN, "视为放弃申请", "逾期未补正，视为放弃申请", open=False, clock_runs=False),
    )
}
OPEN_STATUSES = tuple(code for code, state in STATES.items() if state.open)
CLOCK_STATUSES = tuple(code for code, state in STATES.items() if state.clock_runs)
CHAT_CHANNELS = ("telegram", "socketio", "rest", "wechat")


class DisclosureApplication(Base):
    __tablename__ = "disclosure_applications"

    id = Column(Integer, primary_key=True, autoincrement=True)
    number = Column(String(24), nullable=False, unique=True)
    created_at = Column(UTCDateTime, nullable=False)
    channel = Column(String(32), nullable=False)
    sender_id = Column(String(128))
    idempotency_key = Column(String(128), unique=True)

    applicant_kind = Column(String(16), nullable=False)
    applicant_name = Column(String(120), nullable=False)
    id_type = Column(String(24), nullable=False)
    id_masked = Column(String(32), nullable=False)
    id_digest = Column(String(64), nullable=False)
    phone = Column(String(32), nullable=False)
    email = Column(String(120))
    address = Column(String(200))
    description = Column(Text, nullable=False)
    description_key = Column(String(64), nullable=False)
    medium = Column(String(8), nullable=False)
    delivery = Column(String(8), nullable=False)

    department_id = Column(String(64), nullable=False)
    status = Column(String(16), nullable=False)
    clock_started_at = Column(UTCDateTime, nullable=False)
    due_at = Column(UTCDateTime, nullable=False)
    paused_at = Column(UTCDateTime)
    correction_note = Column(Text)
    correction_due_at = Column(UTCDateTime)
    corrections = Column(Integer, nullable=False, default=0)
    extension_days = Column(Integer)
    extension_reason = Column(Text)
    extension_approver = Column(String(64))

    reply_type = Column(String(32))
    reply_detail = Column(JSON, nullable=False, default=dict)
    result_row = Column(String(24))
    document = Column(Text)
    replied_at = Column(UTCDateTime)
    closed_at = Column(UTCDateTime)

    supervised = Column(Boolean, nullable=False, default=False)
    supervised_at = Column(UTCDateTime)

    version = Column(Integer, nullable=False)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        Index("ix_disclosure_applications_created_at", "created_at"),
        Index("ix_disclosure_applications_closed_at", "closed_at"),
        Index("ix_disclosure_applications_repeat", "id_digest", "description_key"),
        Index("ix_disclosure_applications_inbox", "department_id", "status", "due_at"),
        Index("ix_disclosure_applications_status_due", "status", "due_at"),
    )

    @property
    def state(self) -> State:
        return STATES[self.status]

    def __repr__(self) -> str:
        return f"<DisclosureApplication {self.number} {self.status}>"
