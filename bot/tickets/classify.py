"""What a citizen's words are: emergency, excluded matter, or a ticket of a type and category.

All vocabulary lives in `knowledge/routing.yml` and `knowledge/departments.yml`; this module only
adds up weighted phrases and checks which words occur together. Character n-gram models trained
on `knowledge/routing_training.yml` help where phrases are weak: the type model's probabilities
are added to the type scores, the category model's are added to the category scores when the
phrases found are weak (a keyword, a word of the setting) and name the category when no phrase
does, and the emergency model catches emergencies described in words no rule lists (routing.yml
records the cross-validation behind these choices).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable, Mapping, Optional, Sequence

from bot.calendar import TICKET_TYPES
from bot.knowledge_files import RoutingFile, load_data
from bot.tickets.catalogue import Catalogue
from bot.tickets.phrases import PhraseIndex, merge
from bot.tickets.text_classifier import TextModel

EMERGENCY_TYPE = "求助"
QUESTION_TYPE = "咨询"
NO_EMERGENCY = "none"
MIN_CLAUSE = 3
WINDOW = 3
# the clauses at the end of a letter where its question, if any, is put
LETTER_ENDING = 2
_CLAUSE = re.compile(r"[，,。！!？?；;\n]+")


@dataclass(frozen=True)
class Emergency:
    number: str
    message: str


@dataclass(frozen=True)
class Exclusion:
    id: str
    channel: str
    message: str


@dataclass(frozen=True)
class Classification:
    type: str
    category: Optional[str]
    co_categories: tuple[str, ...] = ()
    confidence: float = 0.0
    urgent: bool = False
    citywide: bool = False
    emergency: Optional[Emergency] = None
    exclusion: Optional[Exclusion] = None
    # False when the emergency was read in a long letter or narrative: the citizen is shown
    # the number and the ticket is filed as well
    emergency_certain: bool = True
    category_words: tuple[str, ...] = ()
    emergency_words: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Finding:
    emergency: Optional[Emergency] = None
    words: tuple[str, ...] = ()


class _Words:
    """Whether a text contains any of some words: one compiled alternation, not a Python loop.
    Case is ignored, as in the phrase lists (a call in English may start with Yesterday)."""

    def __init__(self, words: Iterable[str]):
        words = sorted({str(w) for w in words if w}, key=len, reverse=True)
        self._pattern = (
            re.compile("|".join(map(re.escape, words)), re.IGNORECASE) if words else None
        )

    def __call__(self, text: str) -> bool:
        return bool(self._pattern and self._pattern.search(text))


@dataclass(frozen=True)
class _AllOf:
    """Matches when every group has a phrase in the text (and, given months, in those months)."""

    groups: tuple[tuple[str, ...], ...]
    months: frozenset[int] = frozenset()

    @classmethod
    def parse(cls, rule: Mapping[str, Any]) -> _AllOf:
        return cls(
            tuple(tuple(str(p) for p in group) for group in rule["all"]),
            frozenset(rule.get("months") or ()),
        )

    def matches(self, text: str, month: Optional[int] = None) -> bool:
        if self.months and month not in self.months:
            return False
        return all(any(p in text for p in group) for group in self.groups)


@dataclass(frozen=True)
class _JointRule:
    condition: _AllOf
    lead: str
    co: tuple[str, ...]


@dataclass(frozen=True)
class _ExclusionRule:
    exclusion: Exclusion
    unless: tuple[str, ...]


@dataclass
class Rules:
    """The parsed `routing.yml` (plus the function keywords of the catalogue)."""

    default_type: str
    type_phrases: PhraseIndex[list[tuple[str, float]]]
    type_by_category: Mapping[str, Mapping[str, float]]
    type_if_urgent: Mapping[str, float]
    question_endings: Mapping[str, float]
    question_words: tuple[str, ...]
    question_word_weight: float
    rhetorical: tuple[str, ...]
    category_phrases: PhraseIndex[list[tuple[str, float]]]
    co_min_score: float
    co_min_share: float
    joint: list[_JointRule]
    citywide: tuple[str, ...]
    urgent: list[_AllOf]
    emergencies: PhraseIndex[int]
    emergency_list: list[Emergency]
    emergency_together: list[tuple[int, _AllOf, tuple[str, ...]]]
    emergency_evidence: Mapping[str, tuple[str, ...]]
    not_emergency: tuple[str, ...]
    resolved: tuple[str, ...]
    exclusions: PhraseIndex[int]
    exclusion_list: list[_ExclusionRule]
    model_settings: Mapping[str, object] = field(default_factory=dict)
    letter_body_ignores: tuple[str, ...] = ()

    @classmethod
    def load(cls, path: Path, catalogue: Catalogue) -> Rules:
        data = load_data(path, RoutingFile)
        types = data["types"]
        biases = types.get("by_category") or {}
        if_urgent = types.get("if_urgent") or {}
        named = (
            set(types["phrases"]) | {t for bias in biases.values() for t in bias} | set(if_urgent)
        )
        if named - set(TICKET_TYPES) or types["default"] not in TICKET_TYPES:
            raise ValueError(f"{path}: ticket types must be among {TICKET_TYPES}")
        known = {f.id for f in catalogue.functions}
        referred = set(biases) | {
            fn for j in data.get("joint") or () for fn in (j["lead"], *(j.get("co") or ()))
        }
        if referred - known:
            raise ValueError(f"{path}: unknown functions {sorted(referred - known)}")
        type_pairs = [
            (phrase, (ticket_type, float(weight)))
            for ticket_type, phrases in types["phrases"].items()
            for phrase, weight in phrases.items()
        ]
        emergencies = [Emergency(str(e["number"]), str(e["message"])) for e in data["emergencies"]]
        exclusion_rules = [
            _ExclusionRule(
                Exclusion(str(e["id"]), str(e["channel"]), str(e["message"])),
                tuple(e.get("unless") or ()),
            )
            for e in data["excluded"]
        ]
        co = data.get("co_handling") or {}
        return cls(
            default_type=types["default"],
            type_phrases=PhraseIndex(
                {**{p: [] for p in types.get("neutral") or ()}, **merge(type_pairs)}
            ),
            type_by_category={
                str(fn): {str(t): float(w) for t, w in bias.items()} for fn, bias in biases.items()
            },
            type_if_urgent={str(t): float(w) for t, w in if_urgent.items()},
            question_endings={
                str(p): float(w)
                for p, w in ((types.get("question_endings") or {}).get("particles") or {}).items()
            },
            question_words=tuple((types.get("question_endings") or {}).get("words") or ()),
            question_word_weight=float(
                (types.get("question_endings") or {}).get("words_weight") or 0
            ),
            rhetorical=tuple((types.get("question_endings") or {}).get("unless") or ()),
            category_phrases=PhraseIndex(
                {
                    **{str(p): [] for p in data.get("category_neutral") or ()},
                    **_category_weights(catalogue, data["categories"], path),
                }
            ),
            co_min_score=float(co.get("min_score", 3)),
            co_min_share=float(co.get("min_share", 0.6)),
            joint=[
                _JointRule(_AllOf.parse(j), str(j["lead"]), tuple(j.get("co") or ()))
                for j in data.get("joint") or ()
            ],
            citywide=tuple(data.get("citywide") or ()),
            urgent=[_AllOf.parse(u) for u in data.get("urgent") or ()],
            emergencies=PhraseIndex(
                {p: i for i, e in enumerate(data["emergencies"]) for p in e["phrases"]}
            ),
            emergency_list=emergencies,
            emergency_together=[
                (
                    i,
                    _AllOf(tuple(tuple(str(p) for p in g) for g in groups)),
                    tuple(e.get("unless") or ()),
                )
                for i, e in enumerate(data["emergencies"])
                for groups in e.get("together") or ()
            ],
            emergency_evidence={
                str(e["number"]): tuple(str(w) for w in e.get("evidence") or ())
                for e in data["emergencies"]
            },
            not_emergency=tuple(data.get("not_emergency") or ()),
            resolved=tuple(data.get("resolved") or ()),
            exclusions=PhraseIndex(
                {p: i for i, e in enumerate(data["excluded"]) for p in e["phrases"]}
            ),
            exclusion_list=exclusion_rules,
            model_settings=data.get("model") or {},
            letter_body_ignores=tuple(str(p) for p in types.get("letter_body_ignores") or ()),
        )


def _category_weights(
    catalogue: Catalogue, overrides: Mapping[str, Mapping[str, float]], path: Path
) -> dict[str, list[tuple[str, float]]]:
    """phrase → [(function, weight)] from department keywords and routing.yml's weights.

    A department keyword counts 1, or as much as the strongest routing.yml phrase of the same
    function inside it (公积金提取 is as telling as 公积金): longest-match scanning would
    otherwise let a longer, weaker keyword hide a strong phrase.
    """
    known = {f.id for f in catalogue.functions}
    unknown = set(overrides) - known
    if unknown:
        raise ValueError(
            f"{path}: unknown functions under categories: {', '.join(sorted(unknown))}"
        )
    weights: dict[tuple[str, str], float] = {}
    for function in catalogue.functions:
        strong = {str(p): float(w) for p, w in (overrides.get(function.id) or {}).items()}
        for keyword in function.keywords:
            inherited = [w for phrase, w in strong.items() if phrase in keyword]
            weights[(keyword, function.id)] = max([1.0, *inherited])
        for phrase, weight in strong.items():
            weights[(phrase, function.id)] = weight
    return merge((phrase, (fn, w)) for (phrase, fn), w in weights.items() if w)


class Classifier:
    """Classifies a cleaned text with the rules and, when given, the trained models."""

    def __init__(
        self,
        rules: Rules,
        type_model: Optional[TextModel] = None,
        category_model: Optional[TextModel] = None,
        emergency_model: Optional[TextModel] = None,
    ):
        self.rules = rules
        self.type_model = type_model
        self.category_model = category_model
        self.emergency_model = emergency_model
        settings = rules.model_settings
        self.type_weight = float(settings.get("type_weight", 0))
        self.min_category_score = float(settings.get("min_category_score", 1))
        self.category_weight = float(settings.get("category_weight", 0))
        # 0: the phrases alone decide whenever they name a function
        self.category_model_below = float(settings.get("category_model_below", 0))
        self.fallback_probability = float(settings.get("fallback_probability", 1))
        # above 1: the emergency model never decides
        self.emergency_probability = float(settings.get("emergency_probability", 2))
        self.emergency_min_length = int(settings.get("emergency_min_length", 0))
        # a text longer than this is a letter: an emergency read in it is not certain
        self.emergency_certain_max_length = int(
            settings.get("emergency_certain_max_length", 10**9)
        )
        self._by_number = {e.number: e for e in rules.emergency_list}
        self._not_emergency = _Words(rules.not_emergency)
        self._together = [
            (index, [_Words(g) for g in rule.groups], _Words(unless))
            for index, rule, unless in rules.emergency_together
        ]

    def classify(
        self, text: str, now: datetime, topic_text: Optional[str] = None
    ) -> Classification:
        """All decisions about `text`; a citizen reporting an emergency is asking for help.

        `topic_text` is the text to find the category in, when it differs (place names blanked).
        """
        category, co, confidence = self._category(topic_text or text)
        finding = self._find_emergency(text)
        emergency = finding.emergency
        urgent = any(rule.matches(text, now.month) for rule in self.rules.urgent)
        return Classification(
            type=(
                EMERGENCY_TYPE
                if emergency
                else self.ticket_type(text, category, urgent, topic_text=topic_text)
            ),
            category=category,
            co_categories=co,
            confidence=confidence,
            urgent=urgent or bool(emergency),
            citywide=any(p in text for p in self.rules.citywide),
            emergency=emergency,
            exclusion=self.exclusion(text),
            emergency_certain=len(text) <= self.emergency_certain_max_length,
            category_words=self.category_words(topic_text or text, category),
            emergency_words=finding.words,
        )

    def category_words(self, text: str, category: Optional[str]) -> tuple[str, ...]:
        """The phrases of `text` that count for `category` (none when the model named it)."""
        if not category:
            return ()
        return tuple(
            dict.fromkeys(
                hit.phrase
                for hit in self.rules.category_phrases.scan(text)
                if any(fn == category and weight > 0 for fn, weight in hit.value)
            )
        )

    def _find_emergency(self, text: str) -> _Finding:
        """The most pressing emergency named in a clause that does not put it in the past, in a
        text that does not say it is over (`resolved`: 幸亏邻居发现, 才找到).

        Named by a phrase in a clause (着火了), or described by words that mean it together (黑烟
        in a 仓库) within up to `WINDOW` adjacent clauses (小孩在水库边玩，掉下去了), unless
        those or the clauses next to them name one of that emergency's `unless` words (油烟, 烟囱).

        When no rule finds one, the emergency model reads the clauses that are not put in the
        past, as a risk or as hearsay, and decides when it is at least `emergency_probability`
        sure of one number and the text names something of that kind (the number's `evidence`:
        火 or 烟 for 119, 车 for 122; people describe emergencies in more ways than rules list).
        """
        if any(p in text for p in self.rules.resolved):
            return _Finding()
        found: dict[int, list[str]] = {}
        clauses = [c for c in _CLAUSE.split(text) if c.strip()]
        blocked = [self._not_emergency(c) for c in clauses]
        for clause, past in zip(clauses, blocked, strict=True):
            if not past:
                for hit in self.rules.emergencies.scan(clause):
                    found.setdefault(hit.value, []).append(hit.phrase)
        for index in self._described(clauses, blocked):
            found.setdefault(index, []).extend(self._together_words(index, text))
        if found:
            first = min(found)
            return _Finding(self.rules.emergency_list[first], tuple(dict.fromkeys(found[first])))
        emergency = self._model_emergency(clauses)
        if emergency is None:
            return _Finding()
        evidence = self.rules.emergency_evidence.get(emergency.number, ())
        return _Finding(emergency, tuple(w for w in evidence if w in text))

    def _together_words(self, index: int, text: str) -> list[str]:
        return [
            word
            for i, rule, _ in self.rules.emergency_together
            if i == index and rule.matches(text)
            for group in rule.groups
            for word in group
            if word in text
        ]

    def _described(self, clauses: Sequence[str], blocked: Sequence[bool]) -> set[int]:
        """Emergencies whose `together` words all occur within up to WINDOW adjacent clauses."""
        return {
            index
            for index, groups, unless in self._together
            if _together_in(clauses, blocked, groups, unless)
        }

    def _model_emergency(self, clauses: Sequence[str]) -> Optional[Emergency]:
        if self.emergency_model is None:
            return None
        live = "，".join(c for c in clauses if not self._not_emergency(c))
        if len(live) < self.emergency_min_length:
            return None
        probabilities = self.emergency_model.probabilities(live)
        number = max(
            (label for label in probabilities if label != NO_EMERGENCY),
            key=probabilities.__getitem__,
        )
        evidence = self.rules.emergency_evidence.get(number, ())
        if probabilities[number] < self.emergency_probability or not any(
            w in live for w in evidence
        ):
            return None
        return self._by_number.get(number)

    def exclusion(self, text: str) -> Optional[Exclusion]:
        for index in self.rules.exclusions.values(text):
            rule = self.rules.exclusion_list[index]
            if not any(p in text for p in rule.unless):
                return rule.exclusion
        return None

    def ticket_type(
        self,
        text: str,
        category: Optional[str] = None,
        urgent: bool = False,
        topic_text: Optional[str] = None,
    ) -> str:
        """The type with the highest phrase score, question form, category and urgency bias and
        model probability (`topic_text`: the text with place names blanked, see `classify`)."""
        letter = len(text) > self.emergency_certain_max_length
        if letter:
            scores = _add_up(self._letter_type_hits(text))
        else:
            scores = _add_up(self.rules.type_phrases.values(text))
        asking = self._question_endings(topic_text or text, last_only=letter)
        if asking:
            scores[QUESTION_TYPE] = scores.get(QUESTION_TYPE, 0.0) + asking
        biases = [self.rules.type_by_category.get(category or "", {})]
        if urgent:
            biases.append(self.rules.type_if_urgent)
        for bias in biases:
            for label, weight in bias.items():
                scores[label] = scores.get(label, 0.0) + weight
        if self.type_model is not None:
            for label, p in self.type_model.probabilities(text).items():
                scores[label] = scores.get(label, 0.0) + self.type_weight * p
        if not scores or max(scores.values()) <= 0:
            return self.rules.default_type
        return max(TICKET_TYPES, key=lambda t: scores.get(t, 0.0))

    def _letter_type_hits(self, text: str) -> list[list[tuple[str, float]]]:
        """Type phrases of a letter, each counted once; question words count only in its last
        clauses (a letter's body asks rhetorically: 这合理吗？谁来管？)."""
        clauses = [c for c in _CLAUSE.split(text) if c.strip()]
        ending = "，".join(clauses[-LETTER_ENDING:])
        body = "，".join(clauses[:-LETTER_ENDING])
        ignored = set(self.rules.letter_body_ignores)
        hits = {
            hit.phrase: hit.value
            for hit in self.rules.type_phrases.scan(body)
            if hit.phrase not in ignored
        }
        hits.update((hit.phrase, hit.value) for hit in self.rules.type_phrases.scan(ending))
        return list(hits.values())

    def _question_endings(self, text: str, last_only: bool = False) -> float:
        """How much the text is put as a question: clauses ending in a question particle (…能报吗)
        and a question word in the last clause (…咋转), unless rhetorical (不是…吗, 凭啥).
        Clauses left with fewer than three characters once places are blanked (…，六横 / 在新城)
        are not where the question is."""
        rules = self.rules
        clauses = [c.strip() for c in _CLAUSE.split(text) if len(c.strip()) >= MIN_CLAUSE]
        if last_only:
            clauses = clauses[-LETTER_ENDING:]
        total = 0.0
        for clause in clauses:
            if any(p in clause for p in rules.rhetorical):
                continue
            total += next((w for p, w in rules.question_endings.items() if clause.endswith(p)), 0.0)
        last = clauses[-1] if clauses else ""
        if any(w in last for w in rules.question_words) and not any(
            p in last for p in rules.rhetorical
        ):
            total += rules.question_word_weight
        return total

    def category_scores(self, text: str) -> dict[str, float]:
        """Phrase score of each function named in `text`."""
        return _add_up(self.rules.category_phrases.values(text))

    def _category(self, text: str) -> tuple[Optional[str], tuple[str, ...], float]:
        """The lead function, its co-handlers and how sure the phrases are of the lead.

        A joint rule decides first. Then the phrases, alone when the best function scores at
        least `category_model_below` (公积金, 轮渡: a phrase that names the matter). Below that,
        the phrases found are a mere duty keyword or a word of the setting (码头 where the matter
        is a rubbish heap on a pier, 身份证 in a marriage question), so the category model's
        probability × `category_weight` is added to every function's phrase score. With no
        phrase at all, the model names the function when it is at least `fallback_probability`
        sure (below that, an operator decides).
        """
        for rule in self.rules.joint:
            if rule.condition.matches(text):
                return rule.lead, rule.co, 1.0
        scores = {k: v for k, v in self.category_scores(text).items() if v > 0}
        lead = max(scores, key=scores.__getitem__) if scores else None
        if lead and scores[lead] < self.min_category_score:
            lead = None
        if self.category_model is None or (lead and scores[lead] >= self.category_model_below):
            return self._phrase_lead(lead, scores)
        probabilities = self.category_model.probabilities(text)
        if lead:
            combined = {
                fn: scores.get(fn, 0.0) + self.category_weight * p
                for fn, p in probabilities.items()
            }
            return self._phrase_lead(max(combined, key=combined.__getitem__), scores)
        best = max(probabilities, key=probabilities.__getitem__)
        if probabilities[best] >= self.fallback_probability:
            return best, (), round(probabilities[best], 3)
        return None, (), 0.0

    def _phrase_lead(
        self, lead: Optional[str], scores: Mapping[str, float]
    ) -> tuple[Optional[str], tuple[str, ...], float]:
        if lead is None:
            return None, (), 0.0
        confidence = scores.get(lead, 0.0) / sum(scores.values())
        return lead, self._co_handlers(lead, scores), round(confidence, 3)

    def _co_handlers(self, lead: str, phrase_scores: Mapping[str, float]) -> tuple[str, ...]:
        lead_score = phrase_scores.get(lead, 0.0)
        return tuple(
            fn
            for fn, score in sorted(phrase_scores.items(), key=lambda kv: -kv[1])
            if fn != lead
            and score >= self.rules.co_min_score
            and score >= self.rules.co_min_share * lead_score
        )


def _together_in(
    clauses: Sequence[str],
    blocked: Sequence[bool],
    groups: Sequence[_Words],
    unless: _Words,
) -> bool:
    """Whether a word of every group occurs within up to WINDOW adjacent clauses, none of them
    `blocked` (put in the past, as a risk, ...), and no `unless` word in them or next to them.

    Looked up clause by clause (no word contains a clause separator, so this is the same as
    looking in the joined window), the first group first: most rules stop there, which keeps a
    5,000-character text fast.
    """
    first = [groups[0](c) for c in clauses]
    if not any(first):
        return False
    found: dict[tuple[int, int], bool] = {}

    def has(j: int, g: int) -> bool:
        if g == 0:
            return first[j]
        if (j, g) not in found:
            found[(j, g)] = groups[g](clauses[j])
        return found[(j, g)]

    n = len(clauses)
    for size in range(1, WINDOW + 1):
        for i in range(n - size + 1):
            span = range(i, i + size)
            if any(blocked[j] for j in span) or not any(first[j] for j in span):
                continue
            if all(any(has(j, g) for j in span) for g in range(len(groups))) and not any(
                unless(c) for c in clauses[max(0, i - 1) : i + size + 1]
            ):
                return True
    return False


def _add_up(hits: Iterable[Sequence[tuple[str, float]]]) -> dict[str, float]:
    scores: dict[str, float] = {}
    for pairs in hits:
        for label, weight in pairs:
            scores[label] = scores.get(label, 0.0) + weight
    return scores
