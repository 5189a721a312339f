"""Routing a complaint to the department that must handle it, with its deadlines.

属地管理: a matter goes to the body of the responsible function in the jurisdiction of the most
specific place the citizen named; where that jurisdiction has no such body, to its parent's
(新城 → 定海区), and in the end to the city's. City-wide matters and matters without a place go to
the city. The table of bodies is `knowledge/departments.yml`; nothing here names a department.

A place name found in several jurisdictions that no other place in the text settles is never
guessed: when the candidates' bodies differ, the result has no department (an operator decides)
and lists `place_choices` (the chat asks the citizen). Places of different districts named
together (沈家门到定海的公交车) make a matter between them: the city's.

An emergency the router is not certain of (read in a long letter or narrative) keeps its ticket: the citizen is shown the number and the ticket is filed, urgent.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping, Optional, Sequence, Union

from bot.calendar import DeadlinePolicy
from bot.knowledge_files import RoutingCasesFile, load_data
from bot.text import clean, has_content
from bot.tickets.catalogue import Body, Catalogue
from bot.tickets.classify import NO_EMERGENCY, Classification, Classifier, Rules
from bot.tickets.gazetteer import SPECIFICITY, Gazetteer, Location
from bot.tickets.text_classifier import TextModel

CITY = "city"


@dataclass(frozen=True)
class RoutingResult:
    """Everything the hotline needs to open (or refuse) a ticket for one text.

    `department` is None for emergencies, excluded matters, texts without content and texts
    the router could not place in any category (those go to an operator).
    """

    text: str
    type: Optional[str] = None
    category: Optional[str] = None
    category_name: Optional[str] = None
    location: Optional[str] = None
    jurisdiction: Optional[str] = None
    jurisdiction_name: Optional[str] = None
    department: Optional[str] = None
    department_id: Optional[str] = None
    co_departments: list[str] = field(default_factory=list)
    co_department_ids: list[str] = field(default_factory=list)
    due_at: Optional[datetime] = None
    sign_by: Optional[datetime] = None
    urgent: bool = False
    emergency: Optional[str] = None
    emergency_message: Optional[str] = None
    excluded: Optional[str] = None
    excluded_message: Optional[str] = None
    confidence: float = 0.0
    emergency_certain: bool = True
    place_choices: list[str] = field(default_factory=list)
    place_choice_ids: list[str] = field(default_factory=list)
    explain: dict[str, list[str]] = field(default_factory=dict)

    @property
    def needs_operator(self) -> bool:
        """A ticket no department could be chosen for automatically."""
        if self.emergency and not self.emergency_certain:
            return not self.department
        return bool(self.type) and not (self.department or self.emergency or self.excluded)

    @property
    def files_ticket(self) -> bool:
        """Whether a ticket is filed: not for a certain emergency nor an excluded matter."""
        return bool(self.type) and not self.excluded and not (
            self.emergency and self.emergency_certain
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: times as ISO 8601 with offset."""
        data = asdict(self)
        for key in ("due_at", "sign_by"):
            if data[key] is not None:
                data[key] = data[key].isoformat()
        data["needs_operator"] = self.needs_operator
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RoutingResult:
        """Rebuilt from `to_dict()` (e.g. kept in a conversation slot); ValueError if it is not."""
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        for key in ("due_at", "sign_by"):
            if isinstance(values.get(key), str):
                values[key] = datetime.fromisoformat(values[key])
        if not isinstance(values.get("text"), str):
            raise ValueError("a routing result needs its text")
        return cls(**values)


