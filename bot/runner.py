"""`python -m bot run`: start Rasa, the action server and our web service, and stop them together.

Each service runs as its own process with its output in `var/logs/<name>.log`. Rasa's endpoints
(tracker store, lock store, action server) are rendered from `Settings` into `var/endpoints.yml`,
so one variable (`DATABASE_URL`, `REDIS_URL` or `ZS_PROFILE=production`) switches every store.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional
from urllib.parse import unquote, urlsplit

import yaml
from sqlalchemy.engine import make_url

from bot.config import PROJECT_ROOT, Settings
from bot.keys import refuse_unsafe_production
from bot.logs import copy_masked

BIN = Path(sys.executable).parent
RASA_MAX_REQUEST_BYTES = 1_000_000
"""Bigger requests to Rasa get 413: a chat message is a few kilobytes, the webhook takes no files."""


def render_endpoints(settings: Settings) -> dict:
    """Rasa's endpoints for `settings`: SQL tracker store on our database, Redis lock if set."""
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite":
        tracker = {
            "type": "bot.tracker_store.TrackerStore",
            "dialect": "sqlite",
            "db": str(settings.var_dir / "rasa_tracker.db"),
        }
    else:
        tracker = {
            "type": "bot.tracker_store.TrackerStore",
            "dialect": "postgresql",
            "url": url.host or "127.0.0.1",
            "port": url.port or 5432,
            "db": url.database,
            "username": url.username or "postgres",
            "password": url.password or "",
        }
    endpoints: dict = {
        # the domain (13 kB of JSON) goes only to the actions marked `send_domain` in domain.yml
        "action_endpoint": {
            "url": f"http://127.0.0.1:{settings.actions_port}/webhook",
            "enable_selective_domain": True,
        },
        "tracker_store": tracker,
    }
    broker = event_broker(settings)
    if broker:
        endpoints["event_broker"] = broker
    if settings.redis_url:
        redis = make_url(settings.redis_url)
        endpoints["lock_store"] = {
            "type": "bot.lock_store.RedisLockStore",
            "url": redis.host or "127.0.0.1",
            "port": redis.port or 6379,
            "db": int(redis.database or 0),
            "key_prefix": "zhoushan",
        }
        if redis.password:
            endpoints["lock_store"]["password"] = redis.password
    else:
        endpoints["lock_store"] = {"type": "in_memory"}
    return endpoints


def event_broker(settings: Settings) -> Optional[dict]:
    """Where Rasa publishes conversation events for the public-opinion monitor: RabbitMQ when
    RABBITMQ_URL is set (production), else on SQLite a table of its own next to our data."""
    if settings.rabbitmq_url:
        amqp = urlsplit(settings.rabbitmq_url)
        return {
            "type": "pika",
            "url": amqp.hostname or "127.0.0.1",
            "port": amqp.port or 5672,
            "username": unquote(amqp.username or "guest"),
            "password": unquote(amqp.password or "guest"),
            "queues": [settings.hotspots_queue],
        }
    if settings.is_sqlite:
        return {
            "type": "bot.event_broker.EventBroker",
            "dialect": "sqlite",
            "db": str(settings.var_dir / "rasa_events.db"),
        }
    return None


def write_endpoints(settings: Settings) -> Path:
    path = settings.var_dir / "endpoints.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "# Rendered by bot/runner.py from the environment; edit the variables, not this file.\n"
        + yaml.safe_dump(render_endpoints(settings), allow_unicode=True, sort_keys=False)
    )
    return path


@dataclass
class Service:
    name: str
    argv: list[str]
    health_url: str
    env: dict[str, str] = field(default_factory=dict)
    cwd: Path = PROJECT_ROOT
    process: Optional[subprocess.Popen] = None
    ports: tuple[tuple[str, int], ...] = ()
    log_copy: Optional[threading.Thread] = None
    ready_file: Optional[Path] = None
    """For a service with no port (`health_url` empty): healthy once this file holds its pid."""


def web_origin(settings: Settings) -> str:
    """The web service's own origin: the only one Rasa answers cross-origin requests from."""
    url = urlsplit(settings.public_base_url)
    return f"{url.scheme}://{url.netloc}"


class PortsTaken(RuntimeError):
    """A port a service needs is already in use (often an earlier `make run` still running)."""


def taken_ports(services: list[Service]) -> list[tuple[str, str, int]]:
    """(service, host, port) for every port that something is already listening on."""
    taken = []
    for service in services:
        for host, port in service.ports:
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                try:
                    probe.bind((host, port))
                except OSError:
                    taken.append((service.name, host, port))
    return taken


