"""`python -m bot deploy`: several instances of every service behind nginx, as on several machines.

Each instance is a Rasa server, an action server and a web service on ports of their own
(`RASA_PORT`, `ACTIONS_PORT`, `WEB_PORT` plus the instance's index), its web service relaying to
its own Rasa and that Rasa calling its own action server, exactly what one machine of a
multi-machine deployment runs with `python -m bot run`. What instances share is what machines
would share: PostgreSQL (our data and Rasa's tracker store), Redis (Rasa's conversation lock, the
web service's rate-limit windows) and the secret key that signs citizens' cookies; so any instance
can answer any conversation. nginx (`deploy/nginx.conf.template`, rendered into
`var/nginx/nginx.conf`) spreads requests over the web services, keeps a conversation on one of
them, caps bodies and limits rates per address.

`python -m bot deploy --render --web 10.0.0.2:8080 --web 10.0.0.3:8080` only renders the
configuration for web services on other machines.
"""

from __future__ import annotations

import argparse
import dataclasses
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from string import Template
from typing import Sequence

import yaml

from bot.config import PROJECT_ROOT, Settings
from bot.keys import refuse_unsafe_production
from bot.runner import (
    PortsTaken,
    Service,
    Supervisor,
    _interrupt,
    prepare,
    render_endpoints,
    service_specs,
)

NGINX = "/usr/sbin/nginx"
TEMPLATES = PROJECT_ROOT / "deploy"
NGINX_TEMP_DIRS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
REQUEST_MAX_SIZE = "1m"
"""The web service's own global cap (Sanic's REQUEST_MAX_SIZE)."""


class ConfTemplate(Template):
    """`${name}` placeholders only, so nginx's own `$variables` pass through untouched."""

    pattern = r"\$\{(?P<braced>[a-z_]+)\}(?P<named>(?!))?(?P<escaped>(?!))?(?P<invalid>(?!))?"


class DeployError(RuntimeError):
    """The settings cannot run several instances (e.g. SQLite or no Redis)."""


def instance_settings(settings: Settings, index: int) -> Settings:
    """The settings of instance `index` (1-based): ports offset by index - 1, own Rasa."""
    offset = index - 1
    rasa_port = settings.rasa_port + offset
    return dataclasses.replace(
        settings,
        rasa_port=rasa_port,
        actions_port=settings.actions_port + offset,
        web_port=settings.web_port + offset,
        rasa_url=f"http://127.0.0.1:{rasa_port}",
        proxies_count=max(settings.proxies_count, 1),
    )


def ports_from(settings: Settings, instances: int, base: int) -> Settings:
    """`settings` with consecutive ports from `base`: the Rasa servers', the action servers',
    the web services', then nginx's."""
    return dataclasses.replace(
        settings,
        rasa_port=base,
        actions_port=base + instances,
        web_port=base + 2 * instances,
        proxy_port=base + 3 * instances,
    )


def check_shared(settings: Settings) -> None:
    """Instances can only share what lives outside them."""
    if settings.is_sqlite:
        raise DeployError(
            "多实例需要 PostgreSQL：SQLite 文件无法被多台机器共享（设置 DATABASE_URL）"
        )
    if not settings.redis_url:
        raise DeployError("多实例需要 Redis：会话锁与限流窗口要在各实例间共享（设置 REDIS_URL）")


def _conf_size(size: int) -> str:
    return f"{size // 1000}k"


def _body_locations() -> str:
    from bot.web.gate import BODY_CAPS

    blocks = []
    for prefix, cap in BODY_CAPS:
        if prefix.startswith("/api/chat"):
            continue
        blocks.append(
            f"        location ^~ {prefix} {{\n"
            f"            client_max_body_size {_conf_size(cap)};\n"
            "            proxy_pass http://web;\n"
            "        }\n"
        )
    return "\n".join(blocks)


def _server_blocks(settings: Settings) -> str:
    from bot.web.gate import BODY_CAPS

    chat_cap = next(cap for prefix, cap in BODY_CAPS if prefix == "/api/chat")
    listen = settings.proxy_host
    template = ConfTemplate((TEMPLATES / "server.conf.template").read_text())
    common = {
        "server_name": settings.proxy_server_name,
        "burst": 40,
        "chat_burst": 20,
        "chat_body_cap": _conf_size(chat_cap),
        "streams_per_address": 6,
        "body_locations": _body_locations(),
    }
    if not (settings.proxy_tls_cert and settings.proxy_tls_key):
        return template.substitute(common, listen=f"listen {listen}:{settings.proxy_port};", tls="")
    tls = (
        f"        ssl_certificate {settings.proxy_tls_cert};\n"
        f"        ssl_certificate_key {settings.proxy_tls_key};\n"
        "        ssl_protocols TLSv1.2 TLSv1.3;\n"
        "        ssl_session_cache shared:tls:10m;\n"
        '        add_header Strict-Transport-Security "max-age=31536000" always;\n'
    )
    redirect = (
        "    server {\n"
        f"        listen {listen}:{settings.proxy_port};\n"
        f"        server_name {settings.proxy_server_name};\n"
        f"        return 301 https://$host:{settings.proxy_tls_port}$request_uri;\n"
        "    }\n"
    )
    secure = template.substitute(
        common, listen=f"listen {listen}:{settings.proxy_tls_port} ssl;", tls=tls
    )
    return redirect + "\n" + secure


