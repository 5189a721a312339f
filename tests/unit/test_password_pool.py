"""Password checks run on a bounded pool that refuses at once when full."""

from __future__ import annotations

import asyncio
import os
import threading

import pytest

from bot.accounts import authenticate_password, check_password, create_user, password_record
from bot.web.errors import Busy
from bot.web.passwords import HASHING_NICENESS, BoundedPool


def test_a_full_pool_refuses_at_once_and_recovers():
    release = threading.Event()

    async def scenario() -> list:
        pool = BoundedPool(threads=1, queue=1)
        try:
            running = [asyncio.ensure_future(pool.run(release.wait, 10)) for _ in range(2)]
            await asyncio.sleep(0.05)
            with pytest.raises(Busy):
                await pool.run(release.wait, 10)
            release.set()
            done = await asyncio.gather(*running)
            done.append(await pool.run(lambda: "again"))
            return done
        finally:
            pool.close()

    assert asyncio.run(scenario()) == [True, True, "again"]


def test_the_split_check_matches_the_whole_one(db):
    with db.session() as session:
        create_user(session, username="op", password="operator-pass", role="operator")
    with db.session() as session:
        record = password_record(session, "op")
        assert check_password(record, "operator-pass").username == "op"
        assert check_password(record, "wrong") is None
        assert check_password(password_record(session, "nobody"), "x") is None
        assert authenticate_password(session, "op", "operator-pass").role == "operator"


def test_hashing_threads_run_at_the_lowest_priority_and_the_loop_keeps_its_own():
    def niceness() -> int:
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    before = niceness()

    async def scenario() -> int:
        pool = BoundedPool()
        try:
            return await pool.run(niceness)
        finally:
            pool.close()

    assert asyncio.run(scenario()) == max(before, HASHING_NICENESS)
    assert niceness() == before
