"""A bounded fuzz of every route of the web service: malformed JSON, deep nesting, huge
integers, wrong types, bad UTF-8 and NUL bytes; every answer must be below 500."""

from __future__ import annotations

import http.client
import itertools
import re
from dataclasses import dataclass
from typing import Iterator, Optional
from urllib.parse import urlsplit

DEEP = 100_000
HUGE = "9" * 40
BODIES: list[tuple[str, bytes]] = [
    ("empty", b""),
    ("not json", b"{not json"),
    ("deep list", b"[" * DEEP + b"]" * DEEP),
    ("deep object", b'{"a":' * DEEP + b"1" + b"}" * DEEP),
    ("deep value", b'{"message":' + b"[" * DEEP + b"]" * DEEP + b', "text":' + b"[" * DEEP + b"]" * DEEP + b"}"),
    ("huge int", ('{"message": %s, "text": %s, "version": %s, "limit": %s}' % ((("9" * 5000),) * 4)).encode()),
    ("huge float", b'{"message": 1e999999, "text": -1e999999, "version": 1e400}'),
    ("wrong types", b'{"sender": null, "message": {"a": 1}, "text": ["x"], "reason": 5, "phone": [], "days": "x", "version": "x", "outcome": {}, "department_id": 1}'),
    ("array", b'["message", "text"]'),
    ("string", b'"hello"'),
    ("bad utf-8", b'{"message": "\xff\xfe\xfd", "text": "\xc3\x28"}'),
    ("nul", b'{"message": "a\\u0000b", "text": "\\u0000", "reason": "x\\u0000y"}'),
    ("lone surrogate", b'{"message": "\\ud800", "text": "\\udfff"}'),
    ("form junk", b"text=%FF%FE&reason=%00&csrf_token=x&outcome=%E4&days=99999999999999999999"),
]
CONTENT_TYPES = ["application/json", "application/x-www-form-urlencoded"]
QUERIES = [
    "",
    f"?version={HUGE}",
    "?version=-1&limit=abc&offset=x&page=%FF",
    f"?limit={HUGE}&offset={HUGE}&page={HUGE}",
    "?status=%00&q=%FF%FE&department=%C3%28",
    "?" + "a=1&" * 2000,
]
INT_VALUES = ["1", HUGE]
PARAM_VALUES = {
    "number": ["0" * 32],
    "name": ["return", "reply", "zzz"],
    "sender": ["A" * 64],
    "policy_id": ["x", "." * 120],
}
EXTRA_PATHS = [
    "/static/",
    "/static/js/",
    "/static/js/chat.js%00",
    "/static/%00",
    "/static/js/%00chat.js",
    "/static/..%00/",
    "/%00",
    "/consultations/" + HUGE,
    "/consultations/" + HUGE + "/summary?version=" + HUGE,
    "/consultations/1/summary?version=" + HUGE,
    "/consultations/1/summary.json?version=" + HUGE,
    "/operator/handoffs/" + HUGE,
    "/staff/drafts/" + HUGE,
    "/api/tickets/" + "Z" * 32,
]
_PARAM = re.compile(r"<([a-z_]+)(?::([^>]+))?>")


@dataclass(frozen=True)
class Probe:
    method: str
    path: str
    body: Optional[bytes] = None
    content_type: str = "application/json"
    label: str = ""


def concrete_paths(pattern: str, values: dict[str, list[str]]) -> list[str]:
    """Every combination of sample values for the route's parameters."""
    names = [(m.group(1), m.group(2) or "str") for m in _PARAM.finditer(pattern)]
    if not names:
        return [pattern]
    choices = []
    for name, kind in names:
        if kind == "path":
            choices.append(["js/chat.js"])
        elif kind == "int":
            choices.append(INT_VALUES)
        else:
            choices.append(values.get(name, ["x"]))
    paths = []
    for values in itertools.product(*choices):
        path = pattern
        for value in values:
            path = _PARAM.sub(lambda _m, v=value: v, path, count=1)
        paths.append(path)
    return paths


def probes(
    routes: list[tuple[str, str]], known: Optional[dict[str, list[str]]] = None
) -> Iterator[Probe]:
    """Probes for every route; `known` adds real parameter values (an existing ticket number,
    a citizen with a hand-over) so handlers get past their look-ups."""
    values = {name: PARAM_VALUES.get(name, []) + (known or {}).get(name, []) for name in
              {*PARAM_VALUES, *(known or {})}}
    for method, pattern in routes:
        for path in concrete_paths(pattern, values):
            if method in ("GET", "HEAD"):
                for query in QUERIES:
                    yield Probe(method, path + query, label=f"query {query[:30]}")
            else:
                for (label, body), content_type in itertools.product(BODIES, CONTENT_TYPES):
                    yield Probe(method, path, body, content_type, label)
    for path in EXTRA_PATHS:
        yield Probe("GET", path, label="extra")


def send(base_url: str, probe: Probe, headers: dict[str, str], timeout: float = 60) -> int:
    """One raw request (paths are sent exactly as given, NUL escapes included)."""
    url = urlsplit(base_url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=timeout)
    try:
        all_headers = {**headers}
        if probe.body is not None:
            all_headers["Content-Type"] = probe.content_type
        connection.request(probe.method, probe.path, body=probe.body, headers=all_headers)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()
