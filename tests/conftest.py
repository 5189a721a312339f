"""Fixtures shared by every test: settings on a temporary folder and a migrated database."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from bot.config import Settings
from bot.db import Database
from bot.dbcli import upgrade

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return dataclasses.replace(
        Settings.from_env(),
        var_dir=tmp_path,
        database_url=f"sqlite:///{tmp_path / 'test.db'}",
        redis_url="",
        profile="dev",
    )


@pytest.fixture
def db(settings: Settings) -> Database:
    upgrade(settings.database_url)
    database = Database(settings.database_url)
    yield database
    database.dispose()


def pytest_collection_modifyitems(config, items):
    """Browser tests last: Playwright's sync API keeps an event loop running in the main thread
    until the session ends, which would break every later test that starts a loop."""
    items.sort(key=lambda item: "tests/browser/" in str(item.fspath).replace("\\", "/"))