def render_nginx(settings: Settings, web_addresses: Sequence[str], prefix: Path) -> str:
    """nginx.conf for web services at `web_addresses` ("host:port"), its files under `prefix`."""
    trusted = [n.strip() for n in settings.proxy_trusted.split(",") if n.strip()]
    real_ip = "".join(f"    set_real_ip_from {network};\n" for network in trusted)
    if trusted:
        real_ip += "    real_ip_header X-Forwarded-For;\n    real_ip_recursive on;\n"
    servers = "".join(
        f"        server {address} max_fails=3 fail_timeout=10s;\n" for address in web_addresses
    )
    return ConfTemplate((TEMPLATES / "nginx.conf.template").read_text()).substitute(
        prefix=prefix,
        body_cap=REQUEST_MAX_SIZE,
        real_ip=real_ip,
        rate_per_second=10,
        chat_per_second=2,
        web_servers=servers.rstrip("\n"),
        servers=_server_blocks(settings),
    )


def write_nginx(settings: Settings, web_addresses: Sequence[str]) -> Path:
    """Render, write and check (`nginx -t`) the configuration; its path."""
    prefix = settings.var_dir / "nginx"
    for name in NGINX_TEMP_DIRS:
        (prefix / name).mkdir(parents=True, exist_ok=True)
    path = prefix / "nginx.conf"
    path.write_text(render_nginx(settings, web_addresses, prefix))
    checked = subprocess.run(
        [NGINX, "-t", "-q", "-p", str(prefix), "-c", str(path)], capture_output=True, text=True
    )
    if checked.returncode:
        raise DeployError(f"nginx 配置检查失败（{path}）：{checked.stderr.strip()}")
    return path


def nginx_service(settings: Settings, config: Path) -> Service:
    return Service(
        "nginx",
        [NGINX, "-p", str(config.parent), "-c", str(config), "-g", "daemon off;"],
        f"http://127.0.0.1:{settings.proxy_port}/healthz",
        ports=((settings.proxy_host, settings.proxy_port),),
    )


def instance_services(settings: Settings, model: Path, index: int) -> list[Service]:
    """Instance `index`'s three services, named `rasa-2` etc., with its own endpoints file."""
    mine = instance_settings(settings, index)
    folder = settings.var_dir / "instances" / str(index)
    folder.mkdir(parents=True, exist_ok=True)
    endpoints = folder / "endpoints.yml"
    endpoints.write_text(
        yaml.safe_dump(render_endpoints(mine), allow_unicode=True, sort_keys=False)
    )
    services = service_specs(mine, model, endpoints)
    for service in services:
        service.name = f"{service.name}-{index}"
    return services


def front_services(settings: Settings, instances: int, model: Path) -> list[Service]:
    """Every instance's services, then nginx in front of their web services."""
    check_shared(settings)
    if shutil.which(NGINX) is None:
        raise DeployError(f"找不到 nginx（{NGINX}）：apt-get install nginx")
    services: list[Service] = []
    for index in range(1, instances + 1):
        services.extend(instance_services(settings, model, index))
    webs = [f"127.0.0.1:{instance_settings(settings, i).web_port}" for i in range(1, instances + 1)]
    return services + [nginx_service(settings, write_nginx(settings, webs))]


def start_front(settings: Settings, instances: int, timeout: float = 240) -> Supervisor:
    """Migrate, then start `instances` instances and nginx; the running supervisor."""
    model, _ = prepare(settings)
    supervisor = Supervisor(front_services(settings, instances, model), settings.var_dir / "logs")
    supervisor.start(timeout=timeout)
    return supervisor


def _deploy(args: argparse.Namespace, settings: Settings) -> int:
    if args.render:
        if not args.web:
            raise SystemExit("--render 需要至少一个 --web 主机:端口")
        print(write_nginx(settings, args.web))
        return 0
    refuse_unsafe_production(settings)
    for number in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, _interrupt)
    started = time.monotonic()
    try:
        supervisor = start_front(settings, args.instances)
    except (DeployError, PortsTaken, RuntimeError) as failure:
        print(f"启动失败：{failure}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("启动被中断，已停止全部服务", file=sys.stderr)
        return 130
    print(
        f"\n{args.instances} 个实例已启动（{time.monotonic() - started:.1f} 秒），"
        f"nginx 在 http://127.0.0.1:{settings.proxy_port}/ ；日志 {settings.var_dir / 'logs'}\n"
        "按 Ctrl-C 停止全部服务。",
        flush=True,
    )
    return supervisor.wait()


def register(commands) -> None:
    deploy = commands.top.add_parser(
        "deploy", help="start several instances of every service behind nginx"
    )
    deploy.add_argument("--instances", type=int, default=2, help="instances of each service")
    deploy.add_argument(
        "--render", action="store_true", help="only render var/nginx/nginx.conf for --web"
    )
    deploy.add_argument(
        "--web", action="append", default=[], help="a web service host:port (with --render)"
    )
    deploy.set_defaults(handler=_deploy)
