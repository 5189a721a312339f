"""The intake's formulas, learnt from the traffic: what many unrelated messages say verbatim.

Real intake text is framed: a 12345 operator transcribes every call as 市民来电反映：… or 来电人称…
and closes it with 请相关部门核实处理 or 要求回电告知处理结果; a portal form says 尊敬的领导 and
望尽快答复，谢谢; posts carry their account's stock phrases. Each frame is said by hundreds of
messages about nothing in common, and a grouping that weighs it as words shared (or, as 来电 is
also a power cut's end, as an event named) puts them together.

A formula is recognised by how it is used, not listed: a run of `size` characters (four: longer
than the words of a matter, 物业, 公积金, and shorter than the frames) that is in at least `share`
of the recent messages (counts halved every `half_life`) and has been for a while: its share over
the last few hours (`short_half_life`) is not `burst_ratio` times its usual share. An event's own
phrase (海润万家, said by every report of a shop chain's closing) is common only during the event,
which is what makes it news; a formula is as common every hour. The runs are counted in a fixed
table of hashed buckets, so memory is the same whatever the month, and aged once an hour.
"""

from __future__ import annotations

import re
import zlib
from array import array
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.hotspots.ageing import Ticker
from bot.knowledge_files import Schema

_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
AGE_EVERY = timedelta(hours=1)
BUCKET_CACHE = 200_000


class FormulasConfig(Schema):
    """knowledge/hotspots.yml `formulas:`."""

    size: int = 4
    share: float = 0.01
    min_count: float = 8
    half_life_hours: float = 48
    short_half_life_hours: float = 3
    burst_ratio: float = 4
    warmup_messages: int = 200
    buckets_bits: int = 20


@dataclass(frozen=True)
class FormulaSettings:
    size: int = 4
    share: float = 0.01
    min_count: float = 8.0
    half_life: timedelta = timedelta(hours=48)
    short_half_life: timedelta = timedelta(hours=3)
    burst_ratio: float = 4.0
    warmup: int = 200
    buckets_bits: int = 20

    @classmethod
    def from_config(cls, config: FormulasConfig) -> FormulaSettings:
        return cls(
            size=config.size,
            share=config.share,
            min_count=config.min_count,
            half_life=timedelta(hours=config.half_life_hours),
            short_half_life=timedelta(hours=config.short_half_life_hours),
            burst_ratio=config.burst_ratio,
            warmup=config.warmup_messages,
            buckets_bits=config.buckets_bits,
        )


class Formulas:
    """Learns the formulas of the traffic and blanks them out of each message.

    Ageing is kept lazy: rather than halving every count once a half-life, each new count weighs
    twice as much a half-life later, and a share compares counts with documents counted the same
    way (both are rescaled once the weights grow large)."""

    RESCALE_AT = 1e100

    def __init__(self, settings: FormulaSettings) -> None:
        self.settings = settings
        self._mask = (1 << settings.buckets_bits) - 1
        self._long = array("d", bytes(8 << settings.buckets_bits))
        self._short = array("d", bytes(8 << settings.buckets_bits))
        self._long_weight = 1.0
        self._short_weight = 1.0
        self._long_documents = 0.0
        self._short_documents = 0.0
        self._documents = 0
        self._clock = Ticker(AGE_EVERY)
        # the bucket of each run met lately (the formulas are met all the time)
        self._buckets: dict[str, int] = {}

    def age(self, now: datetime) -> None:
        """What is counted from `now` on weighs 2^(time since the start / half-life)."""
        elapsed = self._clock.elapsed(now)
        if elapsed is None:
            return
        self._long_weight *= 2.0 ** (elapsed / self.settings.half_life)
        self._short_weight *= 2.0 ** (elapsed / self.settings.short_half_life)
        if self._long_weight > self.RESCALE_AT:
            self._long, self._long_documents = _rescaled(self._long, self._long_weight, self._long_documents)
            self._long_weight = 1.0
        if self._short_weight > self.RESCALE_AT:
            self._short, self._short_documents = _rescaled(
                self._short, self._short_weight, self._short_documents
            )
            self._short_weight = 1.0

    def blank(self, text: str) -> str:
        """`text` with its formulas blanked (a space for each of their characters), and learnt
        from: the runs it says are counted after it is read."""
        settings = self.settings
        size, mask = settings.size, self._mask
        long, short = self._long, self._short
        self._documents += 1
        judge = self._documents > settings.warmup
        if judge:
            least = max(settings.share * self._long_documents, settings.min_count * self._long_weight)
            # short / short_documents <= ratio * long / long_documents: not an event's phrase now
            steady = settings.burst_ratio * self._short_documents / max(self._long_documents, 1e-300)
        covered: list[int] = []
        buckets: set[int] = set()
        cache = self._buckets
        if len(cache) > BUCKET_CACHE:
            cache.clear()
        for run in _CJK_RUN.finditer(text):
            chars = run.group()
            if len(chars) < size:
                continue
            start = run.start()
            for i in range(len(chars) - size + 1):
                gram = chars[i : i + size]
                bucket = cache.get(gram)
                if bucket is None:
                    bucket = cache[gram] = zlib.crc32(gram.encode()) & mask
                buckets.add(bucket)
                if judge:
                    count = long[bucket]
                    if count >= least and short[bucket] <= steady * count:
                        covered.append(start + i)
        long_weight, short_weight = self._long_weight, self._short_weight
        for bucket in buckets:
            long[bucket] += long_weight
            short[bucket] += short_weight
        self._long_documents += long_weight
        self._short_documents += short_weight
        if not covered:
            return text
        chars_list = list(text)
        for position in covered:
            chars_list[position : position + size] = " " * size
        return "".join(chars_list)


def _rescaled(counts: array, weight: float, documents: float) -> tuple[array, float]:
    return array("d", [count / weight for count in counts]), documents / weight
