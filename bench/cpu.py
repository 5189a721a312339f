"""CPU time used by a service, read from /proc: every process in its process group.

`Supervisor` starts each service in a session of its own, so a service's Sanic workers and helper
processes share its process group; summing their user and system time gives the service's CPU
seconds, which divided by the messages answered is the figure a capacity plan multiplies.
The load generator (this process: the simulated citizens, and the threads copying the services'
logs) runs on the same cores, so its CPU is reported beside them as `client`.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def group_cpu_seconds(group: int) -> float:
    """User + system seconds of the live processes in process group `group`."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2 :].split()
        if int(fields[2]) == group:
            total += int(fields[11]) + int(fields[12])
    return total / TICKS


def service_groups(supervisor) -> dict[str, int]:
    """Each running service of a `bot.runner.Supervisor` by name → its process group."""
    return {s.name: s.process.pid for s in supervisor.services if s.process}


def services_cpu(groups: dict[str, int]) -> dict[str, float]:
    """CPU seconds so far of each named process group, and of this process as `client`."""
    own = os.times()
    return {
        **{name: group_cpu_seconds(group) for name, group in groups.items()},
        "client": own.user + own.system,
    }


def per_message(
    before: dict[str, float], after: dict[str, float], messages: int, by: dict[str, str]
) -> dict[str, float]:
    """CPU milliseconds per message by service kind; `by` maps a process name to its kind
    (`rasa-2` → `rasa`), so several instances of one service add up."""
    spent: dict[str, float] = {}
    for name, seconds in after.items():
        kind = by.get(name, name)
        spent[kind] = spent.get(kind, 0.0) + seconds - before.get(name, 0.0)
    return {kind: round(1000 * s / max(messages, 1), 2) for kind, s in sorted(spent.items())}


def wait_until_idle(
    groups: dict[str, int], quiet: float = 0.15, interval: float = 1.0, timeout: float = 90.0
) -> float:
    """Wait until the services together use less than `quiet` CPU seconds per `interval` (or
    `timeout` passes); the seconds waited. A stack answers its health checks as soon as one of
    Rasa's workers has loaded the model: the others load theirs for several seconds more, on
    the same cores, and a measurement started then measures that."""
    started = time.monotonic()
    before = services_cpu(groups)
    while time.monotonic() - started < timeout:
        time.sleep(interval)
        after = services_cpu(groups)
        busy = sum(after[name] - before[name] for name in groups)
        if busy < quiet:
            break
        before = after
    return time.monotonic() - started