def service_specs(settings: Settings, model: Path, endpoints: Path) -> list[Service]:
    """The four services `run` starts, with their health checks: Rasa, the action server, the
    web service and the 舆情 monitor (`bot.hotspots.worker`)."""
    base_env = {
        **settings.to_env(),
        "PYTHONUNBUFFERED": "1",
        "TF_CPP_MIN_LOG_LEVEL": "2",
    }
    rasa = Service(
        "rasa",
        [
            str(BIN / "python"),
            "-m",
            "bot.rasa_server",
            "run",
            "--enable-api",
            # One argument, `=`-joined: a random token may begin with "-", which argparse
            # would otherwise read as an option (Rasa exits with 2, "expected one argument").
            f"--auth-token={settings.rasa_token}",
            "--cors",
            web_origin(settings),
            "--interface",
            settings.rasa_host,
            "--port",
            str(settings.rasa_port),
            "--model",
            str(model),
            "--endpoints",
            str(endpoints),
            "--credentials",
            str(PROJECT_ROOT / "credentials.yml"),
        ],
        f"http://127.0.0.1:{settings.rasa_port}/",
        {
            **base_env,
            "SANIC_WORKERS": str(settings.sanic_workers),
            "SANIC_REQUEST_MAX_SIZE": str(RASA_MAX_REQUEST_BYTES),
        },
        ports=((settings.rasa_host, settings.rasa_port),),
    )
    actions = Service(
        "actions",
        [
            str(BIN / "python"),
            "-m",
            "bot.action_server",
            "--actions",
            "actions",
            "--port",
            str(settings.actions_port),
        ],
        f"http://127.0.0.1:{settings.actions_port}/health",
        {
            **base_env,
            "ACTION_SERVER_SANIC_WORKERS": str(settings.action_workers),
            "SANIC_HOST": settings.actions_host,
        },
        ports=((settings.actions_host, settings.actions_port),),
    )
    web = Service(
        "web",
        [str(BIN / "python"), "-m", "bot", "web"],
        f"http://127.0.0.1:{settings.web_port}/healthz",
        base_env,
        ports=((settings.web_host, settings.web_port),),
    )
    ready = settings.var_dir / "run" / f"hotspots-monitor-{settings.web_port}.ready"
    monitor = Service(
        "monitor",
        [str(BIN / "python"), "-m", "bot", "hotspots", "monitor", "--ready-file", str(ready)],
        "",
        base_env,
        ready_file=ready,
    )
    return [actions, web, rasa, monitor]


def _signal_group(pid: int, number: int) -> None:
    """Signal the process group led by `pid`: it outlives its leader while a worker lives."""
    try:
        os.killpg(pid, number)
    except ProcessLookupError:
        pass


def _healthy(service: Service) -> bool:
    if not service.health_url:
        try:
            return service.ready_file.read_text() == str(service.process.pid)
        except (OSError, AttributeError):
            return False
    return _answers(service.health_url)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status < 500
    except (urllib.error.URLError, OSError, ValueError):
        return False


