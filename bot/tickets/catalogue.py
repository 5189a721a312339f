"""The department catalogue: functions (what a department does) and bodies (who does it where).

Loaded from `knowledge/departments.yml`, so a civil servant can rename a bureau or add a branch
without touching Python. Bodies are looked up by (function, jurisdiction); `resolve` accepts the
many spellings people use for the same body (舟山市定海区市场监督管理局 = 定海区市场监督管理局).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional

from bot.knowledge_files import DepartmentsFile, load_data

LEVELS = ("city", "district", "county", "zone", "utility")
_CITY_PREFIX = re.compile(r"^(浙江省)?舟山市(?=定海区|普陀区|岱山县|嵊泗县)")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Function:
    id: str
    name: str
    keywords: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()


@dataclass(frozen=True)
class Body:
    id: str
    name: str
    level: str
    jurisdiction: str
    function: str
    aliases: tuple[str, ...] = ()


def normalise_name(name: str) -> str:
    """Spelling-insensitive key for a department name."""
    return _CITY_PREFIX.sub("", _SPACES.sub("", name or ""))


class Catalogue:
    """Functions and bodies, with look-ups by id, by (function, jurisdiction) and by name."""

    def __init__(self, functions: Iterable[Function], bodies: Iterable[Body]):
        self._functions = {f.id: f for f in functions}
        self._bodies = {b.id: b for b in bodies}
        self._by_place = {(b.function, b.jurisdiction): b for b in self._bodies.values()}
        self._by_name: dict[str, Body] = {}
        for body in self._bodies.values():
            for name in (body.name, *body.aliases):
                self._by_name.setdefault(normalise_name(name), body)

    @classmethod
    def load(cls, path: Path) -> Catalogue:
        data = load_data(path, DepartmentsFile)
        functions = [
            Function(
                id=str(f["id"]),
                name=str(f["name"]),
                keywords=tuple(str(k) for k in f.get("keywords") or ()),
                examples=tuple(str(e) for e in f.get("examples") or ()),
            )
            for f in data["functions"]
        ]
        bodies = [
            Body(
                id=str(b["id"]),
                name=str(b["name"]),
                level=str(b["level"]),
                jurisdiction=str(b["jurisdiction"]),
                function=str(b["function"]),
                aliases=tuple(str(a) for a in b.get("aliases") or ()),
            )
            for b in data["bodies"]
        ]
        _validate(functions, bodies, path)
        return cls(functions, bodies)

    @property
    def functions(self) -> list[Function]:
        return list(self._functions.values())

    def function(self, function_id: str) -> Function:
        return self._functions[function_id]

    def body(self, body_id: str) -> Body:
        return self._bodies[body_id]

    def bodies(
        self, function: Optional[str] = None, jurisdiction: Optional[str] = None
    ) -> list[Body]:
        """All bodies, optionally only those of one function and/or one jurisdiction."""
        return [
            b
            for b in self._bodies.values()
            if (function is None or b.function == function)
            and (jurisdiction is None or b.jurisdiction == jurisdiction)
        ]

    def body_for(self, function: str, jurisdiction: str) -> Optional[Body]:
        """The body doing `function` in exactly `jurisdiction`, if there is one."""
        return self._by_place.get((function, jurisdiction))

    def resolve(self, name: str) -> Optional[Body]:
        """The body called `name` (full name or alias, with or without the 舟山市 prefix)."""
        return self._by_name.get(normalise_name(name))


def _validate(functions: list[Function], bodies: list[Body], path: Path) -> None:
    """Fail at load time, naming the file, rather than mis-route a ticket later."""
    function_ids = [f.id for f in functions]
    body_ids = [b.id for b in bodies]
    problems = [f"duplicate function id {i}" for i in _duplicates(function_ids)]
    problems += [f"duplicate body id {i}" for i in _duplicates(body_ids)]
    known = set(function_ids)
    for body in bodies:
        if body.function not in known:
            problems.append(f"body {body.id}: unknown function {body.function}")
        if body.level not in LEVELS:
            problems.append(f"body {body.id}: level must be one of {', '.join(LEVELS)}")
    served_by_city = {b.function for b in bodies if b.jurisdiction == "city"}
    problems += [f"function {f} has no city-level body" for f in known - served_by_city]
    if problems:
        raise ValueError(f"{path}: " + "; ".join(sorted(problems)))


def _duplicates(values: list[str]) -> set[str]:
    return {value for value, count in Counter(values).items() if count > 1}
