"""Reading the hand-edited knowledge files, each against its schema, with errors that name the
file, the line and the field.

Departments, places, routing rules, deadlines and retrieval settings are edited by people who do
not read Python, so a typo must point at its line ("knowledge/routing.yml:212: emergencies[0] ->
phrases: field required") instead of ending in a KeyError somewhere in routing. Every file
kind has a schema (pydantic v1, the version Rasa 3.6 pins): `load(path, Schema)` returns the
validated object, `load_data(path, Schema)` the validated data as written, for loaders that
build their own structures from it. YAML is composed once with line marks kept on every mapping
key and list item (`read_located`), so schema errors can be traced back to their line.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Optional, Sequence, TypeVar

import yaml
from pydantic import BaseModel, Extra, ValidationError, validator

S = TypeVar("S", bound="Schema")


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class KnowledgeFileError(ValueError):
    """One or more problems in knowledge files; `problems` lists them with file and line."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class Schema(BaseModel):
    """A knowledge file's structure: unknown keys are typos, so they are refused."""

    class Config:
        extra = Extra.forbid
        allow_mutation = False


class LocatedMap(dict):
    """A YAML mapping that remembers its line and the line of each key."""

    line = 0
    key_lines: dict


class LocatedList(list):
    """A YAML list that remembers its line and the line of each item."""

    line = 0
    item_lines: list


def read_located(path: Path, problems: list[Problem], text: Optional[str] = None) -> Any:
    """The YAML in `path` (or `text`, named `path`) as plain values that remember their lines;
    None (and a problem) when the file cannot be read or parsed."""
    try:
        text = Path(path).read_text(encoding="utf-8") if text is None else text
    except (OSError, UnicodeDecodeError) as error:
        problems.append(Problem(path, 1, f"cannot read: {error}"))
        return None
    try:
        node = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.MarkedYAMLError as error:
        line = error.problem_mark.line + 1 if error.problem_mark else 1
        started = (
            f" ({error.context} on line {error.context_mark.line + 1})"
            if error.context_mark
            else ""
        )
        problems.append(Problem(path, line, f"YAML syntax: {error.problem or error}{started}"))
        return None
    if node is None:
        problems.append(Problem(path, 1, "empty file"))
        return None
    return _located(node, yaml.SafeLoader(""), problems, path)


def load(path: Path, schema: type[S]) -> S:
    """The file checked against `schema`, or `KnowledgeFileError` naming file, line and field."""
    problems: list[Problem] = []
    data = read_located(path, problems)
    if problems:
        raise KnowledgeFileError(problems)
    try:
        return schema.parse_obj(data)
    except ValidationError as error:
        raise KnowledgeFileError(
            [
                Problem(path, line_of(data, found["loc"]), f"{_field(found['loc'])}: {found['msg']}")
                for found in error.errors()
            ]
        ) from None


def load_data(path: Path, schema: type[Schema]) -> dict[str, Any]:
    """The file's data as written (no defaults added), after it passed `schema`."""
    return load(path, schema).dict(exclude_unset=True)


def line_of(data: Any, location: Sequence[Any]) -> int:
    """The line of the deepest key or item of `location` that exists in `data`."""
    line = getattr(data, "line", 1) or 1
    current = data
    for step in location:
        if isinstance(current, LocatedMap) and str(step) in current:
            line = current.key_lines[str(step)]
            current = current[str(step)]
        elif isinstance(current, LocatedList) and isinstance(step, int) and step < len(current):
            line = current.item_lines[step]
            current = current[step]
        else:
            break
    return line


def _field(location: Sequence[Any]) -> str:
    """emergencies[0] -> phrases, for the message (`__root__` is the file itself)."""
    parts: list[str] = []
    for step in location:
        if isinstance(step, int):
            parts[-1:] = [f"{parts[-1] if parts else ''}[{step}]"]
        elif step != "__root__":
            parts.append(str(step))
    return " -> ".join(parts) or "file"


def _located(
    node: yaml.Node, constructor: yaml.SafeLoader, problems: list[Problem], path: Path
) -> Any:
    if isinstance(node, yaml.MappingNode):
        mapping = LocatedMap()
        mapping.line = node.start_mark.line + 1
        mapping.key_lines = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node, constructor)
            line = key_node.start_mark.line + 1
            if not isinstance(key, str | int):
                problems.append(Problem(path, line, f"unsupported key {key!r}"))
                continue
            key = str(key)
            if key in mapping:
                problems.append(Problem(path, line, f"duplicate key '{key}'"))
            mapping[key] = _located(value_node, constructor, problems, path)
            mapping.key_lines[key] = line
        return mapping
    if isinstance(node, yaml.SequenceNode):
        sequence = LocatedList(_located(item, constructor, problems, path) for item in node.value)
        sequence.line = node.start_mark.line + 1
        sequence.item_lines = [item.start_mark.line + 1 for item in node.value]
        return sequence
    return _scalar(node, constructor)


