"""Who did something, as staff read it: "市民", "系统自动分派", "操作员 张三", never the stored
actor string ("citizen:6852c5…", "system:router", "operator:op-wang").

Audit rows keep the exact actor; pages show `label`. Account names come from `users`
(display name, else username); a department account also names its body.
"""

from __future__ import annotations

from typing import Iterable, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.accounts import User
from bot.tickets.catalogue import Catalogue
from bot.tickets.service import department_name

SYSTEM_LABELS = {
    "system:router": "系统自动分派",
    "system:monitor": "系统时限监控",
}
ROLE_LABELS = {
    "operator": "操作员",
    "department": "承办人员",
    "staff": "征求意见工作人员",
    "reviewer": "审核人员",
    "admin": "管理员",
}


def names(session: Session, actors: Iterable[str], catalogue: Catalogue) -> dict[str, str]:
    """`label` of every distinct actor, looking the accounts up once."""
    wanted = {actor for actor in actors if actor.split(":", 1)[0] in ROLE_LABELS}
    usernames = {actor.split(":", 1)[1] for actor in wanted if ":" in actor}
    accounts = {
        user.username: user
        for user in session.execute(select(User).where(User.username.in_(usernames))).scalars()
    } if usernames else {}
    labels = {}
    for actor in set(actors):
        role, _, username = actor.partition(":")
        user = accounts.get(username) if role in ROLE_LABELS else None
        labels[actor] = label(actor, user, catalogue)
    return labels


def label(actor: str, user: Optional[User] = None, catalogue: Optional[Catalogue] = None) -> str:
    if actor in SYSTEM_LABELS:
        return SYSTEM_LABELS[actor]
    role, _, username = actor.partition(":")
    if role == "citizen":
        return "市民"
    if role == "system":
        return "系统"
    if role not in ROLE_LABELS:
        return "其他"
    name = (user.display_name or user.username) if user else username
    body = ""
    if user is not None and user.department_id and catalogue is not None:
        body = department_name(catalogue, user.department_id) or ""
    return " ".join(part for part in (body, ROLE_LABELS[role], name) if part)