class Router:
    """Classifies a text, finds where it is and which body handles it, and sets deadlines."""

    def __init__(
        self,
        catalogue: Catalogue,
        gazetteer: Gazetteer,
        classifier: Classifier,
        deadlines: DeadlinePolicy,
    ):
        self.catalogue = catalogue
        self.gazetteer = gazetteer
        self.classifier = classifier
        self.deadlines = deadlines

    @classmethod
    def load(cls, knowledge_dir: Union[str, Path, None] = None) -> Router:
        """The router for `knowledge_dir` (default: the configured one), built once per process."""
        if knowledge_dir is None:
            from bot.config import Settings

            knowledge_dir = Settings.from_env().knowledge_dir
        return _load_cached(str(Path(knowledge_dir).resolve()))

    @classmethod
    def build(cls, knowledge_dir: Union[str, Path], use_model: bool = True) -> Router:
        """A new router from the files in `knowledge_dir` (trains the models when `use_model`)."""
        knowledge_dir = Path(knowledge_dir)
        catalogue = Catalogue.load(knowledge_dir / "departments.yml")
        rules = Rules.load(knowledge_dir / "routing.yml", catalogue)
        type_model = category_model = emergency_model = None
        training = rules.model_settings.get("training")
        if use_model and training:
            type_model, category_model, emergency_model = train_models(
                load_data(knowledge_dir / str(training), RoutingCasesFile)["examples"], catalogue
            )
        return cls(
            catalogue=catalogue,
            gazetteer=Gazetteer.load(knowledge_dir / "gazetteer.yml"),
            classifier=Classifier(rules, type_model, category_model, emergency_model),
            deadlines=DeadlinePolicy.load(knowledge_dir / "deadlines.yml"),
        )

    def route(self, text: str, now: Optional[datetime] = None) -> RoutingResult:
        """Route one citizen's text received at `now` (default: the current time)."""
        cleaned = clean(text)
        if not has_content(cleaned):
            return RoutingResult(text=cleaned)
        created = self.deadlines.calendar.localise(now or datetime.now(self.deadlines.calendar.tz))
        found = self.classifier.classify(cleaned, created, self.gazetteer.without_places(cleaned))
        location = self.gazetteer.resolve(cleaned)
        place = location.place
        jurisdiction = self._jurisdiction(location, found)
        result = RoutingResult(
            text=cleaned,
            type=found.type,
            location=place.name if place else None,
            jurisdiction=jurisdiction,
            jurisdiction_name=self.gazetteer.jurisdiction(jurisdiction).name,
            confidence=found.confidence,
            explain={
                "category": list(found.category_words),
                "district": list(location.words),
                "emergency": list(found.emergency_words),
            },
        )
        if found.emergency:
            result = replace(
                result,
                urgent=True,
                emergency=found.emergency.number,
                emergency_message=found.emergency.message,
                emergency_certain=found.emergency_certain,
            )
            if found.emergency_certain:
                return result
        if found.exclusion:
            return replace(
                result, excluded=found.exclusion.id, excluded_message=found.exclusion.message
            )
        lead = self._body(found.category, jurisdiction) if found.category else None
        choices = self._choices(found.category, location) if found.category else []
        if len({b.id for _, b in choices}) > 1:
            lead = None
        else:
            choices = []
        co_bodies = [
            body
            for body in (self._body(fn, jurisdiction) for fn in found.co_categories)
            if body and body != lead
        ]
        return replace(
            result,
            place_choices=[self.gazetteer.jurisdiction(j).name for j, _ in choices],
            place_choice_ids=[j for j, _ in choices],
            category=found.category,
            category_name=self.catalogue.function(found.category).name if found.category else None,
            department=lead.name if lead else None,
            department_id=lead.id if lead else None,
            co_departments=[b.name for b in co_bodies],
            co_department_ids=[b.id for b in co_bodies],
            urgent=found.urgent or result.urgent,
            due_at=self.deadlines.due_at(created, found.type, found.urgent),
            sign_by=self.deadlines.sign_by(created, found.urgent),
        )

    def _jurisdiction(self, location: Location, found: Classification) -> str:
        place = location.place
        if place is None:
            return CITY
        if found.citywide and place.specificity <= SPECIFICITY["district"]:
            return CITY
        return place.jurisdiction

    def _choices(self, function: str, location: Location) -> list[tuple[str, Body]]:
        """(jurisdiction, body) for each jurisdiction an unsettled place name may be in."""
        choices = []
        for jurisdiction in location.candidates:
            body = self._body(function, jurisdiction)
            if body:
                choices.append((jurisdiction, body))
        return choices

    def _body(self, function: str, jurisdiction: str) -> Optional[Body]:
        """The nearest body doing `function`: this jurisdiction's, a parent's, or the city's."""
        for candidate in self.gazetteer.chain(jurisdiction):
            body = self.catalogue.body_for(function, candidate)
            if body:
                return body
        return self.catalogue.body_for(function, CITY)


def train_models(
    examples: Sequence[Mapping[str, Any]], catalogue: Catalogue
) -> tuple[TextModel, TextModel, TextModel]:
    """Type, category and emergency models from training examples (plus, for the category, the
    catalogue's examples); the emergency model's labels are the numbers and NO_EMERGENCY."""
    texts = [str(e["text"]) for e in examples]
    emergency_labels = [str(e.get("emergency") or NO_EMERGENCY) for e in examples]
    # an emergency is 求助 by rule: its examples would only teach the type model that every
    # mention of a fall or a fight asks for help
    type_texts = [str(e["text"]) for e in examples if not e.get("emergency")]
    type_labels = [str(e["type"]) for e in examples if not e.get("emergency")]
    category_texts = [str(e["text"]) for e in examples if e.get("category")]
    category_labels = [str(e["category"]) for e in examples if e.get("category")]
    for function in catalogue.functions:
        category_texts.extend(function.examples)
        category_labels.extend([function.id] * len(function.examples))
    return (
        TextModel.train(type_texts, type_labels),
        TextModel.train(category_texts, category_labels),
        TextModel.train(texts, emergency_labels),
    )


@lru_cache(maxsize=4)
def _load_cached(knowledge_dir: str) -> Router:
    return Router.build(knowledge_dir)
