"""Fixtures for the policy knowledge-base tests; test modules load them with `pytest_plugins`."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.policy import KnowledgeBase
from tests.unit.policy_data import CURRENT_SAMPLE, EXPIRED_SAMPLE, KNOWLEDGE, knowledge_folder


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("kb-cache")


@pytest.fixture(scope="session")
def real_kb(cache_dir: Path) -> KnowledgeBase:
    """The shipped knowledge base, loaded once per test session."""
    return KnowledgeBase.load(KNOWLEDGE, cache_dir=cache_dir)


@pytest.fixture
def sample_knowledge(tmp_path: Path) -> Path:
    """A knowledge folder with the shipped dictionaries and settings and two sample policies."""
    return knowledge_folder(
        tmp_path / "knowledge", {"sample-parking": EXPIRED_SAMPLE, "sample-ferry": CURRENT_SAMPLE}
    )


@pytest.fixture
def sample_kb(sample_knowledge: Path, cache_dir: Path) -> KnowledgeBase:
    return KnowledgeBase.load(sample_knowledge, cache_dir=cache_dir)
