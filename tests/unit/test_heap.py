"""A service's resident structures are kept out of the cyclic collector's way (`bot.heap`), and
`Services.warm` loads everything a first citizen would otherwise wait for."""

from __future__ import annotations

import gc
import weakref

import pytest

from bot import heap
from bot.services import Services


@pytest.fixture(autouse=True)
def unfrozen():
    yield
    gc.unfreeze()


class Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the cyclic collector frees it


def test_settle_freezes_what_lives_and_later_garbage_is_still_collected() -> None:
    resident = [Node() for _ in range(100)]
    heap.settle()
    assert gc.get_freeze_count() >= len(resident)
    later = Node()
    gone = weakref.ref(later)
    del later
    gc.collect()
    assert gone() is None


def test_settling_again_collects_cycles_frozen_before() -> None:
    old = Node()
    gone = weakref.ref(old)
    heap.settle()
    del old  # a cycle that was frozen while it lived
    gc.collect()
    assert gone() is not None  # a plain collection does not see frozen objects
    heap.settle()
    assert gone() is None


def test_warm_loads_the_library_the_router_and_jieba_then_settles(settings) -> None:
    import jieba

    services = Services(settings)
    try:
        services.warm()
        assert "_kb" in services.__dict__ and "router" in services.__dict__
        assert jieba.dt.initialized
        assert gc.get_freeze_count() > 0
    finally:
        services.close()


def test_a_replaced_library_is_settled_again(settings, monkeypatch) -> None:
    import bot.policy.kb as kb_module

    fingerprints = iter(["first", "first", "second"])
    settled = []
    monkeypatch.setattr(kb_module, "library_fingerprint", lambda *_: next(fingerprints))
    monkeypatch.setattr(kb_module.KnowledgeBase, "load", classmethod(lambda cls, *a, **k: object()))
    monkeypatch.setattr("bot.services.settle", lambda: settled.append(True))
    monkeypatch.setattr(Services, "_sync_library", lambda self: None)
    services = Services(settings)
    first = services.kb
    services.refresh_kb()
    assert services.kb is first and settled == []  # unchanged: kept, nothing to settle
    services.refresh_kb()
    assert services.kb is not first and settled == [True]
