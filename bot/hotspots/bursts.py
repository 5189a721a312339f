"""Events of kinds nobody listed: bursty terms (TwitterMonitor, Kleinberg-style burst detection,
done incrementally).

The event lexicon (knowledge/hotspots_events.yml) knows floods, power cuts and fires; a hospital
whose queue system fails (挂号机黑屏, 叫号系统坏了, 系统崩了) or a landslide on an island road is
reported in words it has never listed. What such an event does have is words that are suddenly
common: 医院, 系统, 挂号 are in a few messages a week and then in several an hour.

For each term of a message (the character bigrams of its words, one token per event type of
knowledge/hotspots_events.yml it names, and the bigrams of the places it names) this module keeps:

- how many messages of the last `window` hold it, and from how many distinct senders;
- its share of the messages before that window, decayed with a half-life of days (the baseline,
  smoothed towards `prior_share` while it has seen little).

A term is bursty when the window holds it in at least `min_messages` messages of as many senders
and `lift` times more often than its baseline share predicts for the window's traffic, unless it is
a word of every other message (`max_share`). Messages about ordinary matters, even many of one
kind (noise from twelve building sites over a week), keep their words' rates steady: they are not
bursty.

An event type is a thesaurus class: 塌方, 滑坡, 泥石 and 塌下来 share no bigram but are one
happening, so a landslide reported in as many words still has one term said by every report, and
it is bursty like a word when reported at many times its usual rate (a type said all week, like
traffic jams, is not).

Co-occurring bursty terms form an emerging event: a message with a bursty word starts one or joins
the active events it shares a term with (bridging two makes them one); while the event lasts, its
terms keep naming it even once their rate falls. A place alone starts nothing (a place much talked
about for many small matters is not an event), nor does a word that says where but names no place
(楼下, 小区, 门口: the knowledge's `generic_names`; a wall crack, a restaurant's smoke and a bus
shelter are all downstairs in one town), but a message naming a place of an event's words joins it.
When an event gains a term, the earlier messages of the window holding it are members
too: their topics are handed to the detector once (`take_pending`), which merges them into the
event's topic when mostly about it and places fit (`Detector._gather`); a later member whose words
found no topic, or only a stray one, goes to the event's topic (`Detector._burst_topic`).

Everything is incremental: the baseline is kept in growing units (a message of time t counts
2^(t/half-life)), so no per-term decay is ever computed, and renormalised (forgetting decayed
terms) when the units or the vocabulary grow large; the window is a queue with per-term queues of
its messages. Iteration follows arrival order only, so the result does not depend on the hash
seed.
"""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Iterable, Optional

from bot.knowledge_files import Schema

# the baseline's units are renormalised before they get this large, or when it holds this many
# terms (then the terms decayed below `_FORGOTTEN` of a message go: memory stays flat over a month)
_RESCALE_AT = 1e60
_BASELINE_TERMS = 200_000
_FORGOTTEN = 0.05
# an event type among the terms (never a bigram of text: it holds no CJK pair)
EVENT_TOKEN = "#"


class BurstsConfig(Schema):
    """knowledge/hotspots.yml `bursts:`."""

    window_minutes: float
    baseline_half_life_hours: float
    min_messages: int
    lift: float
    prior_share: float
    prior_messages: float
    max_share: float
    warmup_messages: float
    relink_terms: int
    start_terms: int = 1
    start_share: float = 1.0


@dataclass(frozen=True)
class BurstSettings:
    window: timedelta
    half_life: float
    min_messages: int
    lift: float
    prior_share: float
    prior_messages: float
    max_share: float
    warmup_messages: float
    relink_terms: int
    start_terms: int = 1
    start_share: float = 1.0

    @classmethod
    def from_config(cls, config: BurstsConfig) -> BurstSettings:
        return cls(
            window=timedelta(minutes=config.window_minutes),
            half_life=config.baseline_half_life_hours * 3600.0,
            min_messages=config.min_messages,
            lift=config.lift,
            prior_share=config.prior_share,
            prior_messages=config.prior_messages,
            max_share=config.max_share,
            warmup_messages=config.warmup_messages,
            relink_terms=config.relink_terms,
            start_terms=config.start_terms,
            start_share=config.start_share,
        )


class _Entry:
    """One message of the window: its terms with their weights, and where it went."""

    __slots__ = ("id", "time", "sender", "what", "terms", "topic", "event")

    def __init__(self, message_id: str, time: datetime, sender: str, terms: tuple[str, ...]):
        self.id = message_id
        self.time = time
        self.sender = sender
        self.what = terms
        self.terms: tuple[str, ...] = ()
        self.topic = None
        self.event: Optional[Emerging] = None


