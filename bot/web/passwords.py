"""Password checks on their own small, bounded pool, so a burst of logins cannot starve the
shared worker threads every other request's database work runs on.

argon2 is deliberately slow (tens of milliseconds of CPU per check). The pool has a few threads
and a short queue; when both are full a login is refused at once with 503 (`Busy`) instead of
waiting behind hundreds of others.
"""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Optional, TypeVar

from sanic.request import Request

from bot.accounts import Principal, check_password, password_record
from bot.web.common import run_db
from bot.web.errors import Busy

T = TypeVar("T")
HASHING_THREADS = 1
"""One core for password checks: on a two-core machine the other always serves citizens."""
HASHING_QUEUE = 8
BUSY_MESSAGE = "登录请求过多，请稍后再试"


class BoundedPool:
    """A thread pool that accepts at most `threads + queue` jobs at a time and refuses more."""

    def __init__(self, threads: int = HASHING_THREADS, queue: int = HASHING_QUEUE) -> None:
        self._executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="argon2")
        self._slots = threading.BoundedSemaphore(threads + queue)

    async def run(self, job: Callable[..., T], *args: object) -> T:
        if not self._slots.acquire(blocking=False):
            raise Busy(BUSY_MESSAGE)
        future = self._executor.submit(job, *args)
        future.add_done_callback(lambda _done: self._slots.release())
        return await asyncio.wrap_future(future)

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


async def verify_login(request: Request, username: str, password: str) -> Optional[Principal]:
    """The account for `username` and `password`: the look-up on the shared pool, the hash
    check on the bounded one (`app.ctx.password_pool`)."""
    record = await run_db(request, lambda session: password_record(session, username))
    return await request.app.ctx.password_pool.run(check_password, record, password)
