"""The 舆情 monitor's own process: one holds the deployment's lease, the others stand by and take
over when it goes; the process says it is ready through its ready file and leaves cleanly."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import signal
import subprocess
import sys
import time

import pytest

from bot.config import Settings
from bot.db import Database
from bot.dbcli import upgrade
from bot.hotspots import worker
from bot.runner import PROJECT_ROOT
from tests.concurrency import migrated_postgres


@pytest.fixture(params=["sqlite", "postgres"])
def deployment(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'app.db'}"
        upgrade(url)
        database = Database(url)
        yield dataclasses.replace(Settings.from_env(), var_dir=tmp_path, database_url=url), database
        database.dispose()
    else:
        for database in migrated_postgres(pool_size=2):
            settings = dataclasses.replace(
                Settings.from_env(), var_dir=tmp_path, database_url=database.url
            )
            yield settings, database


def test_one_lease_per_deployment_and_the_next_takes_it_when_the_holder_goes(deployment):
    settings, database = deployment
    first, second = worker.Lease(settings, database), worker.Lease(settings, database)
    assert first.take()
    assert first.take(), "the holder keeps it"
    assert not second.take(), "a second monitor stands by"
    first.release()
    assert second.take()
    assert not first.take()
    second.release()


def test_a_standby_monitor_takes_over_and_catches_up(deployment, monkeypatch):
    settings, database = deployment
    monkeypatch.setattr(worker, "STANDBY_SECONDS", 0.05)
    holder = worker.Lease(settings, database)
    assert holder.take()
    ready = settings.var_dir / "run" / "standby.ready"

    async def scenario() -> bool:
        task = asyncio.create_task(worker.watch(settings, database, worker.Lease(settings, database), ready))
        for _ in range(100):
            await asyncio.sleep(0.05)
            if ready.exists():
                break
        standing_by = ready.read_text() == str(os.getpid())
        ready.unlink()
        holder.release()
        for _ in range(200):
            await asyncio.sleep(0.05)
            if ready.exists():
                break
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        return standing_by and ready.exists()

    assert asyncio.run(scenario())


def test_the_process_marks_itself_ready_and_leaves_on_sigterm(tmp_path):
    url = f"sqlite:///{tmp_path / 'app.db'}"
    upgrade(url)
    ready = tmp_path / "run" / "monitor.ready"
    env = {**os.environ, "DATABASE_URL": url, "ZS_VAR_DIR": str(tmp_path)}
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "hotspots", "monitor", "--ready-file", str(ready)],
        cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while not (ready.exists() and ready.read_text() == str(process.pid)):
            assert process.poll() is None, process.stdout.read().decode()
            assert time.monotonic() < deadline, "never ready"
            time.sleep(0.1)
        assert (tmp_path / "hotspots-monitor.lock").exists(), "it took the lease beside the database"
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0
        assert not ready.exists()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
