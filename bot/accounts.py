"""Staff accounts and roles: 12345 operators, departments, consultation staff, reviewers, admins.

Passwords are hashed with argon2. Programs (and tests) call the API with a bearer token; the
consoles use login sessions (`bot/web/auth.py`). A department account is bound to one department
body and sees only that body's tickets.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Optional

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Boolean, Column, DateTime, Integer, String, select
from sqlalchemy.orm import Session

from bot import audit
from bot.db import Base, utcnow

ROLES = ("operator", "department", "staff", "reviewer", "admin")
_hasher = PasswordHasher(time_cost=3, memory_cost=65536, parallelism=1)
"""argon2id at RFC 9106's second recommended profile (64 MiB, 3 passes) on one lane: a password
check takes one core, so the hashing pool's threads are exactly the cores logins may use (hashes
made with other parameters still verify: they carry their own)."""


class User(Base):
    __tablename__ = "users"

    id = Column(Integer, primary_key=True, autoincrement=True)
    username = Column(String(64), nullable=False, unique=True)
    display_name = Column(String(120), nullable=False, default="")
    role = Column(String(16), nullable=False)
    department_id = Column(String(64), index=True)
    password_hash = Column(String(200), nullable=False)
    token_hash = Column(String(64), unique=True)
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


@dataclass(frozen=True)
class Principal:
    """Who is calling: enough to authorise a request without touching the session again."""

    user_id: int
    username: str
    role: str
    department_id: Optional[str]

    @property
    def actor(self) -> str:
        return f"{self.role}:{self.username}"

    def can(self, *roles: str) -> bool:
        return self.role == "admin" or self.role in roles


class AccountError(ValueError):
    pass


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    role: str,
    department_id: Optional[str] = None,
    display_name: str = "",
    actor: str = "admin:cli",
) -> tuple[User, str]:
    """Create an account; returns it with its API token (shown once, stored only as a hash)."""
    username = username.strip()
    if role not in ROLES:
        raise AccountError(f"角色必须是 {', '.join(ROLES)} 之一")
    if role == "department" and not department_id:
        raise AccountError("部门账号必须指定所属部门")
    if not username or len(username) > 64:
        raise AccountError("用户名不能为空，且不超过64个字符")
    if len(password) < 8:
        raise AccountError("密码至少8位")
    if session.execute(select(User.id).where(User.username == username)).first():
        raise AccountError(f"用户名 {username} 已存在")
    token = secrets.token_urlsafe(32)
    user = User(
        username=username,
        display_name=display_name or username,
        role=role,
        department_id=department_id,
        password_hash=_hasher.hash(password),
        token_hash=_token_digest(token),
    )
    session.add(user)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="user.created",
        entity_type="user",
        entity_id=str(user.id),
        detail={"username": username, "role": role, "department_id": department_id},
    )
    return user, token


def principal_of(user: User) -> Principal:
    return Principal(user.id, user.username, user.role, user.department_id)


@dataclass(frozen=True)
class PasswordRecord:
    """What checking a password needs, read in one query; the (slow) check runs elsewhere."""

    password_hash: str
    principal: Principal


def password_record(session: Session, username: str) -> Optional[PasswordRecord]:
    user = session.execute(
        select(User).where(User.username == (username or "").strip(), User.active.is_(True))
    ).scalar_one_or_none()
    return PasswordRecord(user.password_hash, principal_of(user)) if user else None


def check_password(record: Optional[PasswordRecord], password: str) -> Optional[Principal]:
    """The account when `password` matches; an unknown user costs as much time as a known one."""
    if record is None:
        _hasher.hash("timing-equaliser")
        return None
    try:
        _hasher.verify(record.password_hash, password or "")
    except (VerificationError, InvalidHashError):
        return None
    return record.principal


def authenticate_password(session: Session, username: str, password: str) -> Optional[Principal]:
    return check_password(password_record(session, username), password)


def authenticate_token(session: Session, token: str) -> Optional[Principal]:
    if not token or len(token) > 200:
        return None
    digest = _token_digest(token)
    user = session.execute(
        select(User).where(User.token_hash == digest, User.active.is_(True))
    ).scalar_one_or_none()
    if user is None or not hmac.compare_digest(user.token_hash, digest):
        return None
    return principal_of(user)