@dataclass(eq=False)
class Emerging:
    """An emerging event: the bursty terms its members share, and the topic they are gathered in."""

    id: int
    terms: Counter = field(default_factory=Counter)
    last_seen: Optional[datetime] = None
    topic: object = None
    # topics to bring together, with how many of their messages are the event's: those of earlier
    # messages found to be members, those of events found to be this one (taken once)
    pending: list = field(default_factory=list)

    def shared(self, terms: Iterable[str]) -> int:
        """How many of `terms` are the event's."""
        own = self.terms
        return sum([1 for t in terms if t in own])


class BurstyTerms:
    """Per-term arrival rates over a short window against a long baseline; the emerging events."""

    def __init__(self, settings: BurstSettings, where_words: Iterable[str] = ()) -> None:
        self.settings = settings
        # words that say where but name no place (楼下, 小区, 门口): like places, they never start
        # an event, many matters are downstairs at once
        self._where_words = frozenset(where_words)
        self._window: deque[_Entry] = deque()
        self._term_window: dict[str, deque[_Entry]] = {}
        self._baseline: dict[str, float] = {}
        self._baseline_total = 0.0
        self._origin: Optional[datetime] = None
        self._scale = 1.0
        self._prune_at = _BASELINE_TERMS
        self._events: dict[int, Emerging] = {}
        self._event_of_term: dict[str, list[int]] = {}
        self._next_event = 1

    def observe(
        self,
        message_id: str,
        time: datetime,
        sender: Optional[str],
        terms: Iterable[str],
        places: Iterable[str] = (),
    ) -> Optional[Emerging]:
        """Count the message's terms (its characters and bigrams but its places); the emerging
        event it belongs to, if any."""
        self._expire(time)
        where_words = self._where_words
        terms = [t for t in terms if len(t) > 1]
        what = tuple([t for t in terms if t not in where_words])
        # the bigrams of the places it names count for how often a word is said (医院 in 舟山医院)
        # and join an event, but never start one; nor do the words that name no place (楼下)
        where = [p[i : i + 2] for p in sorted(places) for i in range(len(p) - 1)]
        where += [t for t in terms if t in where_words]
        entry = _Entry(message_id, time, sender or message_id, what)
        terms = entry.terms = tuple(dict.fromkeys([*what, *where]))
        self._window.append(entry)
        term_window = self._term_window
        for term in terms:
            queue = term_window.get(term)
            if queue is None:
                queue = term_window[term] = deque()
            queue.append(entry)
        bursty = [t for t in terms if self._is_bursty(t)]
        # an active event's terms keep naming it while it lasts, bursty or no longer
        events = self._events_for([*bursty, *(t for t in what if t in self._event_of_term)])
        if not events and not self._starts([t for t in bursty if t in what]):
            # a place much talked about starts nothing; it joins an event its words started
            return None
        if events:
            # co-occurring bursty terms are one event: the events the message bridges are one
            event = events[0]
            for other in events[1:]:
                self._absorb(event, other)
        else:
            event = Emerging(self._next_event)
            self._next_event += 1
            self._events[event.id] = event
        entry.event = event
        # a common word bursting (知道 in a question about a pension) is no word of the event: it
        # would draw the next unrelated question in; the event keeps its distinctive words
        self._grow(event, [t for t in bursty if self._distinctive(t)] or bursty, time)
        return event

    def placed(self, message_id: str, topic: object) -> None:
        """Where the detector put the message just observed."""
        if self._window and self._window[-1].id == message_id:
            self._window[-1].topic = topic

    @staticmethod
    def take_pending(event: Emerging) -> list:
        """The topics to bring into the event's, with the count of its messages in each (once)."""
        pending, event.pending = event.pending, []
        return pending

    def bursty_terms(self, now: datetime) -> list[str]:
        """The terms bursty now, in order of first arrival in the window (for the console, tests)."""
        self._expire(now)
        return [t for t in self._term_window if self._is_bursty(t)]

    def _starts(self, bursty: list[str]) -> bool:
        """Whether the message's bursty words start an event: an event type, a word rare before
        (its baseline share under `start_share`: 滑坡, 海鲜, 电梯), or `start_terms` of them at
        once. A common word (可以, 知道, 已经: a share of one message in a hundred) is said four
        times in an hour by unrelated questions now and then; alone it is no news."""
        settings = self.settings
        if len(bursty) >= settings.start_terms:
            return True
        return any(self._distinctive(term) for term in bursty)

    def _distinctive(self, term: str) -> bool:
        """An event type, or a word whose baseline share is under `start_share`."""
        return term.startswith(EVENT_TOKEN) or self._baseline.get(term, 0.0) < (
            self.settings.start_share * self._baseline_total
        )

    def is_news(self, event: Emerging) -> bool:
        """Whether the event holds a distinctive term (an event type, a word rare before), not
        only common words that happened to burst together."""
        return any(self._distinctive(term) for term in event.terms)

    # ------------------------------------------------------------------ rates

    def _is_bursty(self, term: str) -> bool:
        settings = self.settings
        queue = self._term_window.get(term)
        if queue is None or len(queue) < settings.min_messages:
            return False
        if self._baseline_total < settings.warmup_messages * self._scale:
            # too little seen yet to tell what is usual
            return False
        prior = settings.prior_messages * self._scale
        baseline = self._baseline.get(term, 0.0)
        if baseline > settings.max_share * self._baseline_total:
            # a word of every other message (没有, 希望) is never news
            return False
        share = (baseline + settings.prior_share * prior) / (self._baseline_total + prior)
        if len(queue) < settings.lift * share * len(self._window):
            return False
        if len({entry.sender for entry in queue}) < settings.min_messages:
            return False
        return True

    def _expire(self, now: datetime) -> None:
        """Messages older than the window leave it for the baseline."""
        horizon = now - self.settings.window
        window, term_window = self._window, self._term_window
        while window and window[0].time < horizon:
            entry = window.popleft()
            unit = self._unit(entry.time)
            for term in entry.terms:
                queue = term_window[term]
                queue.popleft()
                if not queue:
                    del term_window[term]
                self._baseline[term] = self._baseline.get(term, 0.0) + unit
            self._baseline_total += unit
        for event_id in [e for e, event in self._events.items() if event.last_seen < horizon]:
            self._end(event_id)

    def _unit(self, time: datetime) -> float:
        """What one message of `time` counts in the baseline: older ones count less by the
        half-life, expressed as newer ones counting more."""
        if self._origin is None:
            self._origin = time
        unit = 2.0 ** ((time - self._origin).total_seconds() / self.settings.half_life)
        if unit > _RESCALE_AT or len(self._baseline) > self._prune_at:
            self._rescale(time)
            unit = 1.0
        self._scale = max(self._scale, unit)
        return unit

    def _rescale(self, time: datetime) -> None:
        """Move the origin to `time`: every stored count divided alike, the shares unchanged;
        terms decayed to nothing are forgotten."""
        factor = 2.0 ** ((time - self._origin).total_seconds() / self.settings.half_life)
        self._origin = time
        least = _FORGOTTEN * factor
        self._baseline = {t: v / factor for t, v in self._baseline.items() if v > least}
        self._baseline_total /= factor
        self._scale = 1.0
        # all still recent: the next pruning waits until there are twice as many
        self._prune_at = max(_BASELINE_TERMS, 2 * len(self._baseline))

    # ----------------------------------------------------------------- events

    def _events_for(self, bursty: list[str]) -> list[Emerging]:
        """The active events sharing a bursty term with the message, oldest first."""
        found = {e for term in bursty for e in self._event_of_term.get(term, ())}
        return [self._events[e] for e in sorted(found)]

    def _absorb(self, event: Emerging, other: Emerging) -> None:
        """`other` is `event`: its terms, and its topic to bring into the event's."""
        self._end(other.id)
        for term in other.terms:
            if term not in event.terms:
                self._event_of_term.setdefault(term, []).append(event.id)
        event.terms.update(other.terms)
        event.pending.extend(other.pending)
        if other.topic is not None:
            event.pending.append((other.topic, None))

    def _grow(self, event: Emerging, bursty: list[str], time: datetime) -> None:
        """Add the message's bursty terms to the event; for each new one, the earlier messages
        of the window that now share enough of the event's terms are its members too (the first
        reports came before their words were bursty)."""
        event.last_seen = time
        new = [t for t in bursty if t not in event.terms]
        event.terms.update(bursty)
        for term in new:
            self._event_of_term.setdefault(term, []).append(event.id)
            for earlier in self._term_window.get(term, ()):
                if earlier.event is None and event.shared(earlier.terms) >= self.settings.relink_terms:
                    earlier.event = event
                    if earlier.topic is not None:
                        event.pending.append((earlier.topic, 1))

    def _end(self, event_id: int) -> None:
        event = self._events.pop(event_id)
        for term in event.terms:
            ids = self._event_of_term.get(term)
            if ids is None:
                continue
            ids[:] = [e for e in ids if e != event_id]
            if not ids:
                del self._event_of_term[term]
