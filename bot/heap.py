"""Keep what a service holds for its life out of the cyclic garbage collector's way.

A service loads large, long-lived structures before it answers: Rasa's model (about half a
million objects), the action server's policy library, router and jieba dictionary. CPython's
cyclic collector walks every tracked object in a full collection, so each one paused whoever was
being answered: about 0.35 s in Rasa and 0.1 s in the action server on the project's 2-core
machine (bench/PROFILE.md). `settle` collects once and then freezes what is left
(`gc.freeze`, as large Python services do), so later collections walk only what was made since.

Frozen objects are still freed when their last reference goes; only garbage *cycles* among them
would stay. What a service replaces while it runs (the policy library after an import) is
therefore settled again by the code that replaces it, which unfreezes, collects and freezes.
"""

from __future__ import annotations

import gc
import logging
import threading
import time

_log = logging.getLogger(__name__)
_lock = threading.Lock()


def settle() -> None:
    """Collect everything collectable now, then freeze the survivors (the service's resident
    structures) out of later collections. Safe to call again: it starts from an unfrozen heap."""
    with _lock:
        started = time.perf_counter()
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        _log.debug(
            "heap settled: %d objects frozen in %.0f ms",
            gc.get_freeze_count(),
            (time.perf_counter() - started) * 1000,
        )