def _scalar(node: yaml.Node, constructor: yaml.SafeLoader) -> Any:
    """The scalar's value; its raw text when YAML cannot construct it (2020-13-40)."""
    try:
        return constructor.construct_object(node)
    except (ValueError, yaml.YAMLError):
        return node.value


# -- knowledge/departments.yml ------------------------------------------------------------------


class FunctionEntry(Schema):
    id: str
    name: str
    keywords: list[str] = []
    examples: list[str] = []


class BodyEntry(Schema):
    id: str
    name: str
    level: str
    jurisdiction: str
    function: str
    aliases: list[str] = []


class DepartmentsFile(Schema):
    functions: list[FunctionEntry]
    bodies: list[BodyEntry]


# -- knowledge/gazetteer.yml --------------------------------------------------------------------


class JurisdictionEntry(Schema):
    id: str
    name: str
    level: str
    parent: Optional[str] = None
    full_name: Optional[str] = None
    aliases: list[str] = []


class PlaceEntry(Schema):
    name: str
    kind: str
    jurisdiction: str
    aliases: list[str] = []


class AmbiguousPlaceEntry(Schema):
    """A name of places in several jurisdictions: never guessed."""

    name: str
    kind: str
    jurisdictions: list[str]
    aliases: list[str] = []


class GazetteerFile(Schema):
    jurisdictions: list[JurisdictionEntry]
    places: list[PlaceEntry]
    not_places: list[str] = []
    ambiguous: list[AmbiguousPlaceEntry] = []
    include: list[str] = []


class DivisionEntry(PlaceEntry):
    town: Optional[str] = None


class GazetteerDivisionsFile(Schema):
    """knowledge/gazetteer_divisions.yml, generated by scripts/build_gazetteer.py."""

    source: str
    places: list[DivisionEntry]
    ambiguous: list[AmbiguousPlaceEntry] = []


# -- knowledge/deadlines.yml --------------------------------------------------------------------


class UrgentLimits(Schema):
    sign_within_minutes: float = 30
    finish_within_hours: float = 24


class AnnouncedYear(Schema):
    """A year's 节假日安排 as the State Council announced it: days off and 调休 working days,
    each "YYYY-MM-DD" or a range "YYYY-MM-DD..YYYY-MM-DD"."""

    rest_days: list[str] = []
    working_days: list[str] = []

    @validator("rest_days", "working_days", each_item=True)
    def _iso_days(cls, value: str) -> str:
        from bot.calendar import parse_days

        parse_days([value])
        return value


class DeadlinesFile(Schema):
    timezone: Optional[str] = None
    announced_holidays: dict[int, AnnouncedYear] = {}
    working_hours: list[tuple[str, str]] = []
    sign_within_working_hours: float = 2
    finish_within_working_days: dict[str, int]
    urgent: UrgentLimits = UrgentLimits()


# -- knowledge/routing.yml ----------------------------------------------------------------------


class QuestionEndings(Schema):
    particles: dict[str, float] = {}
    words: list[str] = []
    words_weight: float = 0
    unless: list[str] = []


class TypeRules(Schema):
    default: str
    neutral: list[str] = []
    phrases: dict[str, dict[str, float]]
    by_category: dict[str, dict[str, float]] = {}
    question_endings: QuestionEndings = QuestionEndings()
    if_urgent: dict[str, float] = {}
    letter_body_ignores: list[str] = []


class CoHandling(Schema):
    min_score: float = 3
    min_share: float = 0.6


class AllOfRule(Schema):
    all: list[list[str]]
    months: list[int] = []


class JointRule(AllOfRule):
    lead: str
    co: list[str] = []


class ModelSettings(Schema):
    training: Optional[str] = None
    type_weight: float = 0
    min_category_score: float = 0
    category_weight: float = 0
    category_model_below: float = 0
    fallback_probability: float = 0
    emergency_probability: float = 0
    emergency_min_length: int = 0
    emergency_certain_max_length: Optional[int] = None


class EmergencyRule(Schema):
    number: str
    message: str
    phrases: list[str]
    evidence: list[str] = []
    together: list[list[list[str]]] = []
    unless: list[str] = []


