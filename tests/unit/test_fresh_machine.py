"""Commands on a fresh machine: no database yet, or no PostgreSQL database, or no server. Each
either sets things up or says in one line what to run; never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

from bot.config import PROJECT_ROOT
from bot.localstack import drop_postgres_database, free_port


def bot(tmp_path, *argv: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot", *argv],
        env={
            **os.environ,
            "PYTHONPATH": str(PROJECT_ROOT),
            "ZS_PROFILE": "dev",
            "ZS_VAR_DIR": str(tmp_path),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.db'}",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
        cwd=PROJECT_ROOT,
    )


def test_a_command_before_the_first_run_migrates_instead_of_a_traceback(tmp_path):
    result = bot(tmp_path, "consult", "list")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "自动迁移" in result.stderr
    again = bot(tmp_path, "consult", "list")
    assert again.returncode == 0 and "自动迁移" not in again.stderr


def test_a_missing_postgresql_database_is_created(tmp_path):
    name = f"zs_test_fresh_{uuid.uuid4().hex[:8]}"
    url = f"postgresql://postgres@127.0.0.1:5432/{name}"
    try:
        result = bot(tmp_path, "consult", "list", DATABASE_URL=url)
        assert result.returncode == 0, result.stderr
        assert f"已创建数据库 {name}" in result.stderr and "Traceback" not in result.stderr
    finally:
        drop_postgres_database(name)


def test_an_unreachable_server_is_one_line(tmp_path):
    url = f"postgresql://postgres@127.0.0.1:{free_port()}/zhoushan"
    for argv in (("consult", "list"), ("db", "upgrade")):
        result = bot(tmp_path, *argv, DATABASE_URL=url)
        assert result.returncode == 1
        assert result.stderr.strip().startswith("无法连接数据库"), result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
