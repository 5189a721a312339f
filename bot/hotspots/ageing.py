"""The stream clock that ages decayed counts: at most once every so often, never backwards.

Counts that fade with a half-life (the event words' shares in `detect`, the intake formulas' runs
in `formulas`) are aged by the time the *stream* says has passed, not the wall clock: a replay of a
month takes seconds and must age the same as the live service. Ageing on every message would cost
more than it is worth, so a `Ticker` hands out the time since it last ticked only once that is at
least `every`; a message timed earlier than the last tick (streams arrive slightly out of order)
never moves the clock back.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Optional


class Ticker:
    """The stream time elapsed since the last tick, handed out at most once every `every`."""

    __slots__ = ("every", "_last")

    def __init__(self, every: timedelta) -> None:
        self.every = every
        self._last: Optional[datetime] = None

    def elapsed(self, now: datetime) -> Optional[timedelta]:
        """Time since the last tick when at least `every` has passed (and tick), else None.

        The first time seen starts the clock; a time before the last tick is ignored."""
        last = self._last
        if last is None:
            self._last = now
            return None
        if now < last:
            return None
        elapsed = now - last
        if elapsed < self.every:
            return None
        self._last = now
        return elapsed