class ExclusionRule(Schema):
    id: str
    channel: str
    message: str
    phrases: list[str]
    unless: list[str] = []


class RoutingFile(Schema):
    types: TypeRules
    categories: dict[str, dict[str, float]]
    category_neutral: list[str] = []
    co_handling: CoHandling = CoHandling()
    joint: list[JointRule] = []
    model: ModelSettings = ModelSettings()
    citywide: list[str] = []
    urgent: list[AllOfRule] = []
    emergencies: list[EmergencyRule]
    not_emergency: list[str] = []
    resolved: list[str] = []
    excluded: list[ExclusionRule]


# -- knowledge/routing_training.yml, knowledge/eval/routing*.yml --------------------------------


class RoutingCase(Schema):
    """A labelled text: training examples carry `source`, evaluation cases the expected bodies."""

    text: str
    type: Optional[str] = None
    category: Optional[str] = None
    co_categories: list[str] = []
    jurisdiction: Optional[str] = None
    department: Optional[str] = None
    co_departments: list[str] = []
    urgent: Optional[bool] = None
    emergency: Optional[str] = None
    excluded: Optional[str] = None
    source: Optional[str] = None
    # real letters from a public message board: the board's own category, title and address
    board_category: Optional[str] = None
    title: Optional[str] = None
    board_url: Optional[str] = None


class RoutingCasesFile(Schema):
    """`cases:` (evaluation) or `examples:` (training); a bare list is taken as the cases."""

    cases: list[RoutingCase] = []
    examples: list[RoutingCase] = []

    @classmethod
    def parse_obj(cls, obj: Any) -> RoutingCasesFile:
        return super().parse_obj({"cases": obj} if isinstance(obj, list) else obj)


class BoardCategoriesFile(Schema):
    """knowledge/eval/board_categories.yml: a message board's domains -> function ids."""

    domains: dict[str, list[str]]


# -- knowledge/drafts/*.yml ---------------------------------------------------------------------


class DraftFile(Schema):
    """A draft put out for public comment (征求意见稿)."""

    id: Optional[str] = None
    title: str
    department: str
    opens_on: date
    closes_on: date
    text: str
    summary: Optional[str] = None
    contact: Optional[str] = None
    short_window_reason: Optional[str] = None
    status: Optional[str] = None
    sample: bool = False
    format: Optional[str] = None


# -- knowledge/policy_retrieval.yml -------------------------------------------------------------


class ConfidenceSettings(Schema):
    min_score: Optional[float]
    min_margin: Optional[float]
    sure_score: Optional[float]
    min_coverage: Optional[float]
    answer_score: Optional[float]
    library_score: Optional[float]
    passage_coverage: Optional[float]
    specific_share: Optional[float]
    value_types: Optional[dict[str, str]]
    counted: Optional[list[str]]


class QuestionTypeSettings(Schema):
    cues: list[str]
    answer: str
    boost: Optional[float]
    within: Optional[bool]


class RetrievalFile(Schema):
    """Only what is written is used; `bot.policy.params` holds the defaults."""

    k1: Optional[float]
    b: Optional[float]
    max_df: Optional[float]
    max_df_from: Optional[int]
    field_weights: Optional[dict[str, float]]
    kind_weights: Optional[dict[str, float]]
    synonym_weight: Optional[float]
    context_boost: Optional[float]
    outdated_weight: Optional[float]
    document_weight: Optional[float]
    tie_ratio: Optional[float]
    part_ratio: Optional[float]
    fit_ratio: Optional[float]
    fit_weight: Optional[float]
    interpretation_cues: Optional[dict[str, list[str]]]
    candidates: Optional[int]
    max_question_chars: Optional[int]
    max_answer_chars: Optional[int]
    confidence: Optional[ConfidenceSettings]
    followups: Optional[dict[str, list[str]]]
    max_followup_chars: Optional[int]
    question_types: Optional[dict[str, QuestionTypeSettings]]
    title_weight: Optional[float]
    coverage_weight: Optional[float]
    situation_weight: Optional[float]
    abbreviation_weight: Optional[float]
    alternatives: Optional[bool]
    homophones: Optional[bool]
    answer_value_ratio: Optional[float]
    answer_case: Optional[bool]
    contrast_weight: Optional[float]
    home: Optional[str]
    place_weight: Optional[float]
    named_place_weight: Optional[float]
    local_weight: Optional[float]
    named_local_weight: Optional[float]
    placeless_contrast: Optional[bool]
