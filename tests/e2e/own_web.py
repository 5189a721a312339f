"""A second web service on the stack's database and Rasa, with its own settings (such as a
request budget large enough for a fuzz), so a test that sends many requests from this machine
neither trips nor exhausts the shared web service's per-address limits."""

from __future__ import annotations

import dataclasses
import sys
from contextlib import contextmanager
from typing import Any, Iterator

from bot.localstack import free_port
from bot.runner import Service, Supervisor


@contextmanager
def own_web_service(stack, **overrides: Any) -> Iterator[str]:
    port = free_port()
    settings = dataclasses.replace(
        stack.settings, web_port=port, public_base_url=f"http://127.0.0.1:{port}", **overrides
    )
    url = f"http://127.0.0.1:{port}"
    service = Service(
        "web-own",
        [sys.executable, "-m", "bot", "web"],
        f"{url}/healthz",
        settings.to_env(),
        ports=(("127.0.0.1", port),),
    )
    supervisor = Supervisor([service], stack.settings.var_dir / "logs")
    supervisor.start(timeout=90)
    try:
        yield url
    finally:
        supervisor.stop()
