"""Longest-match phrase scanning, shared by the gazetteer and the classifier.

A regex alternation of a thousand phrases backtracks through every alternative at every
position; indexing phrases by their first character keeps a scan linear in the text with a few
dictionary look-ups per character, which is what keeps routing well under a millisecond.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Generic, Iterable, Iterator, Mapping, TypeVar

V = TypeVar("V")


@dataclass(frozen=True)
class Hit(Generic[V]):
    start: int
    phrase: str
    value: V

    @property
    def end(self) -> int:
        return self.start + len(self.phrase)


class PhraseIndex(Generic[V]):
    """Finds non-overlapping phrases in a text, preferring the longest at each position."""

    def __init__(self, phrases: Mapping[str, V]):
        self._values = {p.lower(): v for p, v in phrases.items() if p}
        lengths: dict[str, set[int]] = defaultdict(set)
        for phrase in self._values:
            lengths[phrase[0]].add(len(phrase))
        self._lengths = {ch: sorted(ls, reverse=True) for ch, ls in lengths.items()}

    def __len__(self) -> int:
        return len(self._values)

    def scan(self, text: str) -> Iterator[Hit[V]]:
        lowered = text.lower()
        i, n = 0, len(lowered)
        while i < n:
            for length in self._lengths.get(lowered[i], ()):
                candidate = lowered[i : i + length]
                if candidate in self._values:
                    yield Hit(i, text[i : i + length], self._values[candidate])
                    i += length
                    break
            else:
                i += 1

    def values(self, text: str) -> list[V]:
        return [hit.value for hit in self.scan(text)]


def merge(pairs: Iterable[tuple[str, V]]) -> dict[str, list[V]]:
    """Group values by phrase, so one phrase can count for several labels."""
    grouped: dict[str, list[V]] = defaultdict(list)
    for phrase, value in pairs:
        grouped[phrase].append(value)
    return dict(grouped)
