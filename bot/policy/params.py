"""Retrieval settings read from `knowledge/policy_retrieval.yml`: weights, limits, confidence thresholds.

They are data because they are tuned by measurement (`python -m bot eval qa --calibrate`), not
chosen in code; every field has a default so a missing key keeps working.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Optional

from bot.knowledge_files import KnowledgeFileError, RetrievalFile, load_data
from bot.policy.analysis import DataFileError

NON_WORD_FIELDS = frozenset({"bigrams", "unigrams", "section"})
"""Index fields filled from characters or cues rather than from jieba words."""


@dataclass(frozen=True)
class Confidence:
    """A top result is confident when its BM25 score and its lead over the next are high enough.

    confident = score >= min_score and (margin >= min_margin or score >= sure_score), where
    margin = (top score - second score) / top score.
    """

    min_score: float = 20.7
    min_margin: float = 0.04
    sure_score: float = 134.5
    min_coverage: float = 0.5
    answer_score: float = 17.0
    """A whole-library answer is confident only from this score, in `KnowledgeBase.score_unit`s
    (scoped searches: min_score)."""
    library_score: float = 12.0
    passage_coverage: float = 0.22
    """Below either, the library holds nothing on the question (see `KnowledgeBase.outside_library`)."""
    specific_share: float = 0.1
    """A word held by at most this share of the documents is specific (see `KnowledgeBase.anchored`)."""
    value_types: Mapping[str, str] = field(default_factory=dict)
    """Question types asking for a value (a time, an amount, an age …), each with what else
    gives one besides the type's answer pattern (期限: 定期, 每年 …): a confident answer's
    passage gives one (`bot.policy.gate.gives_asked`)."""
    counted: tuple[str, ...] = ()
    """Question types asking for a number in a unit (几回, 第几级, 多少学时, 提前几天, 比例是多少):
    a confident answer's passage gives each one asked with a numeral (`gives_asked`)."""


@dataclass(frozen=True)
class RetrievalParams:
    """Every knob of retrieval; knowledge/policy_retrieval.yml explains each one."""

    k1: float = 1.2
    b: float = 0.75
    max_df: float = 0.2
    max_df_from: int = 100
    field_weights: dict[str, float] = field(
        default_factory=lambda: {
            "question": 1.0,
            "answer": 1.0,
            "title": 1.0,
            "body": 1.0,
            "notes": 0.6,
            "bigrams": 0.9,
            "unigrams": 0.2,
            "section": 4.0,
            "policy": 0.5,
        }
    )
    kind_weights: dict[str, float] = field(
        default_factory=lambda: {"qa": 1.0, "clause": 1.0, "sentence": 1.2, "interpretation": 0.9}
    )
    synonym_weight: float = 1.0
    context_boost: float = 1.3
    outdated_weight: float = 0.6
    document_weight: float = 2.0
    tie_ratio: float = 0.93
    part_ratio: float = 0.75
    fit_ratio: float = 0.85
    """Results scoring at least this share of the first compete on how well their concise
    answer fits the question (bot/policy/selection.py)."""
    fit_weight: float = 1.5
    """Weight of that fit: score × (1 + fit_weight × fit); 0 turns it off."""
    interpretation_cues: dict[str, list[str]] = field(default_factory=dict)
    candidates: int = 60
    max_question_chars: int = 200
    max_answer_chars: int = 200
    confidence: Confidence = field(default_factory=Confidence)
    followups: dict[str, list[str]] = field(default_factory=dict)
    max_followup_chars: int = 16
    question_types: dict[str, dict] = field(default_factory=dict)
    """What a question asks for and what answers it (bot/policy/qtypes.py)."""
    title_weight: float = 0.0
    """Boost for a document whose title holds the question's words (share weighted by rarity)."""
    coverage_weight: float = 0.0
    """Among the best passages, one holding a share s of the question's words (by rarity)
    keeps (1 + coverage_weight × s) / (1 + coverage_weight) of its score."""
    situation_weight: float = 0.0
    """Boost for a passage holding a condition the asker's stated case meets (上班十五年了 →
    已满10年不满20年的; bot/policy/situations.py)."""
    abbreviation_weight: float = 0.0
    """Weight of the library's words a question's unknown word may shorten (菜场 → 菜市场;
    `KnowledgeBase._abbreviated`), shared among them, as an everyday phrase's official terms."""
    contrast_weight: float = 0.0
    """Among the best passages, one holding more of the question's words that set it apart
    from the others keeps more of its score (`KnowledgeBase._contrast_shares`)."""
    answer_value_ratio: float = 0.0
    """A question asking for a value (a time, an amount …: `confidence.value_types`) is
    answered by a sentence giving one when such a sentence covers at least this share of what
    the best covering sentence does (bot/policy/answers.py `best_sentences`); 0: off."""
    answer_case: bool = False
    """Whether the concise answer prefers, like a value asked for (`answer_value_ratio`), the
    sentence holding a condition the asker's stated case meets (我爸六十六了: 65周岁以上…)."""
    homophones: bool = False
    """Whether a pair of the question's characters the library does not hold is read as the
    word of the library of the same sound sharing one of its characters (正务 → 政务: voice
    input and pinyin keyboards; `KnowledgeBase.heard`)."""
    alternatives: bool = False
    """Whether an everyday phrase's official terms (and a shortening's longer forms) count
    as alternatives to the asker's words in a document's score, the best of them once,
    rather than adding up (`KnowledgeBase._document_scores`)."""
    home: str = ""
    """The region the citizens live in (knowledge/regions.tsv): a question naming no place is
    about it (bot/policy/places.py)."""
    place_weight: float = 0.0
    """Boost for a document whose rules hold where the question is about (national, or of that
    place or a region above or inside it) over another place's."""
    named_place_weight: float = 0.0
    """The same, for a question that names the place it is about (在杭州…, 舟山…)."""
    local_weight: float = 0.0
    """Further boost for the more local of those: the home city's over its province's."""
    named_local_weight: Optional[float] = None
    """The same for a question naming its place (在浙江…: Zhejiang's rules over the national
    ones on the same matter); `local_weight` when not set."""
    placeless_contrast: bool = False
    """Whether the places a question names (在济南槐荫区…) are left out of the words that set a
    document's passages apart (`contrast_weight`): the place chose the document; among its
    passages it would choose the one naming the place (实施机关：济南市槐荫区…)."""

    @classmethod
    def load(cls, path: Path) -> RetrievalParams:
        if not path.exists():
            return cls()
        try:
            data = load_data(path, RetrievalFile)
        except KnowledgeFileError as error:
            raise DataFileError(str(error)) from error
        confidence = data.pop("confidence", None) or {}
        if "counted" in confidence:
            confidence["counted"] = tuple(confidence["counted"] or ())
        return cls(**data, confidence=Confidence(**confidence))

    @property
    def word_fields(self) -> list[str]:
        """Fields matched by the question's words (not characters, not 解读 cues)."""
        return [name for name in self.field_weights if name not in NON_WORD_FIELDS]
