"""Fixtures for the 舆情 detection tests; test modules load them with `pytest_plugins`.

The detector's settings are `hotspot_settings`: the app's own `settings` fixture (tests/conftest.py)
keeps its name.
"""

from __future__ import annotations

import pytest

from bot.config import PROJECT_ROOT
from bot.hotspots.detect import Settings
from bot.tickets.routing import Router


@pytest.fixture(scope="module")
def router() -> Router:
    """The shipped router, with its gazetteer of Zhoushan's places."""
    return Router.load(PROJECT_ROOT / "knowledge")


@pytest.fixture(scope="module")
def hotspot_settings() -> Settings:
    """The shipped detection settings (knowledge/hotspots.yml)."""
    return Settings.load(PROJECT_ROOT / "knowledge" / "hotspots.yml")
