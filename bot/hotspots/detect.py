"""Grouping messages about one matter as they arrive, and noticing when a matter heats up.

Each message is reduced to what says *which matter* it is: the places it names (the gazetteer's,
and names ending like 路/小区/码头 that the gazetteer does not know), the problems it names in
any of their wordings (停水, 没水 and 爆管 are one problem; knowledge/hotspots_events.yml), and its
characters and character bigrams weighted by how rare they are so far (the IDF is learnt as the
stream goes; a paraphrase keeps more of the characters than of the bigrams). Each topic learns its
own vocabulary as it grows: the terms in a good share of its messages that are much commoner in
it than in the stream (油污, 沙滩 for oil on a beach). A message in words the lexicon does not know
that shares that vocabulary counts as naming the topic's problem. It joins the open topic it is most like,
where "like" needs the same place, or the same problem when one side names no place; two
messages naming different places or different problems are never one matter, so twelve noise
complaints about twelve construction sites stay twelve topics. Topics are found through an
inverted index of places, problems and rare bigrams, so each message costs the same whatever the
number of open topics; a topic quiet for `close_after_hours` is closed and handed to `on_close`,
so memory stays bounded over a month.

An event's first reports often find no topic of each other: other words, other names of the place
(高亭, 岱山县城), no place at all. Reports of one event type from one district within the hot
window that name no different sites or towns are brought together at the third (`_converge`), so
the event is hot, and takes in its placeless reports, from then on rather than from whenever one
of its fragments gets three.

A topic is alerted when it gets `min_messages` within `window_hours`, or `fast_messages` within
`fast_minutes` (an event growing fast: four reports in half an hour are rarer than five in three
hours, and come before them). Its kind (实施细则 item 9),
level, district, first responder (item 8: 属地管理、分级负责、谁主管谁负责) and response clock
(item 11) are worked out then, once, by `assess`.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, OrderedDict, deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import compress, repeat
from operator import mul
from pathlib import Path
from typing import Callable, Iterable, Iterator, Optional

from bot.hotspots.ageing import Ticker
from bot.hotspots.bursts import EVENT_TOKEN, BurstsConfig, BurstSettings, BurstyTerms, Emerging
from bot.hotspots.formulas import Formulas, FormulasConfig, FormulaSettings
from bot.knowledge_files import Schema, load
from bot.text import strip_html
from bot.tickets.gazetteer import SPECIFICITY, Gazetteer
from bot.tickets.phrases import PhraseIndex, merge

MESSAGE_TERMS = 40
TOPIC_TERMS = 80
INDEX_TERMS = 6
MAX_CANDIDATES = 12
# how many of the latest active topics a hot topic looks through for its first reports
ATTACH_SCAN = 48
POSTING_LIMIT = 40
NAME_CACHE = 100_000
PROFILE_EVERY = 12
LONG_SWEEP = timedelta(hours=1)
DISTRICT_SPECIFICITY = SPECIFICITY["district"]
ROUTE_PREFIX = "公交路线"
_WORD = re.compile(r"[\u4e00-\u9fff]|[a-z0-9]+")
_NOT_CJK = re.compile(r"[^\u4e00-\u9fff]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_SPACES = re.compile(r"\s+")
# a numbered bus route (33路, 302路公交): a site of its own, as a road is
_ROUTE = re.compile(r"(?<![0-9a-z])([0-9]{1,4})路")


class StreamError(ValueError):
    """One message of a stream that cannot be taken, with the reason in Chinese."""


@dataclass(frozen=True)
class Message:
    id: str
    time: datetime
    text: str
    source: str
    citizen: Optional[str] = None


@dataclass(frozen=True)
class Settings:
    """knowledge/hotspots.yml, read once."""

    close_after: timedelta
    max_open: timedelta
    bonus_specific_place: float
    bonus_area_place: float
    bonus_problem: float
    join_score: float
    bonus_recent: float
    recent: timedelta
    bonus_hot: float
    hot_messages: int
    hot_window: timedelta
    stray_size: int
    late_tolerance: timedelta
    max_chars: int
    profile_min_messages: int
    profile_share: float
    profile_lift: float
    profile_min_weight: float
    alert_window: timedelta
    min_messages: int
    min_citizens: int
    fast_messages: int
    fast_window: timedelta
    kinds: tuple[tuple[str, str, tuple[str, ...]], ...]
    problems: dict[str, tuple[str, ...]]
    subjects: frozenset[str]
    place_endings: tuple[str, ...]
    cut_after: str
    min_name_chars: int
    not_followed_by: frozenset[str]
    generic_names: frozenset[str]
    not_name_endings: tuple[str, ...]
    levels: tuple[tuple[str, int], ...]
    raise_kinds: frozenset[str]
    casualty_words: tuple[str, ...]
    confirm_levels: frozenset[str]
    information_hours: float
    press_conference_hours: float
    response_hours: float
    # events of kinds the lexicon does not list, found by their bursty terms (bursts.py)
    bursts: Optional[BurstSettings] = None
    # an event word in more than this share of the recent traffic is boilerplate, no event
    common_word_share: float = 1.0
    common_half_life: timedelta = timedelta(hours=48)
    common_min_count: float = 20.0
    # a topic at its peak owns a word most of the stream's messages holding it are its own
    peak_min_messages: int = 2
    peak_share: float = 0.5
    peak_words: int = 1
    # ... and a single character (油, 狗, 鱼) said by `peak_char_messages` of them at least and by
    # them for at least `peak_char_share` of the stream's messages that said it: 0 turns it off
    peak_char_messages: int = 0
    peak_char_share: float = 1.0
    # ... never a function character (的, 了, 都): it names nothing, however its count fell
    function_characters: frozenset = frozenset()
    # an alerted topic is hot this long after its alert, not for as long as anything joins it
    alert_hot: timedelta = timedelta(days=3650)
    # a topic with as many messages before its alert window as within it, times this, is a
    # standing matter (a question asked all week), not news: 0 turns the check off
    standing_ratio: float = 0.0
    # what marks an appeal that reports no event: asking how or whether (咨询), praise (表扬)
    routine_words: tuple[str, ...] = ()
    # a topic naming no event type of the lexicon alerts only with this many messages of an
    # emerging event of distinctive bursty words (bursts.py): questions and praise are no event
    unnamed_news: int = 0
    # the intake's formulas, learnt from the traffic and left out of the words (formulas.py)
    formulas: Optional[FormulaSettings] = None
    # a caller's or writer's stand-in for the place (家门口, 那条路): says where without naming it,
    # and is left out of the words a message is grouped by
    stand_ins: tuple[str, ...] = ()

    @classmethod
    def load(cls, path: Path) -> Settings:
        data = load(path, HotspotsFile)
        grouping, alert, places, clocks = data.grouping, data.alert, data.places, data.clocks
        events = load(path.parent / data.events_file, EventsFile).events
        return cls(
            close_after=timedelta(hours=grouping.close_after_hours),
            max_open=timedelta(hours=grouping.max_open_hours),
            bonus_specific_place=grouping.bonus_specific_place,
            bonus_area_place=grouping.bonus_area_place,
            bonus_problem=grouping.bonus_problem,
            join_score=grouping.join_score,
            bonus_recent=grouping.bonus_recent,
            recent=timedelta(hours=grouping.recent_hours),
            bonus_hot=grouping.bonus_hot,
            hot_messages=grouping.hot_messages,
            hot_window=timedelta(minutes=grouping.hot_minutes),
            stray_size=grouping.stray_size,
            late_tolerance=timedelta(minutes=grouping.late_tolerance_minutes),
            max_chars=grouping.max_chars,
            profile_min_messages=grouping.profile_min_messages,
            profile_share=grouping.profile_share,
            profile_lift=grouping.profile_lift,
            profile_min_weight=grouping.profile_min_weight,
            alert_window=timedelta(hours=alert.window_hours),
            min_messages=alert.min_messages,
            min_citizens=alert.min_citizens,
            fast_messages=alert.fast_messages or alert.min_messages,
            fast_window=timedelta(minutes=alert.fast_minutes),
            standing_ratio=alert.standing_ratio,
            unnamed_news=alert.unnamed_news,
            routine_words=tuple(alert.routine_words),
            kinds=tuple((k.id, k.name, tuple(k.words)) for k in data.kinds),
            problems={name: tuple(event.words) for name, event in events.items()},
            subjects=frozenset(name for name, event in events.items() if event.subject),
            place_endings=tuple(sorted(places.endings, key=len, reverse=True)),
            cut_after=places.cut_after,
            min_name_chars=places.min_name_chars,
            not_followed_by=frozenset(places.not_followed_by),
            generic_names=frozenset(places.generic_names),
            stand_ins=tuple(places.stand_ins),
            not_name_endings=tuple(places.not_name_endings),
            levels=tuple((level.level, level.min_messages) for level in data.levels),
            raise_kinds=frozenset(data.raise_kinds),
            casualty_words=tuple(data.casualty_words),
            confirm_levels=frozenset(data.confirm_levels),
            information_hours=clocks.major_emergency_information_hours,
            press_conference_hours=clocks.major_emergency_press_conference_hours,
            response_hours=clocks.response_hours,
            bursts=BurstSettings.from_config(data.bursts) if data.bursts else None,
            common_word_share=grouping.common_word_share,
            common_half_life=timedelta(hours=grouping.common_half_life_hours),
            common_min_count=grouping.common_min_count,
            peak_min_messages=grouping.peak_min_messages,
            peak_share=grouping.peak_share,
            peak_words=grouping.peak_words,
            peak_char_messages=grouping.peak_char_messages,
            peak_char_share=grouping.peak_char_share,
            function_characters=frozenset(grouping.function_characters),
            alert_hot=timedelta(hours=grouping.alert_hot_hours),
            formulas=FormulaSettings.from_config(data.formulas) if data.formulas else None,
        )


class Grouping(Schema):
    close_after_hours: float
    max_open_hours: float
    bonus_specific_place: float
    bonus_area_place: float
    bonus_problem: float
    bonus_recent: float
    recent_hours: float
    bonus_hot: float
    hot_messages: int
    hot_minutes: float
    stray_size: int
    join_score: float
    late_tolerance_minutes: float
    max_chars: int
    profile_min_messages: int
    profile_share: float
    profile_lift: float
    profile_min_weight: float
    common_word_share: float = 1.0
    common_half_life_hours: float = 48
    common_min_count: float = 20
    peak_min_messages: int = 2
    peak_share: float = 0.5
    peak_words: int = 1
    peak_char_messages: int = 0
    peak_char_share: float = 1.0
    function_characters: str = ""
    alert_hot_hours: float = 87600


class Alert(Schema):
    window_hours: float
    min_messages: int
    min_citizens: int
    fast_messages: int = 0
    fast_minutes: float = 0
    standing_ratio: float = 0
    unnamed_news: int = 0
    routine_words: list[str] = []


class Kind(Schema):
    id: str
    name: str
    words: list[str] = []


class Places(Schema):
    endings: list[str]
    cut_after: str
    min_name_chars: int
    not_followed_by: str
    generic_names: list[str]
    not_name_endings: list[str] = []
    stand_ins: list[str] = []


class Level(Schema):
    level: str
    min_messages: int


class Clocks(Schema):
    major_emergency_information_hours: float
    major_emergency_press_conference_hours: float
    response_hours: float


class HotspotsFile(Schema):
    """knowledge/hotspots.yml."""

    grouping: Grouping
    alert: Alert
    kinds: list[Kind]
    events_file: str
    places: Places
    levels: list[Level]
    raise_kinds: list[str]
    casualty_words: list[str]
    confirm_levels: list[str]
    clocks: Clocks
    bursts: Optional[BurstsConfig] = None
    formulas: Optional[FormulasConfig] = None


class Event(Schema):
    name: str
    words: list[str]
    # a subject (学校, 物业) rather than an event: sharing it alone says less
    subject: bool = False


class EventsFile(Schema):
    """knowledge/hotspots_events.yml: the event types and their words."""

    events: dict[str, Event]


@dataclass(frozen=True)
class Features:
    """What a message says about which matter it is."""

    vector: dict[str, float]
    places: frozenset[str]
    problems: frozenset[str]
    jurisdictions: tuple[str, ...]
    rare: tuple[str, ...]
    # the districts or counties the named places are in (a bridge between islands is in none; 新城,
    # a zone with its own administration inside 定海区, counts as its own)
    districts: frozenset[str] = frozenset()
    # it asks how or whether (咨询) or praises (表扬): an appeal of a kind that reports no event
    routine: bool = False


@dataclass
class Topic:
    id: int
    first_seen: datetime
    last_seen: datetime
    message_ids: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    times: deque = field(default_factory=deque)
    vector: Counter = field(default_factory=Counter)
    # in how many of its messages each of their terms is: what the topic's vocabulary is learnt from
    terms: Counter = field(default_factory=Counter)
    places: Counter = field(default_factory=Counter)
    problems: Counter = field(default_factory=Counter)
    jurisdictions: Counter = field(default_factory=Counter)
    districts: Counter = field(default_factory=Counter)
    sources: Counter = field(default_factory=Counter)
    citizens: set = field(default_factory=set)
    keys: set = field(default_factory=set)
    alert_at: Optional[datetime] = None
    peak: int = 0
    # how many of its messages came in an emerging event of distinctive bursty words
    news: int = 0
    # how many of its messages ask how or whether, or praise (`Features.routine`)
    routine: int = 0
    # the topic it was merged into, so that what pointed at it can follow
    merged_into: Optional[Topic] = None

    SAMPLE_TEXTS = 40

    @property
    def size(self) -> int:
        return len(self.message_ids)

    _summary_size: int = -1
    _norm: float = 1.0
    _problems: frozenset = frozenset()
    _places: frozenset = frozenset()
    _hot_places: frozenset = frozenset()
    _districts: frozenset = frozenset()
    _profile: frozenset = frozenset()
    # whether the last relearning added terms: strays it did not speak to may speak to it now
    profile_grew: bool = False
    was_hot: bool = False
    _all_places: Optional[PlaceNames] = None
    _main_places: Optional[PlaceNames] = None

    def summarise(self) -> None:
        """Refresh what `_affinity` reads many times per message: once per change. A topic
        whose places are all named by few of its messages is about all of them (it must not
        become a catch-all for one problem anywhere)."""
        self._summary_size = self.size
        self._norm = 0.0
        self._problems = frozenset(_dominant(self.problems, self.size))
        self._places = frozenset(_dominant(self.places, self.size) or self.places)
        self._districts = frozenset(_dominant(self.districts, self.size) or self.districts)
        self._hot_places = self._places | {p for p, count in self.places.items() if count >= 2}
        self._all_places = self._main_places = None

    def learn_profile(self, settings: Settings, df: Counter, documents: int) -> None:
        """The topic's own vocabulary, learnt as it grows: the terms in at least `profile_share`
        of its messages (two at least) that are `profile_lift` times commoner in it than in the
        whole stream (演唱会, 油污, 六横 in their topics; not 希望尽快处理, which every topic has).
        A message in other words that shares them is about the same event."""
        size = self.size
        self.profile_grew = False
        if size < settings.profile_min_messages:
            self._profile = frozenset()
            return
        if size > PROFILE_EVERY and size % (size // PROFILE_EVERY) and self._profile:
            # a large topic's vocabulary changes slowly: relearnt a dozen times per doubling
            return
        least = max(2.0, settings.profile_share * size)
        # count / size >= lift * df / documents, without a division per term
        lift = settings.profile_lift * size / max(documents, 1)
        profile = frozenset(
            [term for term, count in self.terms.items() if count >= least and count >= lift * df[term]]
        )
        self.profile_grew = not profile <= self._profile
        self._profile = profile

    def profile(self) -> frozenset:
        return self._profile

    def norm(self) -> float:
        if not self._norm:
            self._norm = math.sqrt(sum([w * w for w in self.vector.values()])) or 1.0
        return self._norm

    def main_problems(self) -> frozenset:
        """What at least a fifth of the messages name: what the topic is about."""
        return self._problems

    def hot_places(self) -> frozenset:
        """Its main places and every place at least two of its messages named: while it is hot,
        an event being reported now is at each of them."""
        return self._hot_places

    def main_places(self) -> frozenset:
        return self._places

    def all_place_names(self) -> PlaceNames:
        """Every place its messages named, indexed for `PlaceNames.meets` until the next change."""
        if self._all_places is None:
            self._all_places = PlaceNames(self.places)
        return self._all_places

    def main_place_names(self) -> PlaceNames:
        if self._main_places is None:
            self._main_places = PlaceNames(self._places)
        return self._main_places

    def main_districts(self) -> frozenset:
        return self._districts

    def is_hot(self, now: datetime, settings: Settings) -> bool:
        """Active and either alerted within `alert_hot` or gathering `hot_messages` within
        `hot_window` (or one more within twice it: an event's reports pause for a while): an
        event being reported now. An alert long past keeps no topic hot: what joined it for
        sharing an event word (a queue at a hospital in a ferry's topic) would keep it so."""
        if now - self.last_seen > settings.recent:
            return False
        return (
            (self.alert_at is not None and now - self.alert_at <= settings.alert_hot)
            or self.at_least(settings.hot_messages, now, settings.hot_window)
            or self.at_least(settings.hot_messages + 1, now, 2 * settings.hot_window)
        )

    def at_least(self, count: int, now: datetime, window: timedelta) -> bool:
        """Whether `count` of its messages came within `window` before `now`."""
        if len(self.times) < count:
            return False
        return now - self.times[-count] <= window

    def heat(self, now: datetime, hours: float = 3.0) -> dict:
        """Messages, distinct citizens, growth over the last `hours` against the ones before,
        and sources: the heat index the staff console shows."""
        recent = sum(1 for t in self.times if now - t <= timedelta(hours=hours))
        before = sum(1 for t in self.times if hours < (now - t).total_seconds() / 3600 <= 2 * hours)
        return {
            "messages": self.size,
            "citizens": len(self.citizens) or self.size,
            "last_hours": recent,
            "growth": recent - before,
            "sources": dict(self.sources),
        }


class Detector:
    """Incremental grouping of a message stream; `add` each message in time order."""

    def __init__(
        self,
        settings: Settings,
        gazetteer: Gazetteer,
        on_close: Optional[Callable[[Topic], None]] = None,
        on_alert: Optional[Callable[[Topic], None]] = None,
        on_merge: Optional[Callable[[Topic, Topic], None]] = None,
    ) -> None:
        self.settings = settings
        self.gazetteer = gazetteer
        self.on_close = on_close or (lambda topic: None)
        self.on_alert = on_alert or (lambda topic: None)
        self.on_merge = on_merge or (lambda keep, other: None)
        # a word may name several event types (煤气味: gas and smell; 熄火 in a flood or a jam)
        self._problems = PhraseIndex(
            {word: tuple(names) for word, names in merge(
                (word, name) for name, words in settings.problems.items() for word in words
            ).items()}
        )
        self._areas = {
            place.name
            for _, place in gazetteer.names()
            if place.specificity <= SPECIFICITY["street"]
        }
        # areas that hold whole jurisdictions (新城 holds 临城街道 and 千岛街道)
        self._zones = {place.name for _, place in gazetteer.names() if place.kind == "zone"}
        self._district_of: dict[str, Optional[str]] = {}
        self._problem_names: dict[str, bool] = {}
        self._cut = re.compile("[" + re.escape(settings.cut_after) + "]")
        self._endings = re.compile("|".join(map(re.escape, settings.place_endings)))
        self._df: Counter = Counter()
        self._documents = 0
        # in how many of the recent messages (decayed, `common_half_life`) each event word was:
        # one said by a good share of all traffic is a formula (来电 in 市民来电反映), no event
        self._word_counts: Counter = Counter()
        self._word_documents = 0.0
        self._word_clock = Ticker(LONG_SWEEP)
        self._open: OrderedDict[int, Topic] = OrderedDict()
        self._postings: dict[str, list[int]] = {}
        # the hot topics under their places and problems: an event drawing messages for hours
        # is met before the newer topics of its place or problem (`MAX_CANDIDATES`)
        self._hot_keys: dict[str, dict[int, None]] = {}
        self._seen: set[str] = set()
        self._seen_order: deque[tuple[datetime, str]] = deque()
        self._next_id = 1
        self._latest: Optional[datetime] = None
        self._long_sweep: Optional[datetime] = None
        # the latest reports of each event type in each district (`_converge`)
        self._reports: dict[str, deque] = {}
        self._formulas = Formulas(settings.formulas) if settings.formulas else None
        # a caller's stand-in for the place (家门口, 那条路): left out of the words (`stand_ins`)
        self._stand_ins = (
            re.compile("|".join(map(re.escape, sorted(settings.stand_ins, key=lambda n: (-len(n), n)))))
            if settings.stand_ins
            else None
        )
        self._routine = (
            re.compile("|".join(map(re.escape, settings.routine_words)))
            if settings.routine_words
            else None
        )
        self._bursts = (
            BurstyTerms(settings.bursts, settings.generic_names) if settings.bursts else None
        )

    @property
    def open_topics(self) -> list[Topic]:
        return list(self._open.values())

    def add(self, message: Message) -> Topic:
        """Put `message` in its topic; `StreamError` for a message that cannot be taken."""
        self._check(message)
        self._decay_words(message.time)
        if self._formulas:
            self._formulas.age(message.time)
        features = self.features(quick_clean(message.text))
        topic = self._best_topic(features, message.time)
        event = self._bursts.observe(
            message.id, message.time, message.citizen, self._burst_terms(features), features.places
        ) if self._bursts else None
        if event is not None:
            topic = self._burst_topic(event, topic, features, message.time)
        if topic is None:
            topic = Topic(self._next_id, message.time, message.time)
            self._next_id += 1
            self._open[topic.id] = topic
        self._join(topic, message, features)
        if self._bursts:
            self._bursts.placed(message.id, topic)
        if event is not None:
            topic = self._gather(event, topic)
            if self._bursts.is_news(event):
                topic.news += 1
        topic = self._converge(topic, features, message.time)
        topic = self._absorb(topic, message.time)
        self._latest = max(self._latest or message.time, message.time)
        self._maybe_alert(topic, message.time)
        topic.was_hot = topic.was_hot or topic.is_hot(message.time, self.settings)
        self._sweep(message.time)
        return topic

    def _burst_terms(self, features: Features) -> list[str]:
        """The terms whose rates `BurstyTerms` follows: the message's bigrams, and one token per
        event type it names (塌方, 滑坡, 泥石 and 塌下来 are one happening: reports sharing no word
        share the type, and a type reported at many times its usual rate is bursty like a word)."""
        kinds = sorted(features.problems - self.settings.subjects)
        return [*features.vector, *(EVENT_TOKEN + kind for kind in kinds)]

    def close_all(self) -> None:
        for topic in list(self._open.values()):
            self._close(topic)

    def features(self, text: str) -> Features:
        """Places, problems, and the bigrams of the rest: where is said once, by the places."""
        self._documents += 1
        places, jurisdictions = self._places(text)
        content = text
        for name in sorted(places, key=lambda name: (-len(name), name)):
            content = content.replace(name, " ")
        unplaced = self.gazetteer.without_places(content)
        said = self._formulas.blank(unplaced) if self._formulas else unplaced
        if self._stand_ins is not None:
            said = self._stand_ins.sub(" ", said)
        grams = terms(said)
        for gram in set(grams):
            self._df[gram] += 1
        weights = {
            gram: count * math.log((self._documents + 1) / (self._df[gram] + 1) + 1.0)
            for gram, count in grams.items()
        }
        top = sorted(weights.items(), key=lambda item: item[1], reverse=True)[:MESSAGE_TERMS]
        norm = math.sqrt(sum(w * w for _, w in top)) or 1.0
        vector = {gram: w / norm for gram, w in top}
        return Features(
            vector=vector,
            places=places,
            problems=self._event_types(unplaced),
            routine=self._routine is not None and self._routine.search(text) is not None,
            jurisdictions=jurisdictions,
            rare=tuple(gram for gram, _ in top[:INDEX_TERMS]),
            districts=frozenset(
                d for j in jurisdictions if (d := self._district(j)) is not None
            ),
        )

    def _event_types(self, text: str) -> frozenset[str]:
        """The event types `text` names, but not by a word that a good share
        (`common_word_share`) of the recent traffic holds: a word in a third of all messages is
        the intake's formula (来电 in 市民来电反映, 来电人称, which also names a power cut's end),
        not an event; an event's own words, even during a burst, are in a few hundredths."""
        hits = list(self._problems.scan(text))
        counts = self._word_counts
        self._word_documents += 1
        if not hits:
            return frozenset()
        settings = self.settings
        limit = max(settings.common_word_share * self._word_documents, settings.common_min_count)
        names: set[str] = set()
        for word in {hit.phrase.lower() for hit in hits}:
            counts[word] += 1
        for hit in hits:
            if counts[hit.phrase.lower()] <= limit:
                names.update(hit.value)
        return frozenset(names)

    def _decay_words(self, now: datetime) -> None:
        """Age the event words' counts once an hour of the stream (`common_half_life`)."""
        elapsed = self._word_clock.elapsed(now)
        if elapsed is None:
            return
        factor = 0.5 ** (elapsed / self.settings.common_half_life)
        self._word_documents *= factor
        counts = self._word_counts
        for word in list(counts):
            counts[word] *= factor
            if counts[word] < 0.01:
                del counts[word]

    def _district(self, jurisdiction: str) -> Optional[str]:
        """The district or county `jurisdiction` is in (None for the city), remembered."""
        if jurisdiction not in self._district_of:
            self._district_of[jurisdiction] = next(
                (
                    j
                    for j in self.gazetteer.chain(jurisdiction)
                    if self.gazetteer.jurisdiction(j).level in ("district", "county", "zone")
                ),
                None,
            ) if jurisdiction else None
        return self._district_of[jurisdiction]

    def _places(self, text: str) -> tuple[frozenset[str], tuple[str, ...]]:
        known: set[str] = set()
        jurisdictions: list[str] = []
        for place in self.gazetteer.places_in(text):
            jurisdictions.append(place.jurisdiction)
            if place.specificity > DISTRICT_SPECIFICITY:
                known.add(place.name)
        found: set[str] = set()
        settings = self.settings
        for match in self._endings.finditer(text):
            if text[match.end() : match.end() + 1] in settings.not_followed_by:
                continue
            before = text[max(0, match.start() - 8) : match.start()]
            prefix = self._cut.split(_NOT_CJK.sub(" ", before))[-1].strip()
            name = prefix + match.group()
            if (
                len(prefix) >= settings.min_name_chars
                and prefix not in settings.generic_names
                and not name.endswith(settings.not_name_endings)
                and not self._names_problem(name)
            ):
                found.add(name)
        longest = {name for name in found if not any(o != name and o.startswith(name) for o in found)}
        # 公交3路 is not within 公交33路 (3路 is within 33路): one route is not another
        longest.update(ROUTE_PREFIX + number for number in _ROUTE.findall(text.lower()))
        return frozenset(known | longest), tuple(jurisdictions)

    def _names_problem(self, name: str) -> bool:
        """Whether `name` holds a problem's word (remembered: names repeat all month)."""
        known = self._problem_names.get(name)
        if known is None:
            if len(self._problem_names) >= NAME_CACHE:
                self._problem_names.clear()
            known = self._problem_names[name] = any(True for _ in self._problems.scan(name))
        return known

    def _check(self, message: Message) -> None:
        if not message.text.strip():
            raise StreamError("消息内容为空")
        if len(message.text) > self.settings.max_chars:
            raise StreamError(f"消息超过{self.settings.max_chars}字（{len(message.text)}字）")
        if message.id in self._seen:
            raise StreamError(f"重复的消息 id {message.id}")
        if self._latest and message.time < self._latest - self.settings.late_tolerance:
            raise StreamError(
                f"时间 {message.time.isoformat()} 早于已处理的消息"
                f"超过{int(self.settings.late_tolerance.total_seconds() // 60)}分钟"
            )
        self._seen.add(message.id)
        self._seen_order.append((message.time, message.id))

    def _hot_candidates(self, keys: list[str], seen: set[int], now: datetime) -> Iterator[Topic]:
        """The hot topics under `keys` (places and problems; added to `seen`); those no longer
        hot leave the index."""
        for key in keys:
            hot = self._hot_keys.get(key)
            if not hot:
                continue
            for topic_id in list(hot):
                topic = self._open.get(topic_id)
                if topic is None or not topic.is_hot(now, self.settings):
                    del hot[topic_id]
                    if not hot:
                        del self._hot_keys[key]
                elif topic_id not in seen:
                    seen.add(topic_id)
                    yield topic

    def _candidates(self, features: Features, now: datetime) -> Iterator[Topic]:
        # sorted: the same stream groups the same way whatever the hash seed
        keys = [f"p:{p}" for p in sorted(features.places)]
        keys += [f"q:{q}" for q in sorted(features.problems)]
        seen: set[int] = set()
        yield from self._hot_candidates(keys, seen, now)
        # the topics whose learnt vocabulary the message shares, its heaviest terms first
        postings = self._postings
        keys += [key for term in features.vector if (key := "v:" + term) in postings]
        keys += [f"b:{gram}" for gram in features.rare]
        for key in keys:
            for topic_id in reversed(self._postings.get(key, ())):
                if topic_id in seen or topic_id not in self._open:
                    continue
                seen.add(topic_id)
                yield self._open[topic_id]
                if len(seen) >= MAX_CANDIDATES:
                    return

    def _best_topic(self, features: Features, now: datetime) -> Optional[Topic]:
        """The topic the message belongs to. When it belongs to several, they were one matter
        reported apart (环南街道 and 环城南路): they are merged into the largest."""
        matches: list[Topic] = []
        # the message's terms and weights once, the products summed in the same order as ever
        terms, weights = tuple(features.vector), tuple(features.vector.values())
        # the bonuses are sums of decimals (0.2 + 0.15 + 0.1 is 0.44999…): what adds up to the
        # join score joins
        threshold = self.settings.join_score - 1e-9
        for topic in self._candidates(features, now):
            bonus = self._affinity(features, topic, now)
            if bonus is None:
                continue
            if bonus >= threshold:
                # the word similarity is never negative: it cannot change the decision
                matches.append(topic)
                continue
            similarity = sum(map(mul, weights, map(topic.vector.get, terms, repeat(0.0))))
            if bonus + similarity / topic.norm() >= threshold:
                matches.append(topic)
        if not matches:
            return None
        keep = max(matches, key=lambda topic: (topic.size, -topic.id))
        for other in matches:
            if other is not keep and self._one_matter(keep, other, now):
                self._merge(keep, other)
        return keep

    def _absorb(self, topic: Topic, now: datetime) -> Topic:
        """Once a topic is hot, take in the stray messages of the last hours that name its
        problem or speak its learnt vocabulary, and nothing against it (the first reports of an
        event come before the event is recognisable as one, and before its vocabulary is
        learnt), and the other hot topics of its problem nearby (one event reported apart); the
        topic that holds the message then. Naming its place alone is not enough: at a pier or a
        小区 many matters are reported within an hour (a ferry delay, a restaurant's receipt)."""
        settings = self.settings
        if not topic.at_least(settings.hot_messages, now, settings.hot_window):
            return topic
        problems = topic.main_problems()
        places = {p for p in topic.main_places() if p not in self._areas}
        keys = [f"q:{q}" for q in sorted(problems)] + [f"p:{p}" for p in sorted(places)]
        others: dict[int, Topic] = {}
        for key in keys:
            if len(others) >= MAX_CANDIDATES:
                break
            # postings are in order of joining: the active topics are at the end
            for other_id in reversed(self._postings.get(key, ())):
                other = self._open.get(other_id)
                if other is None or other is topic or other.id in others:
                    continue
                if now - other.last_seen > settings.recent or len(others) >= MAX_CANDIDATES:
                    break
                others[other.id] = other
        # the latest strays, whatever they name: the event's first reports in its own words
        # (when it has just become hot or learnt new words; else they were weighed on arrival)
        since = max(now - settings.recent, topic.first_seen - settings.hot_window)
        if not topic.was_hot or topic.profile_grew:
            for other in self._recent_strays(topic, since):
                others.setdefault(other.id, other)
        for other in list(others.values()):
            if other.id not in self._open:
                continue
            if other.size > settings.stray_size:
                if self._one_matter(topic, other, now):
                    keep, gone = sorted((topic, other), key=lambda t: (-t.size, t.id))
                    self._merge(keep, gone)
                    if keep is not topic:
                        return keep
                continue
            if other.problems and not problems & other.problems.keys():
                continue
            if other.places and not topic.all_place_names().meets(other.places):
                # elsewhere in the district: the event's own problem in the event's own words,
                # as `_affinity` joins a new message to a hot topic
                if not (
                    (problems - settings.subjects) & other.problems.keys()
                    and _near(other.main_districts(), topic.main_districts())
                    and self._speaks(other, topic)
                ):
                    continue
            elif not (
                (problems - settings.subjects) & other.problems.keys()
                # a subject (物业, 医院) is said by many matters of the hour: sharing one, or
                # speaking the event's words (its vocabulary holds its subject's words), the
                # stray must name nothing else (物业 raising the parking fees is not the lift
                # that trapped residents, though 物业 is in both)
                or (
                    problems & other.problems.keys()
                    and other.problems.keys() <= problems
                    # naming no place but another district (嵊泗县 for a school at 盐仓): a
                    # subject shared is not enough from there
                    and not _districts_differ(other, topic)
                )
                or (
                    other.problems.keys() <= problems
                    and other.first_seen >= since
                    and (
                        len(topic.profile() & other.terms.keys()) >= 2
                        and self._speaks(other, topic)
                        # or says words the topic owns at its peak (启明星, 跑路, 钢管)
                        or self._peak_words(other.terms, topic) >= settings.peak_words
                    )
                )
            ):
                # nothing against it is not enough, nor is its place: it must name the event or
                # speak its words
                continue
            self._merge(topic, other)
        return topic

    def _converge(self, topic: Topic, features: Features, now: datetime) -> Topic:
        """Several reports of one event type from one district within `hot_window`, each in a
        topic of its own (other words, other names of the place: 高亭, 岱山县城), are an event's
        first reports: their small topics are brought together, so it is hot from its third
        report, not from whenever one of them gets three. Not a topic naming another site than
        the others (two 小区 with a power cut each are two matters), nor one mostly about
        something else."""
        settings = self.settings
        kinds = features.problems - settings.subjects
        if not kinds or not features.districts:
            return topic
        horizon = now - settings.hot_window
        for key in sorted(f"{kind}@{district}" for kind in kinds for district in features.districts):
            queue = self._reports.setdefault(key, deque())
            queue.append((now, topic))
            while queue and queue[0][0] < horizon:
                queue.popleft()
            if len(queue) < settings.hot_messages or topic.is_hot(now, settings):
                continue
            kind = key.split("@", 1)[0]
            counts: Counter = Counter({topic.id: 0})
            # the topics of the reports, each at the place of all the others
            group: dict[int, Topic] = {topic.id: topic}
            for _, reported in queue:
                other = self._resolved(reported)
                if other is None:
                    continue
                if other is not topic:
                    if other.size > settings.stray_size or kind not in other.main_problems():
                        continue
                    if other.is_hot(now, settings):
                        continue
                    if not all(self._same_site(member, other) for member in group.values()):
                        continue
                counts[other.id] += 1
                group[other.id] = other
            if len(group) < 2 or sum(counts.values()) < settings.hot_messages:
                continue
            for other in list(group.values()):
                if other is topic or other.id not in self._open:
                    continue
                keep, gone = sorted((topic, other), key=lambda t: (-t.size, t.id))
                self._merge(keep, gone)
                topic = keep
        return topic

    def _same_site(self, one: Topic, other: Topic) -> bool:
        """Whether nothing the two name says they are at different places: their sites (a road,
        a 小区, a pier) and their areas (a 街道 or 镇; a zone such as 新城 holds its streets) are
        the same or named by one side only."""
        for kind in (False, True):
            mine = {p for p in one.places if (p in self._areas) is kind and p not in self._zones}
            theirs = {p for p in other.places if (p in self._areas) is kind and p not in self._zones}
            if mine and theirs and not PlaceNames(mine).meets(theirs):
                return False
        return True

    def _speaks(self, other: Topic, topic: Topic) -> bool:
        """Whether the messages of `other` speak the learnt vocabulary of `topic`."""
        return self._profile_weight(other.vector, topic) / other.size >= self.settings.profile_min_weight

    def _recent_strays(self, topic: Topic, since: datetime) -> list[Topic]:
        """The topics of at most `stray_size` messages among the latest `ATTACH_SCAN` active
        ones, active `since` (the open topics are kept least recently active first)."""
        strays = []
        for scanned, other in enumerate(reversed(self._open.values())):
            if scanned >= ATTACH_SCAN or other.last_seen < since:
                break
            if other is not topic and other.size <= self.settings.stray_size:
                strays.append(other)
        return strays

    def _one_matter(self, one: Topic, other: Topic, now: datetime) -> bool:
        """Two active topics about the same problem at the same place (or area)."""
        if now - other.last_seen > self.settings.recent or now - one.last_seen > self.settings.recent:
            return False
        problems = one.main_problems(), other.main_problems()
        if not (problems[0] and problems[1] and problems[0] & problems[1]):
            return False
        places = one.main_place_names(), other.main_place_names()
        small, large = sorted(places, key=len)
        if large.meets(small.names):
            return True
        return (
            one.is_hot(now, self.settings)
            and other.is_hot(now, self.settings)
            and _near(one.main_districts(), other.main_districts())
        )

    def _merge(self, keep: Topic, other: Topic) -> None:
        keep.message_ids.extend(other.message_ids)
        keep.texts.extend(other.texts[: max(0, Topic.SAMPLE_TEXTS - len(keep.texts))])
        keep.times = deque(sorted([*keep.times, *other.times]))
        keep.first_seen = min(keep.first_seen, other.first_seen)
        keep.last_seen = max(keep.last_seen, other.last_seen)
        keep.vector.update(other.vector)
        keep.terms.update(other.terms)
        keep.places.update(other.places)
        keep.problems.update(other.problems)
        keep.jurisdictions.update(other.jurisdictions)
        keep.districts.update(other.districts)
        keep.sources.update(other.sources)
        keep.citizens |= other.citizens
        keep.peak = max(keep.peak, other.peak)
        keep.news += other.news
        keep.routine += other.routine
        if other.alert_at and (keep.alert_at is None or other.alert_at < keep.alert_at):
            keep.alert_at = other.alert_at
        keep.summarise()
        self._learn(keep)
        self._forget(other)
        other.merged_into = keep
        for key in other.keys - keep.keys:
            keep.keys.add(key)
            self._postings.setdefault(key, []).append(keep.id)
        self.on_merge(keep, other)

    def _burst_topic(
        self, event: Emerging, topic: Optional[Topic], features: Features, now: datetime
    ) -> Optional[Topic]:
        """The topic of a message in an emerging event's bursty terms: the event's topic when
        the words alone found none or only a stray one, it is active and its places fit, or the
        message is in its district and speaks its vocabulary (the event's words outweigh an
        incidental word of the lexicon: 是真的吗 in a bus reroute)."""
        target = self._resolved(event.topic)
        if target is None or target is topic:
            return topic
        if topic is not None and topic.size > self.settings.stray_size:
            return topic
        if now - target.last_seen > self.settings.recent or _other_district(features.places, features.districts, target):
            return topic
        if not _places_fit(features.places, target) and not (
            features.districts & target.main_districts() and self._names_event(features, event, target)
        ):
            # another name in the event's district (菜园镇 and 基湖沙滩 in 嵊泗) is its place too
            # when the message says what the event is about: a term both bursty and the topic's
            # learnt vocabulary (海鲜), not one that happened to be common that hour (那条)
            return topic
        return target

    @staticmethod
    def _names_event(features: Features, event: Emerging, topic: Topic) -> bool:
        """Whether the message holds a term both of the event and of the topic's vocabulary."""
        profile, own = topic.profile(), event.terms
        return any(term in profile and term in own for term in features.vector)

    def _gather(self, event: Emerging, topic: Topic) -> Topic:
        """The event's topic is where most of it went. The topics of its earlier members (the
        first reports, which came before their words were bursty) and of the events found to be
        this one are merged into it when mostly about it and their places fit."""
        pending = [(self._resolved(t), n) for t, n in BurstyTerms.take_pending(event)]
        pending.append((self._resolved(event.topic), None))
        members: Counter = Counter()
        for other, count in pending:
            if other is not None:
                members[other.id] += other.size if count is None else count
        for other, _ in pending:
            if other is None or other is topic or other.merged_into is not None:
                continue
            if other.id not in self._open or 2 * min(members[other.id], other.size) < other.size:
                continue
            if topic.last_seen - other.last_seen > self.settings.recent:
                continue
            if not _places_fit(other.places, topic) or _districts_differ(other, topic):
                continue
            if _problems_differ(other.main_problems(), topic.main_problems()):
                continue
            keep, gone = sorted((topic, other), key=lambda t: (-t.size, t.id))
            self._merge(keep, gone)
            topic = keep
        target = self._resolved(event.topic)
        if target is None or topic.size >= target.size:
            event.topic = topic
        return topic

    def _resolved(self, topic: Optional[Topic]) -> Optional[Topic]:
        """The open topic that now holds `topic`'s messages, or None once it is closed."""
        while topic is not None and topic.merged_into is not None:
            topic = topic.merged_into
        return topic if topic is not None and self._open.get(topic.id) is topic else None

    def _affinity(self, features: Features, topic: Topic, now: datetime) -> Optional[float]:
        """What naming the same place and problem, while the topic is active, adds to the word
        similarity; None when the two cannot be one matter: different problems, places in
        different districts, or different sites of one district once the topic has gone quiet
        (an event is reported around one place within hours; separate matters of one kind are
        spread over days)."""
        settings = self.settings
        recent = now - topic.last_seen <= settings.recent
        hot = topic.is_hot(now, settings)
        bonus = 0.0
        same_problem = None
        problems = topic.main_problems()
        places = topic.hot_places() if hot else topic.main_places()
        if features.problems and problems:
            shared_problems = features.problems & problems
            if not shared_problems:
                return None
            # sharing only a subject (学校, 物业) is weaker than sharing an event (停水, 中毒)
            same_problem = bool(shared_problems - settings.subjects)
            bonus += settings.bonus_problem if same_problem else settings.bonus_problem / 2
        if same_problem is None and recent and self._in_profile(features, topic):
            # the topic's learnt vocabulary: the same event in words the lexicon does not know
            # (not when they share only a subject: its vocabulary is the subject's words)
            bonus += settings.bonus_problem
            same_problem = True
        if (
            same_problem is None
            and not features.problems
            and recent
            and self._at_peak(topic, now)
            and self._peak_words(features.vector, topic) >= settings.peak_words
        ):
            # during its peak a topic owns its rarer words (钢管, 启明星, 塌陷): a report in none
            # of the lexicon's words that says one of them is the event being reported now
            bonus += settings.bonus_problem
            same_problem = True
        if _other_district(features.places, features.districts, topic):
            return None
        if features.places and places:
            # 新城 in 新城大道 is the area shared, not the road
            shared = features.places & places or [
                min(p, q, key=len) for p in features.places for q in places if _same_place(p, q)
            ]
            if any(p not in self._areas for p in shared):
                bonus += settings.bonus_specific_place
            elif shared and same_problem:
                bonus += settings.bonus_area_place
            elif not shared:
                # an event being reported now is named by many places nearby (环城南路, 环南,
                # 定海城区): the same problem in the same district joins it
                if not (
                    hot
                    and same_problem
                    and _near(features.districts, topic.main_districts())
                    and features.problems & self._leading_problems(topic)
                ):
                    return None
                bonus += settings.bonus_area_place
        if not recent:
            # the same problem at the same place on another day is another matter: a quiet
            # topic takes only what repeats its words
            return 0.0
        if bonus:
            bonus += settings.bonus_recent
            if hot:
                bonus += settings.bonus_hot
        return bonus

    def _at_peak(self, topic: Topic, now: datetime) -> bool:
        """Whether the topic is being reported now: `hot_messages` within `hot_window` (or one
        more within twice it), whether or not it was alerted long ago."""
        settings = self.settings
        return topic.at_least(settings.hot_messages, now, settings.hot_window) or topic.at_least(
            settings.hot_messages + 1, now, 2 * settings.hot_window
        )

    def _peak_words(self, vector: Iterable[str], topic: Topic) -> int:
        """How many of the words of `vector` the topic owns (`_owns`)."""
        return sum(1 for term in vector if self._owns(term, topic.terms.get(term, 0)))

    def _owned(self, topic: Topic) -> list[str]:
        """The words the topic owns (`_owns`)."""
        return [term for term, count in topic.terms.items() if self._owns(term, count)]

    def _owns(self, term: str, count: int) -> bool:
        """Whether a topic owns `term`, said by `count` of its messages: by `peak_min_messages` of
        them at least, and by them for at least `peak_share` of all the stream's messages that ever
        said it (钢管, 启明星; not 小时, 排队, 孩子, which every hour says elsewhere too). A single
        character is owned only when more of its messages say it (`peak_char_messages`) and they
        are a larger share of all that did (`peak_char_share`): a late report says 油 for the oil on
        the beach, 狗 for the dogs that bit, 鱼 for the dead fish and nothing else the lexicon or
        the topic's vocabulary knows, while 沙 in 大沙 or 水 in 水表 is a character of other words, and a
        function character (的, 了) names nothing: its count is low where the intake's formulas
        that hold it are blanked (`formulas.py`)."""
        settings = self.settings
        if count < settings.peak_min_messages:
            return False
        df = self._df[term]
        if len(term) > 1:
            return count >= settings.peak_share * df
        return (
            0 < settings.peak_char_messages <= count
            and term not in settings.function_characters
            and count >= settings.peak_share * df
            and count >= settings.peak_char_share * df
        )

    def _leading_problems(self, topic: Topic) -> set[str]:
        """The events a topic is mostly about: those named by more than half as many of its
        messages as its commonest (a landslide's topic: 塌方, not the jams it causes: a jam
        elsewhere in the district is not the landslide)."""
        subjects = self.settings.subjects
        counts = [(count, p) for p, count in topic.problems.items() if p not in subjects]
        if not counts:
            return set()
        top = max(counts)[0]
        return {p for count, p in counts if 2 * count > top}

    def _learn(self, topic: Topic) -> None:
        """Relearn the topic's vocabulary and index its new terms, so that a message in other
        words finds the topic by them."""
        topic.learn_profile(self.settings, self._df, self._documents)
        self._index(topic, [f"v:{term}" for term in topic.profile()])

    def _index(self, topic: Topic, keys: Iterable[str]) -> None:
        """Post the topic under each of `keys` it is not yet under (the latest few a key)."""
        for key in keys:
            if key in topic.keys:
                continue
            topic.keys.add(key)
            posting = self._postings.setdefault(key, [])
            posting.append(topic.id)
            if len(posting) > POSTING_LIMIT * 2:
                del posting[: len(posting) - POSTING_LIMIT]

    def _in_profile(self, features: Features, topic: Topic) -> bool:
        return self._profile_weight(features.vector, topic) >= self.settings.profile_min_weight

    @staticmethod
    def _profile_weight(vector: dict, topic: Topic) -> float:
        """How much of `vector` (unit vectors summed) is in the topic's learnt vocabulary."""
        profile = topic.profile()
        if not profile:
            return 0.0
        if profile.isdisjoint(vector):
            return 0
        return sum(compress(vector.values(), map(profile.__contains__, vector)))

    def _join(self, topic: Topic, message: Message, features: Features) -> None:
        topic.message_ids.append(message.id)
        if len(topic.texts) < Topic.SAMPLE_TEXTS:
            topic.texts.append(message.text)
        topic.times.append(message.time)
        topic.last_seen = max(topic.last_seen, message.time)
        self._open.move_to_end(topic.id)
        # Counter.update's sums in one dict update (the same values, new terms in the same order)
        get = topic.vector.get
        dict.update(topic.vector, {g: w + get(g, 0) for g, w in features.vector.items()})
        if len(topic.vector) > TOPIC_TERMS * 2:
            topic.vector = Counter(dict(topic.vector.most_common(TOPIC_TERMS)))
        topic.terms.update(features.vector.keys())
        if len(topic.terms) > TOPIC_TERMS * 2:
            topic.terms = Counter(dict(topic.terms.most_common(TOPIC_TERMS)))
        topic.places.update(sorted(features.places))
        topic.problems.update(sorted(features.problems))
        topic.jurisdictions.update(sorted(features.jurisdictions))
        topic.districts.update(sorted(features.districts))
        topic.sources[message.source] += 1
        topic.routine += features.routine
        topic.summarise()
        self._learn(topic)
        if message.citizen:
            topic.citizens.add(message.citizen)
        # sorted: the order of postings decides which candidates a later message meets, so it
        # must not depend on the interpreter's hash seed
        keys = [f"p:{p}" for p in sorted(features.places)]
        keys += [f"q:{q}" for q in sorted(features.problems)]
        if topic.is_hot(message.time, self.settings):
            for key in [*keys, *(f"q:{q}" for q in sorted(topic.main_problems()))]:
                self._hot_keys.setdefault(key, {})[topic.id] = None
            if self._at_peak(topic, message.time):
                # the words it owns at its peak find it, as its learnt vocabulary does
                keys += [f"v:{term}" for term in sorted(self._owned(topic))]
        keys += [f"b:{gram}" for gram in sorted(features.rare)]
        self._index(topic, keys)

    def _maybe_alert(self, topic: Topic, now: datetime) -> None:
        window = self.settings.alert_window
        while topic.times and now - topic.times[0] > window:
            topic.times.popleft()
        topic.peak = max(topic.peak, len(topic.times))
        if topic.alert_at is not None:
            return
        if len(topic.times) < self.settings.min_messages and not topic.at_least(
            self.settings.fast_messages, now, self.settings.fast_window
        ):
            return
        if topic.citizens and len(topic.citizens) < self.settings.min_citizens:
            return
        if not self._is_news(topic):
            return
        topic.alert_at = now
        self.on_alert(topic)

    def _is_news(self, topic: Topic) -> bool:
        """Whether a topic busy enough to alert is an event rather than a routine matter. A topic
        that had as many messages before its alert window as within it (`standing_ratio`) is one
        matter asked or said all along (公积金异地贷款 over four days), not news. One naming no
        event type of the lexicon (a question how to apply, praise for a service window) is news
        only when its messages came in an emerging event of distinctive bursty words
        (`unnamed_news`): that is how an event of a kind nobody listed shows."""
        settings = self.settings
        within = len(topic.times)
        if settings.standing_ratio and topic.size - within >= settings.standing_ratio * within:
            return False
        if not settings.unnamed_news:
            return True
        if 2 * topic.routine >= topic.size or not (topic.main_problems() - settings.subjects):
            return topic.news >= settings.unnamed_news
        return True

    def _sweep(self, now: datetime) -> None:
        """Close the topics quiet for too long (the open ones are kept least recently active
        first) and forget message ids older than any topic still open."""
        while self._open:
            topic = next(iter(self._open.values()))
            if now - topic.last_seen <= self.settings.close_after:
                break
            self._close(topic)
        if self._long_sweep is None or now - self._long_sweep >= LONG_SWEEP:
            # a matter still drawing messages after `max_open` is archived as it stands and
            # goes on as a new topic: what a topic holds is bounded, whatever the month
            self._long_sweep = now
            for topic in list(self._open.values()):
                if now - topic.first_seen > self.settings.max_open:
                    self._close(topic)
        horizon = now - self.settings.close_after - self.settings.late_tolerance
        while self._seen_order and self._seen_order[0][0] < horizon:
            self._seen.discard(self._seen_order.popleft()[1])

    def _close(self, topic: Topic) -> None:
        self._forget(topic)
        self.on_close(topic)

    def _forget(self, topic: Topic) -> None:
        del self._open[topic.id]
        for key in topic.keys:
            posting = self._postings.get(key)
            if posting is None:
                continue
            remaining = [t for t in posting if t != topic.id]
            if remaining:
                self._postings[key] = remaining
            else:
                del self._postings[key]


def _dominant(counts: Counter, size: int, share: float = 0.2) -> set[str]:
    """What at least `share` of a topic's messages name: what the topic is about, not what a
    stray member mentioned."""
    least = max(1.0, share * size)
    return {key for key, count in counts.items() if count >= least}


def _other_district(places: Iterable[str], districts: Iterable[str], topic: Topic) -> bool:
    """Whether a message (or a topic) naming no place but a district or county (普陀, 岱山这边)
    names another one than the topic's: another matter of its kind, wherever else."""
    own = topic.main_districts()
    return bool(not places and districts and own and own.isdisjoint(districts))


def _districts_differ(one: Topic, other: Topic) -> bool:
    """Whether one of the two names no place but another district than the other's."""
    return _other_district(one.places, one.main_districts(), other) or _other_district(
        other.places, other.main_districts(), one
    )


def _places_fit(places: Iterable[str], topic: Topic) -> bool:
    """Whether a message's or a topic's places allow it to be `topic`'s matter: one side names
    none, or they share one."""
    return not places or not topic.places or topic.all_place_names().meets(places)


def _problems_differ(one: frozenset, other: frozenset) -> bool:
    """Whether both name event types of the lexicon and share none: never one matter."""
    return bool(one and other and one.isdisjoint(other))


def _same_place(a: str, b: str) -> bool:
    return a in b or b in a


class PlaceNames:
    """A set of place names that answers `_same_place` against all of them at once: whether a
    name is within one of them (a substring of their joined text) or holds one of them (its
    substrings of their lengths looked up), rather than comparing every pair."""

    __slots__ = ("names", "_joined", "_lengths", "_empty")
    DIRECT = 4
    SEPARATOR = "\x00"

    def __init__(self, names: Iterable[str]) -> None:
        self.names = frozenset(names)
        self._joined = self.SEPARATOR.join(self.names)
        self._lengths = sorted({len(name) for name in self.names})
        self._empty = "" in self.names

    def __len__(self) -> int:
        return len(self.names)

    def meets(self, others: Iterable[str]) -> bool:
        """Whether any of `others` is the same place as one of these (`_same_place`)."""
        names = self.names
        if not names:
            return False
        if self._empty or len(names) <= self.DIRECT:
            return any(_same_place(p, q) for p in others for q in names)
        joined, lengths = self._joined, self._lengths
        for p in others:
            if p in names:
                return True
            if self.SEPARATOR in p:
                if any(_same_place(p, q) for q in names):
                    return True
                continue
            if p in joined:
                return True
            n = len(p)
            for length in lengths:
                if length > n:
                    break
                for start in range(n - length + 1):
                    if p[start : start + length] in names:
                        return True
        return False


def _near(one: frozenset, other: frozenset) -> bool:
    """Places in one district, or places of which one side knows no district."""
    return not one or not other or bool(one & other)


def quick_clean(text: str) -> str:
    """Tags and control characters out, spaces folded: `bot.text.clean` without the
    traditional-to-simplified conversion, which would cost more than all the grouping."""
    return _SPACES.sub(" ", _CONTROL.sub("", strip_html(unicodedata.normalize("NFC", text)))).strip()


def bigrams(text: str) -> Counter:
    """Character bigrams of the Chinese characters and Latin words/numbers of `text`."""
    units = _WORD.findall(text.lower())
    return Counter(a + b for a, b in zip(units, units[1:], strict=False))


def replay(detector: Detector, messages: Iterable[Message]) -> None:
    for message in messages:
        detector.add(message)
    detector.close_all()


def terms(text: str) -> Counter:
    """The rare characters and the character bigrams of `text`: a paraphrase keeps the
    characters that carry its meaning (油 in 油污, 漏油, 沙滩上的油) more often than its
    bigrams."""
    units = _WORD.findall(text.lower())
    found = Counter(unit for unit in units if len(unit) == 1)
    found.update(a + b for a, b in zip(units, units[1:], strict=False))
    return found
