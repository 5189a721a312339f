"""Rasa is not a public door: loopback only, no published token, no wildcard CORS; and `bot run`
leaves nothing behind when interrupted during start-up, and refuses to start on taken ports."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from bot.localstack import free_port
from tests.e2e.conftest import http_json

PUBLISHED_TOKEN = "zhoushan-dev-token"
LISTEN = "0A"


def listening_addresses(port: int) -> set[str]:
    """Local addresses (hex, as in /proc/net/tcp*) listening on `port`."""
    addresses = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            address, hex_port = fields[1].split(":")
            if fields[3] == LISTEN and int(hex_port, 16) == port:
                addresses.add(address)
    return addresses


def test_rasa_and_the_action_server_listen_only_on_loopback(stack):
    for port in (stack.settings.rasa_port, stack.settings.actions_port):
        assert listening_addresses(port) == {"0100007F"}, port


def test_the_published_token_opens_nothing(stack):
    sender = "door-probe"
    stack.say(sender, "你好")
    base = stack.rasa_url
    for token in (PUBLISHED_TOKEN, ""):
        status, _ = http_json("GET", f"{base}/conversations/{sender}/tracker?token={token}")
        assert status in (401, 403), token
        status, _ = http_json(
            "POST",
            f"{base}/conversations/{sender}/tracker/events?token={token}",
            {"event": "slot", "name": "phone", "value": "13800000000"},
        )
        assert status in (401, 403), token
        status, _ = http_json("POST", f"{base}/model/train?token={token}", {})
        assert status in (401, 403), token
    assert stack.tracker(sender)["sender_id"] == sender


def test_no_wildcard_cors(stack):
    import urllib.request

    request = urllib.request.Request(
        f"{stack.rasa_url}/webhooks/rest/webhook",
        method="OPTIONS",
        headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            headers = response.headers
    except urllib.error.HTTPError as error:
        headers = error.headers
    allowed = headers.get("Access-Control-Allow-Origin")
    assert allowed in (None, stack.web_url), allowed


def run_env(var_dir: Path, ports: dict[str, int]) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(PROJECT_ROOT),
        "ZS_PROFILE": "dev",
        "ZS_VAR_DIR": str(var_dir),
        "DATABASE_URL": f"sqlite:///{var_dir / 'zhoushan.db'}",
        "REDIS_URL": "",
        "RASA_PORT": str(ports["rasa"]),
        "ACTIONS_PORT": str(ports["actions"]),
        "WEB_PORT": str(ports["web"]),
        "SANIC_WORKERS": "1",
        "ACTION_WORKERS": "1",
    }


def processes_of(var_dir: Path) -> list[int]:
    """Processes (other than this one) started with ZS_VAR_DIR=var_dir."""
    marker = f"ZS_VAR_DIR={var_dir}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if marker in (entry / "environ").read_bytes().split(b"\0"):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def port_free(port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@pytest.mark.parametrize("signal_number", [signal.SIGTERM, signal.SIGINT])
def test_interrupt_during_start_up_stops_every_child(tmp_path, model_path, signal_number):
    ports = {"rasa": free_port(), "actions": free_port(), "web": free_port()}
    runner = subprocess.Popen(
        [sys.executable, "-m", "bot", "run", "--no-train"],
        env=run_env(tmp_path, ports),
        cwd=PROJECT_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        logs = tmp_path / "logs"
        while not all((logs / f"{n}.log").exists() for n in ports) and time.monotonic() < deadline:
            assert runner.poll() is None, runner.stderr.read()
            time.sleep(0.2)
        time.sleep(3)
        assert runner.poll() is None, "start-up finished before the interrupt"
        runner.send_signal(signal_number)
        try:
            assert runner.wait(timeout=30) != 0
        except subprocess.TimeoutExpired:
            alive = [Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")[:120]
                     for pid in processes_of(tmp_path)]
            pytest.fail(f"the runner did not stop within 30 s; still running: {alive}")
    finally:
        if runner.poll() is None:
            runner.kill()
    assert "已停止全部服务" in runner.stderr.read().decode()
    assert processes_of(tmp_path) == []
    assert all(port_free(port) for port in ports.values())


def test_a_second_run_on_taken_ports_says_so_and_fails(tmp_path, model_path):
    ports = {"rasa": free_port(), "actions": free_port(), "web": free_port()}
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", ports["web"]))
        squatter.listen()
        result = subprocess.run(
            [sys.executable, "-m", "bot", "run", "--no-train"],
            env=run_env(tmp_path, ports),
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode == 1
    assert f"web 127.0.0.1:{ports['web']}" in result.stderr and "端口已被占用" in result.stderr
    assert "已启动" not in result.stdout
    assert processes_of(tmp_path) == []


def test_the_operator_console_still_reads_transcripts_with_the_token(stack):
    import uuid

    from bot.accounts import create_user, principal_of
    from bot.handoff import request_handoff
    from bot.web.sessions import SESSION_COOKIE, start_session

    citizen = f"door{uuid.uuid4().hex[:16]}"
    stack.say(citizen, "你好")
    with stack.db.session() as session:
        handoff = request_handoff(session, sender_id=citizen, channel="rest")
        user, _ = create_user(
            session, username=f"door-{uuid.uuid4().hex[:6]}", password="password-123",
            role="operator",
        )
        session.flush()
        handoff_id, cookie = handoff.id, start_session(session, principal_of(user))
    status, body = http_json(
        "GET",
        f"{stack.web_url}/operator/handoffs/{handoff_id}/transcript.json",
        headers={"Cookie": f"{SESSION_COOKIE}={cookie}"},
    )
    assert status == 200, body
    texts = [entry["text"] for entry in body["entries"]]
    assert "你好" in texts and not any("无法读取" in text for text in texts)
