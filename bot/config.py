"""All configuration in one place: environment variables with documented defaults.

Every setting is read once into an immutable `Settings`; nothing else in the package reads
`os.environ`. The README's configuration table mirrors the fields below.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/zhoushan"
PRODUCTION_REDIS_URL = "redis://127.0.0.1:6379/0"
PRODUCTION_RABBITMQ_URL = "amqp://guest:guest@127.0.0.1:5672/"


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be an integer, got {raw!r}") from exc


def _secret(name: str, file_name: str, var_dir: Path, production: bool) -> str:
    """The variable if set; in development otherwise this installation's random secret; in
    production otherwise empty (and `bot.keys` refuses to start)."""
    value = _env(name, "")
    if value or production:
        return value
    from bot.keys import installation_secret

    return installation_secret(var_dir, file_name)


def _env_float(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be a number, got {raw!r}") from exc


@dataclass(frozen=True)
class Settings:
    """Runtime settings. Build with `Settings.from_env()`; tests pass explicit values."""

    var_dir: Path = field(default_factory=lambda: PROJECT_ROOT / "var")
    knowledge_dir: Path = field(default_factory=lambda: PROJECT_ROOT / "knowledge")
    database_url: str = ""
    redis_url: str = ""
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_port: int = 5005
    actions_port: int = 5055
    web_host: str = "127.0.0.1"
    web_port: int = 8080
    rasa_host: str = "127.0.0.1"
    actions_host: str = "127.0.0.1"
    rasa_token: str = ""
    secret_key: str = ""
    sanic_workers: int = 1
    action_workers: int = 1
    telegram_token: str = ""
    telegram_secret: str = ""
    telegram_api_url: str = ""
    wechat_token: str = ""
    wechat_app_id: str = ""
    wechat_app_secret: str = ""
    wechat_aes_key: str = ""
    wechat_api_url: str = ""
    wechat_template_id: str = ""
    wechat_reply_seconds: float = 4.0
    public_base_url: str = "http://127.0.0.1:8080"
    status_check_attempts: int = 5
    """Wrong phone digits (per ticket or receipt, and per conversation) before checks lock."""
    status_check_lock_minutes: int = 30
    """How long a locked status check stays locked after the last wrong digits."""
    rabbitmq_url: str = ""
    hotspots_queue: str = "zhoushan_events"
    proxies_count: int = 0
    """Trusted proxies in front of the web service (nginx: 1); client addresses come from their
    X-Forwarded-For only when this is set."""
    rate_limit_ip: str = "600/60"
    """Requests per address to any endpoint of the web service, as N/SECONDS."""
    rate_limit_chat_sender: str = "20/60"
    rate_limit_chat_ip: str = "60/60"
    rate_limit_login_user: str = "5/900"
    """Failed logins per username (from any address)."""
    rate_limit_login_ip: str = "20/900"
    """Failed logins per address, across usernames."""
    proxy_host: str = "127.0.0.1"
    """The address nginx listens on; a public front sets 0.0.0.0 (or the machine's address)."""
    proxy_port: int = 8000
    """Where nginx listens (`python -m bot deploy`); plain HTTP, or the redirect to TLS."""
    proxy_tls_port: int = 8443
    proxy_tls_cert: str = ""
    """Certificate and key files for nginx; TLS is served when both are set."""
    proxy_tls_key: str = ""
    proxy_server_name: str = "_"
    proxy_trusted: str = ""
    """Networks (comma-separated) nginx believes about the client's address in X-Forwarded-For,
    e.g. a load balancer in front of it; none by default. Load tests from loopback set
    127.0.0.1 so each simulated citizen has an address of its own; never in production."""
    kb_max_file_mb: int = 20
    """ZS_KB_MAX_FILE_MB: `kb import` reports larger files instead of reading them."""
    kb_reload_seconds: int = 30
    """ZS_KB_RELOAD_SECONDS: how often services look for an updated policy library."""
    retention_days: int = 30
    """ZS_RETENTION_DAYS: days a conversation keeps raw phone/ID numbers (`privacy retain`)."""

    profile: str = "dev"

    @classmethod
    def from_env(cls) -> Settings:
        """Read the environment. `ZS_PROFILE=production` switches the store defaults to
        PostgreSQL + Redis with two Rasa workers and two action-server processes."""
        profile = _env("ZS_PROFILE", "dev")
        production = profile == "production"
        var_dir = Path(_env("ZS_VAR_DIR", str(PROJECT_ROOT / "var"))).resolve()
        web_port = _env_int("WEB_PORT", 8080)
        rasa_port = _env_int("RASA_PORT", 5005)
        return cls(
            var_dir=var_dir,
            knowledge_dir=Path(_env("ZS_KNOWLEDGE_DIR", str(PROJECT_ROOT / "knowledge"))).resolve(),
            database_url=_env(
                "DATABASE_URL",
                PRODUCTION_DATABASE_URL if production else f"sqlite:///{var_dir / 'zhoushan.db'}",
            ),
            redis_url=_env("REDIS_URL", PRODUCTION_REDIS_URL if production else ""),
            rasa_url=_env("RASA_URL", f"http://127.0.0.1:{rasa_port}"),
            rasa_port=rasa_port,
            actions_port=_env_int("ACTIONS_PORT", 5055),
            web_host=_env("WEB_HOST", "127.0.0.1"),
            web_port=web_port,
            rasa_host=_env("RASA_HOST", "127.0.0.1"),
            actions_host=_env("ACTIONS_HOST", "127.0.0.1"),
            rasa_token=_secret("RASA_TOKEN", "rasa_token", var_dir, production),
            secret_key=_secret("SECRET_KEY", "secret_key", var_dir, production),
            sanic_workers=_env_int("SANIC_WORKERS", 2 if production else 1),
            action_workers=_env_int("ACTION_WORKERS", 2 if production else 1),
            telegram_token=_env("TELEGRAM_TOKEN", ""),
            telegram_secret=_env("TELEGRAM_SECRET", ""),
            telegram_api_url=_env("TELEGRAM_API_URL", ""),
            wechat_token=_env("WECHAT_TOKEN", ""),
            wechat_app_id=_env("WECHAT_APP_ID", ""),
            wechat_app_secret=_env("WECHAT_APP_SECRET", ""),
            wechat_aes_key=_env("WECHAT_AES_KEY", ""),
            wechat_api_url=_env("WECHAT_API_URL", ""),
            wechat_template_id=_env("WECHAT_TEMPLATE_ID", ""),
            wechat_reply_seconds=_env_float("WECHAT_REPLY_SECONDS", 4.0),
            public_base_url=_env("PUBLIC_BASE_URL", f"http://127.0.0.1:{web_port}"),
            status_check_attempts=_env_int("STATUS_CHECK_ATTEMPTS", 5),
            status_check_lock_minutes=_env_int("STATUS_CHECK_LOCK_MINUTES", 30),
            rabbitmq_url=_env("RABBITMQ_URL", PRODUCTION_RABBITMQ_URL if production else ""),
            hotspots_queue=_env("HOTSPOTS_QUEUE", "zhoushan_events"),
            proxies_count=_env_int("WEB_PROXIES_COUNT", 0),
            rate_limit_ip=_env("RATE_LIMIT_IP", "600/60"),
            rate_limit_chat_sender=_env("RATE_LIMIT_CHAT_SENDER", "20/60"),
            rate_limit_chat_ip=_env("RATE_LIMIT_CHAT_IP", "60/60"),
            rate_limit_login_user=_env("RATE_LIMIT_LOGIN_USER", "5/900"),
            rate_limit_login_ip=_env("RATE_LIMIT_LOGIN_IP", "20/900"),
            proxy_host=_env("PROXY_HOST", "127.0.0.1"),
            proxy_port=_env_int("PROXY_PORT", 8000),
            proxy_tls_port=_env_int("PROXY_TLS_PORT", 8443),
            proxy_tls_cert=_env("PROXY_TLS_CERT", ""),
            proxy_tls_key=_env("PROXY_TLS_KEY", ""),
            proxy_server_name=_env("PROXY_SERVER_NAME", "_"),
            proxy_trusted=_env("PROXY_TRUSTED", ""),
            retention_days=_env_int("ZS_RETENTION_DAYS", 30),
            profile=profile,
            kb_max_file_mb=_env_int("ZS_KB_MAX_FILE_MB", 20),
            kb_reload_seconds=_env_int("ZS_KB_RELOAD_SECONDS", 30),
        )

    def to_env(self) -> dict[str, str]:
        """These settings as environment variables, for the child processes `bot run` starts."""
        return {
            "ZS_PROFILE": self.profile,
            "ZS_VAR_DIR": str(self.var_dir),
            "ZS_KNOWLEDGE_DIR": str(self.knowledge_dir),
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            "RASA_URL": self.rasa_url,
            "RASA_PORT": str(self.rasa_port),
            "ACTIONS_PORT": str(self.actions_port),
            "WEB_HOST": self.web_host,
            "WEB_PORT": str(self.web_port),
            "RASA_HOST": self.rasa_host,
            "ACTIONS_HOST": self.actions_host,
            "RASA_TOKEN": self.rasa_token,
            "SECRET_KEY": self.secret_key,
            "SANIC_WORKERS": str(self.sanic_workers),
            "ACTION_WORKERS": str(self.action_workers),
            "TELEGRAM_TOKEN": self.telegram_token,
            "TELEGRAM_SECRET": self.telegram_secret,
            "TELEGRAM_API_URL": self.telegram_api_url,
            "WECHAT_TOKEN": self.wechat_token,
            "WECHAT_APP_ID": self.wechat_app_id,
            "WECHAT_APP_SECRET": self.wechat_app_secret,
            "WECHAT_AES_KEY": self.wechat_aes_key,
            "WECHAT_API_URL": self.wechat_api_url,
            "WECHAT_TEMPLATE_ID": self.wechat_template_id,
            "WECHAT_REPLY_SECONDS": str(self.wechat_reply_seconds),
            "PUBLIC_BASE_URL": self.public_base_url,
            "STATUS_CHECK_ATTEMPTS": str(self.status_check_attempts),
            "STATUS_CHECK_LOCK_MINUTES": str(self.status_check_lock_minutes),
            "RABBITMQ_URL": self.rabbitmq_url,
            "HOTSPOTS_QUEUE": self.hotspots_queue,
            "WEB_PROXIES_COUNT": str(self.proxies_count),
            "RATE_LIMIT_IP": self.rate_limit_ip,
            "RATE_LIMIT_CHAT_SENDER": self.rate_limit_chat_sender,
            "RATE_LIMIT_CHAT_IP": self.rate_limit_chat_ip,
            "RATE_LIMIT_LOGIN_USER": self.rate_limit_login_user,
            "RATE_LIMIT_LOGIN_IP": self.rate_limit_login_ip,
            "PROXY_HOST": self.proxy_host,
            "PROXY_PORT": str(self.proxy_port),
            "PROXY_TLS_PORT": str(self.proxy_tls_port),
            "PROXY_TLS_CERT": self.proxy_tls_cert,
            "PROXY_TLS_KEY": self.proxy_tls_key,
            "PROXY_SERVER_NAME": self.proxy_server_name,
            "PROXY_TRUSTED": self.proxy_trusted,
            "ZS_RETENTION_DAYS": str(self.retention_days),
        }

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")
