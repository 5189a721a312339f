"""Secrets: a random one per installation in development, and no weak one in production.

No secret has a published default. In development `SECRET_KEY` and `RASA_TOKEN`, when not set,
are generated once per installation and kept in `var/secrets/` (mode 0600). The production
profile refuses to start while a secret is missing, known or short; the rules are the table
`PRODUCTION_RULES`, one row per variable, so a new channel adds a row.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Protocol
from urllib.parse import urlsplit

MIN_SECRET_CHARS = 32
PUBLISHED_SECRETS = frozenset(
    {"zhoushan-dev-token", "dev-secret-change-me", "changeme", "change-me", "secret", "token"}
)


def installation_secret(var_dir: Path, name: str) -> str:
    """The secret `name` of this installation, created (random, 0600) on first use."""
    path = var_dir / "secrets" / name
    try:
        value = path.read_text(encoding="utf-8").strip()
        if value:
            return value
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    value = secrets.token_urlsafe(36)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
        stream.write(value + "\n")
    return value


def is_weak(value: str) -> bool:
    value = (value or "").strip()
    return len(value) < MIN_SECRET_CHARS or value.lower() in PUBLISHED_SECRETS


class _Rule(Protocol):
    def problem(self, settings: object) -> Optional[str]: ...


@dataclass(frozen=True)
class StrongSecret:
    """`variable` must be set, not a published value, and at least MIN_SECRET_CHARS long."""

    variable: str
    attribute: str

    def problem(self, settings: object) -> Optional[str]:
        if is_weak(getattr(settings, self.attribute, "")):
            return (
                f"{self.variable} 未设置、是公开的默认值或短于 {MIN_SECRET_CHARS} 个字符"
                f"（可用 python -c 'import secrets; print(secrets.token_urlsafe(36))' 生成）"
            )
        return None


@dataclass(frozen=True)
class NeedsCompanion:
    """When `variable` is set, `companion` must be set too (e.g. a bot token and its webhook
    secret: without the secret anyone can post forged updates)."""

    variable: str
    attribute: str
    companion: str
    companion_attribute: str

    def problem(self, settings: object) -> Optional[str]:
        if getattr(settings, self.attribute, "") and not getattr(
            settings, self.companion_attribute, ""
        ):
            return f"设置了 {self.variable} 却没有设置 {self.companion}"
        return None


@dataclass(frozen=True)
class NoDefaultBrokerLogin:
    """RabbitMQ's `guest` account is a published default: RabbitMQ itself admits it only from
    the same machine, so it is refused for a broker anywhere else."""

    variable: str
    attribute: str

    def problem(self, settings: object) -> Optional[str]:
        url = urlsplit(getattr(settings, self.attribute, "") or "")
        loopback = (url.hostname or "") in ("127.0.0.1", "localhost", "::1")
        if url.scheme and not loopback and (url.password or "guest") == "guest":
            return f"{self.variable} 指向其他主机却使用默认账号 guest/guest"
        return None


PRODUCTION_RULES: tuple[_Rule, ...] = (
    StrongSecret("SECRET_KEY", "secret_key"),
    StrongSecret("RASA_TOKEN", "rasa_token"),
    NeedsCompanion("TELEGRAM_TOKEN", "telegram_token", "TELEGRAM_SECRET", "telegram_secret"),
    NeedsCompanion("WECHAT_TOKEN", "wechat_token", "WECHAT_AES_KEY", "wechat_aes_key"),
    NoDefaultBrokerLogin("RABBITMQ_URL", "rabbitmq_url"),
)


def production_problems(settings: object) -> list[str]:
    """One line per unsafe secret; empty outside the production profile."""
    if getattr(settings, "profile", "") != "production":
        return []
    return [p for p in (rule.problem(settings) for rule in PRODUCTION_RULES) if p]


class UnsafeSecrets(SystemExit):
    """Raised instead of starting: the message names every unsafe variable, one a line."""


def refuse_unsafe_production(settings: object) -> None:
    problems = production_problems(settings)
    if problems:
        raise UnsafeSecrets(
            "\n".join(f"ZS_PROFILE=production 拒绝启动：{problem}" for problem in problems)
        )