class Supervisor:
    """Starts services, waits until each answers its health URL, stops them all together."""

    def __init__(self, services: list[Service], log_dir: Path) -> None:
        self.services = services
        self.log_dir = log_dir

    def start(self, timeout: float = 120.0) -> None:
        """Start every service and wait until all answer. Refuses when a port is taken; on any
        failure or interruption (Ctrl-C, SIGTERM) during start-up stops what it started."""
        taken = taken_ports(self.services)
        if taken:
            raise PortsTaken(
                "端口已被占用，未启动任何服务（可能上一次 make run 仍在运行）："
                + "，".join(f"{name} {host}:{port}" for name, host, port in taken)
            )
        self.log_dir.mkdir(parents=True, exist_ok=True)
        try:
            for service in self.services:
                self._spawn(service)
            deadline = time.monotonic() + timeout
            for service in self.services:
                self._wait_healthy(service, deadline, timeout)
        except BaseException:
            self.stop()
            raise

    def _spawn(self, service: Service) -> None:
        """Start one service in its own process group; its output goes through the masking
        copier (`bot.logs.copy_masked`) into `var/logs/<name>.log`."""
        service.process = subprocess.Popen(
            service.argv,
            cwd=service.cwd,
            env={**os.environ, **service.env},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        service.log_copy = copy_masked(service.process.stdout, self.log_dir / f"{service.name}.log")

    def _wait_healthy(self, service: Service, deadline: float, timeout: float) -> None:
        while not _healthy(service):
            if service.process.poll() is not None:
                self.stop()
                raise RuntimeError(
                    f"{service.name} exited with {service.process.returncode}; "
                    f"see {self.log_dir / (service.name + '.log')}"
                )
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{service.name} not ready after {timeout:.0f}s")
            time.sleep(0.25)

    def service(self, name: str) -> Service:
        return next(s for s in self.services if s.name == name)

    def kill(self, name: str) -> None:
        """Kill one service at once (SIGKILL), as a crash would."""
        service = self.service(name)
        if service.process:
            _signal_group(service.process.pid, signal.SIGKILL)
            service.process.wait()

    def restart(self, name: str, timeout: float = 120.0) -> None:
        """Start a service again (after `kill` or a crash) and wait until it is healthy."""
        service = self.service(name)
        self.kill(name)
        self._spawn(service)
        self._wait_healthy(service, time.monotonic() + timeout, timeout)

    def stop(self) -> None:
        """SIGTERM every service's whole process group (Rasa's and the action server's workers
        too), SIGKILL what is left after 15 s."""
        for service in self.services:
            if service.process:
                _signal_group(service.process.pid, signal.SIGTERM)
        for service in self.services:
            if service.process:
                try:
                    service.process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    pass
                _signal_group(service.process.pid, signal.SIGKILL)
                service.process.wait()
            if service.log_copy:
                service.log_copy.join(timeout=5)

    def wait(self) -> int:
        """Block until a service dies or the user presses Ctrl-C; then stop the rest."""
        try:
            while True:
                for service in self.services:
                    if service.process.poll() is not None:
                        print(
                            f"{service.name} 已退出（{service.process.returncode}），正在停止其他服务"
                        )
                        return 1
                time.sleep(0.5)
        except KeyboardInterrupt:
            return 0
        finally:
            self.stop()


def load_drafts(settings: Settings) -> None:
    """Bring the drafts in `knowledge/drafts/` into the database (new and changed ones only)."""
    from bot.consultation import sync_drafts
    from bot.db import Database

    database = Database(settings.database_url)
    try:
        with database.session() as session:
            report = sync_drafts(session, settings.knowledge_dir)
    finally:
        database.dispose()
    for name, problem in report.errors:
        print(f"征求意见稿 {name} 未导入：{problem}", file=sys.stderr)


def prepare(settings: Settings, train: bool = True) -> tuple[Path, Path]:
    """Migrate the database, load the drafts, make sure a current model exists, render the
    endpoints."""
    from bot.dbcli import upgrade
    from bot.model import ensure_model, model_path

    upgrade(settings.database_url)
    load_drafts(settings)
    model = ensure_model() if train else model_path()
    return model, write_endpoints(settings)


def _interrupt(number: int, _frame) -> None:
    raise KeyboardInterrupt(signal.Signals(number).name)


def _run(args: argparse.Namespace, settings: Settings) -> int:
    refuse_unsafe_production(settings)
    # SIGINT too, explicitly: started from a script in the background (`nohup … &`), a process
    # inherits SIGINT ignored, and Python then never raises KeyboardInterrupt for it.
    for number in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(number, _interrupt)
    model, endpoints = prepare(settings, train=not args.no_train)
    supervisor = Supervisor(service_specs(settings, model, endpoints), settings.var_dir / "logs")
    started = time.monotonic()
    try:
        supervisor.start()
    except PortsTaken as taken:
        print(taken, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("启动被中断，已停止全部服务", file=sys.stderr)
        return 130
    except RuntimeError as failure:
        print(f"启动失败：{failure}", file=sys.stderr)
        return 1
    store = "PostgreSQL" if not settings.is_sqlite else "SQLite"
    lock = "Redis" if settings.redis_url else "内存"
    print(
        f"\n舟山政务公开助手已启动（{time.monotonic() - started:.1f} 秒，数据库 {store}，锁存储 {lock}）\n"
        f"  市民门户与各工作台   {settings.public_base_url}/\n"
        f"  Rasa（仅本机，经 web 服务转发）  http://{settings.rasa_host}:{settings.rasa_port}/\n"
        f"  动作服务器（仅本机）  http://{settings.actions_host}:{settings.actions_port}/health\n"
        "  舆情监测             独立进程（python -m bot hotspots monitor）\n"
        f"  日志                 {settings.var_dir / 'logs'}\n"
        "按 Ctrl-C 停止全部服务。",
        flush=True,
    )
    return supervisor.wait()


def _web(args: argparse.Namespace, settings: Settings) -> int:
    from bot.web.app import serve

    refuse_unsafe_production(settings)
    serve(settings)
    return 0


def _endpoints(args: argparse.Namespace, settings: Settings) -> int:
    print(write_endpoints(settings))
    return 0


def register(commands) -> None:
    run = commands.top.add_parser("run", help="start Rasa, the action server and the web service")
    run.add_argument("--no-train", action="store_true", help="use the stored model as it is")
    run.set_defaults(handler=_run)
    commands.top.add_parser("web", help="start only the web service").set_defaults(handler=_web)
    commands.top.add_parser("endpoints", help="write var/endpoints.yml").set_defaults(
        handler=_endpoints
    )
