"""No published secret works: development generates one per installation, production refuses
weak or missing ones and names each variable."""

from __future__ import annotations

import dataclasses
import os
import stat
import subprocess
import sys

import pytest

from bot.config import PROJECT_ROOT, Settings
from bot.keys import MIN_SECRET_CHARS, installation_secret, production_problems

STRONG = "x" * MIN_SECRET_CHARS


def production(settings: Settings, **changes) -> Settings:
    values = {"profile": "production", "secret_key": STRONG, "rasa_token": STRONG + "y"}
    return dataclasses.replace(settings, **{**values, **changes})


@pytest.fixture
def unset_secrets(tmp_path, monkeypatch):
    """An environment without SECRET_KEY and RASA_TOKEN, on a private var/ folder."""
    monkeypatch.delenv("RASA_TOKEN", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("ZS_VAR_DIR", str(tmp_path))
    return monkeypatch


def test_development_secrets_are_random_private_and_stable(tmp_path, unset_secrets):
    unset_secrets.setenv("ZS_PROFILE", "dev")
    first = Settings.from_env()
    assert first.rasa_token != first.secret_key
    assert len(first.rasa_token) >= MIN_SECRET_CHARS
    assert "zhoushan-dev-token" != first.rasa_token
    assert Settings.from_env().rasa_token == first.rasa_token
    path = tmp_path / "secrets" / "rasa_token"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert installation_secret(tmp_path / "other", "rasa_token") != first.rasa_token


def test_production_has_no_default_secrets(tmp_path, unset_secrets):
    unset_secrets.setenv("ZS_PROFILE", "production")
    settings = Settings.from_env()
    assert settings.rasa_token == "" and settings.secret_key == ""
    assert not (tmp_path / "secrets").exists()


@pytest.mark.parametrize(
    "changes, variables",
    [
        ({}, []),
        ({"secret_key": ""}, ["SECRET_KEY"]),
        ({"secret_key": "dev-secret-change-me"}, ["SECRET_KEY"]),
        ({"rasa_token": "zhoushan-dev-token"}, ["RASA_TOKEN"]),
        ({"rasa_token": "short-but-random-3f9a"}, ["RASA_TOKEN"]),
        ({"secret_key": "", "rasa_token": ""}, ["SECRET_KEY", "RASA_TOKEN"]),
        ({"telegram_token": "123:abc"}, ["TELEGRAM_TOKEN"]),
        ({"telegram_token": "123:abc", "telegram_secret": "s3cret"}, []),
        ({"rabbitmq_url": "amqp://guest:guest@127.0.0.1:5672/"}, []),
        ({"rabbitmq_url": "amqp://guest:guest@mq.internal:5672/"}, ["RABBITMQ_URL"]),
        ({"rabbitmq_url": "amqp://zs:Long-Random-Password@mq.internal:5672/"}, []),
    ],
)
def test_production_check_names_each_unsafe_variable(settings, changes, variables):
    problems = production_problems(production(settings, **changes))
    assert [problem.split(" ", 1)[0] for problem in problems] == [
        v if v != "TELEGRAM_TOKEN" else "设置了" for v in variables
    ]
    assert all(v in p for p, v in zip(problems, variables, strict=True))


def test_the_check_only_applies_to_production(settings):
    assert production_problems(dataclasses.replace(settings, secret_key="", rasa_token="")) == []


@pytest.mark.parametrize("command", [["run", "--no-train"], ["web"]])
def test_production_refuses_to_start_with_defaults(tmp_path, command):
    env = {
        **os.environ,
        "PYTHONPATH": str(PROJECT_ROOT),
        "ZS_PROFILE": "production",
        "ZS_VAR_DIR": str(tmp_path),
        "SECRET_KEY": "dev-secret-change-me",
        "RASA_TOKEN": "",
        "TELEGRAM_TOKEN": "123:abc",
        "TELEGRAM_SECRET": "",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'never.db'}",
    }
    result = subprocess.run(
        [sys.executable, "-m", "bot", *command],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=PROJECT_ROOT,
    )
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert [line.split("：", 1)[1].split(" ", 1)[0] for line in lines] == [
        "SECRET_KEY",
        "RASA_TOKEN",
        "设置了",
    ]
    assert "TELEGRAM_SECRET" in lines[-1]
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "never.db").exists()
