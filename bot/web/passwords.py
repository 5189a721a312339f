"""Password checks on their own small, bounded pool, so a burst of logins cannot starve the
shared worker threads every other request's database work runs on.

argon2 is deliberately slow (tens of milliseconds of CPU per check). The pool has a few threads
and a short queue; when both are full a login is refused at once with 503 (`Busy`) instead of
waiting behind hundreds of others. Its threads run at the lowest CPU priority (`nice` 19, on
Linux per thread): when the machine is busy a login waits for a spare moment of CPU, and a citizen
never waits for a login. argon2 releases the GIL while it hashes, so the event loop runs on.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Optional, TypeVar

from sanic.request import Request

from bot.accounts import Principal, check_password, password_record
from bot.web.common import run_db
from bot.web.errors import Busy

log = logging.getLogger(__name__)
T = TypeVar("T")
HASHING_NICENESS = 19
"""The hashing threads' CPU priority: the lowest, so they take only what citizens leave."""
HASHING_THREADS = 1
"""One core for password checks: on a two-core machine the other always serves citizens."""
HASHING_QUEUE = 8
BUSY_MESSAGE = "登录请求过多，请稍后再试"


class BoundedPool:
    """A thread pool that accepts at most `threads + queue` jobs at a time and refuses more."""

    def __init__(self, threads: int = HASHING_THREADS, queue: int = HASHING_QUEUE) -> None:
        self._executor = ThreadPoolExecutor(
            max_workers=threads, thread_name_prefix="argon2", initializer=lowest_priority
        )
        self._slots = threading.BoundedSemaphore(threads + queue)

    async def run(self, job: Callable[..., T], *args: object) -> T:
        if not self._slots.acquire(blocking=False):
            raise Busy(BUSY_MESSAGE)
        future = self._executor.submit(job, *args)
        future.add_done_callback(lambda _done: self._slots.release())
        return await asyncio.wrap_future(future)

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


def lowest_priority() -> None:
    """Lower the calling thread (not its process) to `HASHING_NICENESS`; on Linux a thread's id
    names it to `setpriority`. Elsewhere, or when refused, it keeps its priority."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), HASHING_NICENESS)
    except (AttributeError, OSError) as error:
        log.warning("password hashing keeps normal CPU priority: %s", error)


async def verify_login(request: Request, username: str, password: str) -> Optional[Principal]:
    """The account for `username` and `password`: the look-up on the shared pool, the hash
    check on the bounded one (`app.ctx.password_pool`)."""
    record = await run_db(request, lambda session: password_record(session, username))
    return await request.app.ctx.password_pool.run(check_password, record, password)
