"""The policy knowledge base: load once, then `ask` and `followup` from any thread.

Searching a question:
1. clean it (`bot.text.clean`: HTML, traditional characters, control characters) and refuse
   what cannot be a question, with a reason code;
2. analyse it into jieba words, official synonyms of everyday phrases (weighted
   `synonym_weight`) and character bigrams;
3. score every passage with fielded BM25, weight by passage kind, boost the policy in context;
4. keep the best passage per clause, cut a concise answer from it, and call the top result
   confident when its score and its lead over the next clear the thresholds in
   `knowledge/policy_retrieval.yml` (tuned by `python -m bot eval qa --calibrate`).
"""

from __future__ import annotations

import os
import pickle
import re
import shutil
import tempfile
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Optional, Sequence

import numpy as np

from bot.documents import sentences
from bot.policy.analysis import Analyzer, term_weights
from bot.policy.answers import (
    EMPTY,
    FOLLOWUP_CLAUSE,
    FOLLOWUP_DIFFERENCE,
    FOLLOWUP_VALIDITY,
    NO_CONTENT,
    NO_MATCH,
    NO_PREVIOUS,
    NOT_CHINESE,
    TOO_LONG,
    Answer,
    Result,
    best_sentences,
    gives_value,
    truncate,
    with_value,
)
from bot.policy.gate import gives_asked, known_parts, score_unit
from bot.policy.index import FieldedBM25
from bot.policy.loader import is_published_file
from bot.policy.model import TERM_FIELD, Policy
from bot.policy.params import RetrievalParams
from bot.policy.passages import (
    PASSAGE_KINDS,
    Passage,
    PassageTable,
    clause_passage,
    lead_in_sentence,
    policy_passages,
)
from bot.policy.places import Regions
from bot.policy.qtypes import QuestionType, compile_types, detect, matches
from bot.policy.segments import (
    DOCUMENT_FIELDS,
    SegmentStore,
    analyzer_fingerprint,
    files_digest,
    iter_texts,
    policy_paths,
)
from bot.policy.selection import answer_fit, fit_order
from bot.policy.situations import meets, stated
from bot.policy.sounds import Sounds, common_pairs, respelled
from bot.policy.versions import differences, interpretation_links, supersessions
from bot.text import clean, has_content

Query = dict[str, dict[str, float]]
_NAMED_POLICY = re.compile(r"^《([^》]{2,120})》\s*(.*)$", re.DOTALL)
_TITLED = re.compile(r"《[^》]*》")
_TITLE_SPLIT = re.compile(r"(《[^》]*》)")
_CHOICE_DEPTH = 3
"""Results looked at beyond top_k for a second policy fitting as well as the first."""
_COVERED = 20
"""The best passages whose coverage of the question is looked at (`coverage_weight`): each
is made from its policy, which costs where thousands of policies are not all cached."""
_SITUATED = 40
"""The best passages looked at for a condition the asker's stated case meets (few questions
state one, and the clause for their case often ranks below the general rule's)."""
_CONTRASTED = _COVERED
"""The best passages whose document's passages are told apart by the question's words
(`contrast_weight`): the same ones coverage looked at, their texts made once."""
_NOT_SHORTENED = frozenset("不没别未无非")
_NUMERALS = frozenset("零〇一二三四五六七八九十百千万两几半")
_REFERRING = ("那", "这个", "这项", "它", "该政策", "这个政策", "还有")
_HELD_TERMS = 4096
"""Question words whose titles holding them (`_titles_holding`) a knowledge base keeps."""


class KnowledgeBase:
    """Policies and their search index. Immutable after construction, so safe to share."""

    def __init__(
        self,
        policies: Sequence[Policy],
        analyzer: Analyzer,
        params: RetrievalParams,
        parts: Optional[tuple[PassageTable, FieldedBM25, FieldedBM25]] = None,
    ) -> None:
        """Indexed from `policies`, or with `parts` (passage table, passage index, document
        index) built by `bot.policy.segments` or read back by `open`."""
        self.policies: tuple[Policy, ...] = tuple(policies)
        self.analyzer = analyzer
        self.params = params
        self._by_id = {policy.id: policy for policy in self.policies}
        self._by_title = {policy.title: policy.id for policy in reversed(self.policies)}
        self._policy_index = {policy.id: i for i, policy in enumerate(self.policies)}
        self._variants = frozenset(variant for variant, _ in analyzer.synonyms.variants)
        self.question_types = compile_types(params.question_types)
        if parts is None:
            passages = [p for policy in self.policies for p in policy_passages(policy)]
            table = PassageTable.build(self.policies, passages, self.question_types)
            analysed = self.analyse(passages)
            self.index = FieldedBM25(
                analysed, params.field_weights, params.k1, params.b, params.max_df, params.max_df_from
            )
            self.documents = FieldedBM25(
                self._document_terms(passages, table.policy_number, analysed),
                DOCUMENT_FIELDS,
                params.k1,
                params.b,
            )
        else:
            table, self.index, self.documents = parts
        self.passages: PassageTable = table
        self._policy_number = table.policy_number
        self._owners = np.asarray(table.policy_number, dtype=np.intp)
        """Each passage's policy number as numpy indexes with (no conversion per question)."""
        kind_weights = np.array([params.kind_weights.get(kind, 1.0) for kind in PASSAGE_KINDS])
        self._kind_weight = kind_weights[table.kinds]
        self.superseded_by = supersessions(self.policies)
        self.interpretations = interpretation_links(self.policies)
        self._regions = np.full(len(self.policies), -2, dtype=np.int32)
        """Per policy, its region (bot/policy/places.py; -1 national or general); -2 until
        first looked at."""

    def save(self, folder: Path) -> None:
        """The index as arrays (`*.npy`, loaded memory-mapped) beside one small pickle of the
        policies, the analyzer's recipe and the vocabularies, in the new folder `folder`."""
        folder.mkdir(parents=True)
        self.passages.save(folder)
        state = {
            "index": self.index.save(folder, "index"),
            "documents": self.documents.save(folder, "documents"),
        }
        with (folder / "state.pickle").open("wb") as out:
            pickle.dump(state, out, protocol=pickle.HIGHEST_PROTOCOL)
        with (folder / "library.pickle").open("wb") as out:
            pickle.dump(
                (self.policies, self.analyzer, self.params), out, protocol=pickle.HIGHEST_PROTOCOL
            )

    @classmethod
    def open(cls, folder: Path, built: Optional[KnowledgeBase] = None) -> KnowledgeBase:
        """The knowledge base `save` wrote into `folder` (`built`: the one just saved there,
        whose policies and analyzer are taken rather than read back)."""
        if built is None:
            policies, analyzer, params = _read_pickle(folder / "library.pickle")
        else:
            policies, analyzer, params = built.policies, built.analyzer, built.params
        state = _read_pickle(folder / "state.pickle")
        parts = (
            PassageTable.load(folder, policies),
            FieldedBM25.load(folder, "index", state["index"]),
            FieldedBM25.load(folder, "documents", state["documents"]),
        )
        return cls(policies, analyzer, params, parts)

    @classmethod
    def analysis_shell(cls, analyzer: Analyzer, policy: Policy) -> KnowledgeBase:
        """An unindexed knowledge base of one policy, enough for `analyse` and
        `_document_terms` (how `bot.policy.segments` analyses a policy file)."""
        shell = cls.__new__(cls)
        shell.analyzer = analyzer
        shell.policies = (policy,)
        return shell

    @classmethod
    def load(
        cls,
        knowledge_dir: Path | str,
        cache_dir: Optional[Path] = None,
        published_dir: Optional[Path] = None,
    ) -> KnowledgeBase:
        """The knowledge base of `knowledge_dir`, from its persisted index when one is current.

        Building the index for thousands of documents takes minutes; loading it takes seconds:
        the postings are arrays memory-mapped from `cache_dir/kb-<fingerprint>/` (shared by all
        processes on the machine), the passages are made from the policies when shown. The
        fingerprint covers every file the index was built from (and this package's code), so
        any change to the library builds a fresh one.
        """
        root = Path(knowledge_dir)
        cache = cache_dir or Path(tempfile.gettempdir()) / "zhoushan-kb"
        target = cache / f"kb-{library_fingerprint(root, published_dir)}"
        try:
            return cls.open(target)
        except (OSError, KeyError, ValueError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            pass
        kb = cls.build(root, cache_dir, published_dir)
        cache.mkdir(parents=True, exist_ok=True)
        staged = Path(tempfile.mkdtemp(dir=cache, prefix="staged-"))
        kb.save(staged / "kb")
        try:
            (staged / "kb").replace(target)
        except OSError:  # a broken one, or another process's build of the same library
            try:
                target.replace(staged / "old")
                (staged / "kb").replace(target)
            except OSError:
                pass
        shutil.rmtree(staged, ignore_errors=True)
        for old in cache.glob("kb-*"):
            if old.is_dir() and old != target:
                shutil.rmtree(old, ignore_errors=True)
            elif old.suffix == ".pickle":
                old.unlink(missing_ok=True)
        try:
            return cls.open(target, built=kb)
        except OSError:
            return kb

    @classmethod
    def build(
        cls,
        knowledge_dir: Path | str,
        cache_dir: Optional[Path] = None,
        published_dir: Optional[Path] = None,
    ) -> KnowledgeBase:
        """Policies from `<knowledge_dir>/policies/`, dictionaries, synonyms and settings beside them.

        `published_dir` holds the entries `kb import` took through review, written from the
        register (`bot.policy.publication`); only those with a `published_version` are read,
        and one replaces the bundled entry of the same id.
        Raises `bot.policy.loader.PolicyFileError` (file and line of each problem) when a
        policy file is malformed. `cache_dir` keeps jieba's compact dictionary between runs, and
        each policy file's parsed and analysed segment (`bot.policy.segments`): only files
        changed since the last build are parsed and analysed again.
        """
        root = Path(knowledge_dir)
        cache = cache_dir or Path(tempfile.gettempdir()) / "zhoushan-kb"
        reviewed = []
        if published_dir is not None and published_dir.is_dir():
            reviewed = [path for path in policy_paths(published_dir) if is_published_file(path)]
        store = SegmentStore(cache / "segments", policy_paths(root / "policies"), reviewed)
        policies = store.policies()
        analyzer = Analyzer.build(
            root / "dictionary",
            root / "policy_stopwords.txt",
            root / "synonyms.yml",
            iter_texts(policies),
            cache_dir,
            corpus_chars=store.corpus_chars,
        )
        params = RetrievalParams.load(root / "policy_retrieval.yml")
        analyzer.regions = Regions.load(root / "regions.tsv", params.home)
        analyzer.sounds = Sounds.load(root / "pinyin.tsv")
        parts = store.merge(analyzer, params, analyzer_fingerprint(analyzer, root))
        return cls(policies, analyzer, params, parts)

    def policy(self, policy_id: Optional[str]) -> Optional[Policy]:
        return self._by_id.get(policy_id) if policy_id else None

    def ask(
        self,
        question: object,
        top_k: int = 3,
        context_policy_id: Optional[str] = None,
        today: Optional[date] = None,
    ) -> Answer:
        """Best answers to `question`; passages of `context_policy_id` are preferred."""
        text, reason = self._prepare(question)
        if reason:
            return Answer(question=text, reason=reason)
        named = _NAMED_POLICY.match(text)
        if named and named.group(1) in self._by_title and named.group(2).strip():
            return self.search(named.group(2), self._by_title[named.group(1)], top_k, today)
        typed, text = text, self.heard(text)
        query = self.query(text)[0]
        matched, scores = self._weighed(query, context_policy_id, today, text)
        asked = detect(text, self.question_types)
        matched, scores = self._rerank(matched, scores, text, asked)
        ranked = self._ranked(matched, scores, top_k + _CHOICE_DEPTH if top_k > 0 else 0)
        ranked = self._part_first(ranked, query["section"])
        if not ranked:
            return Answer(question=typed, reason=NO_MATCH, out_of_library=True)
        shown = [i for i, _ in ranked]  # the passage of each result, in the results' order
        results = [
            self._result(self.passages[i], score, query, today, asked)
            for i, score in ranked
        ]
        if not self._asked_part(ranked[0][0], query["section"]):  # it keeps its place
            order = self._fit_order(text, results)
            results, shown = [results[i] for i in order], [shown[i] for i in order]
        results = self._valued_answers(text, results, shown, query, today, asked, top_k)
        if self.outside_library(text, results[0]):
            return Answer(question=typed, results=tuple(results[:top_k]), out_of_library=True)
        covered = self.coverage(text, results[0].policy_id)
        runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
        margin = (ranked[0][1] - runner_up) / ranked[0][1]
        confident = (
            self.is_confident(results[0].score, margin)
            and results[0].score >= self.params.confidence.answer_score * self.score_unit
            and covered >= self.params.confidence.min_coverage
            and self.anchored(text, results[0])
            and gives_asked(
                f"{results[0].answer}\n{results[0].text}",
                asked,
                self.params.confidence.value_types,
                self.params.confidence.counted,
            )
        )
        results[0] = replace(results[0], confident=confident)
        choices = self._choices(results, context_policy_id)
        return Answer(question=typed, results=tuple(results[:top_k]), choices=choices)

    def heard(self, text: str) -> str:
        """`text` with the pairs of characters voice input or a pinyin keyboard wrote for a word
        of the library of the same sound read as that word (正务 → 政务, 法布会 → 发布会:
        bot/policy/sounds.py); as typed when `homophones` is off or the readings are missing."""
        sounds = getattr(self.analyzer, "sounds", None)
        if not self.params.homophones or not sounds:
            return text
        words = self._sounding(sounds)
        spans: Optional[list[tuple[int, int]]] = None

        def kept(position: int) -> bool:  # inside an everyday phrase the synonyms know
            nonlocal spans
            if spans is None:  # each run of the text that is a variant (a set lookup each)
                longest = self.__dict__.get("_longest_variant")
                if longest is None:
                    longest = self._longest_variant = max(map(len, self._variants), default=0)
                spans = [
                    (start, start + length)
                    for start in range(len(text))
                    for length in range(2, min(longest, len(text) - start) + 1)
                    if text[start : start + length] in self._variants
                ]
            return any(start <= position < end for start, end in spans)

        return respelled(
            text,
            sounds,
            words,
            lambda part: len(
                self.documents.postings("bigrams" if len(part) == 2 else "words", part)
            )
            > 0,
            lambda word: len(self.documents.postings("words", word)),
            lambda word: self.analyzer.tokenizer.FREQ.get(word, 0) or 0,
            [(start, end) for _, start, end in self.analyzer.tokenizer.tokenize(text, HMM=False)],
            kept,
            lambda char: char in self.analyzer.stopwords,
        )

    def _sounding(self, sounds: Sounds) -> dict:
        """The library's words by the ways they sound, built once (on the first question, or
        by `warm`)."""
        words = self.__dict__.get("_by_sound")
        if words is None:
            words = sounds.by_sound(self.documents.terms("words"))
            self._by_sound = words
        return words

    def warm(self) -> None:
        """Build now what the first question would otherwise wait for: the library's words by
        sound and jieba's list of two-character words (`heard`)."""
        sounds = getattr(self.analyzer, "sounds", None)
        if self.params.homophones and sounds:
            self._sounding(sounds)
            common_pairs()

    def _valued_answers(
        self,
        text: str,
        results: list[Result],
        shown: Sequence[int],
        query: Query,
        today: Optional[date],
        asked: Sequence[QuestionType],
        top_k: int,
    ) -> list[Result]:
        """The results (in their final order) with concise answers giving the value asked for
        (a time, an amount …) or meeting the asker's stated case when a sentence of the
        passage does and covers enough of the question (`answer_value_ratio`). Made after the
        order is settled, so the order (by answers chosen for the words) stays as it was; only
        the `top_k` shown are remade, and only those whose answer lacks the value."""
        values = self.params.confidence.value_types
        cases = stated(text) if self.params.answer_case and self.params.situation_weight else []
        valued = [kind for kind in asked if kind.name in values]
        if self.params.answer_value_ratio <= 0 or not (cases or valued):
            return results
        remade = list(results)
        for position, result in enumerate(results[:top_k]):
            if not cases and gives_value(result.answer, valued):
                continue
            passage = self.passages[shown[position]]
            again = self._result(passage, result.score, query, today, asked, valued, cases)
            remade[position] = replace(result, answer=again.answer)
        return remade

    def _fit_order(self, text: str, results: list[Result]) -> list[int]:
        """The results' order with the one whose concise answer best fits the question first,
        among those scoring about as well as the first (bot/policy/selection.py)."""
        weight = self.params.fit_weight
        if weight <= 0 or len(results) < 2:
            return list(range(len(results)))
        rarities = self._rarities(text)
        fits = [answer_fit(r.answer, rarities) for r in results]
        return fit_order([r.score for r in results], fits, self.params.fit_ratio, weight)

    def _part_first(
        self, ranked: list[tuple[int, float]], cued: dict[str, float]
    ) -> list[tuple[int, float]]:
        """A question asking by its phrasing for a part of 解读材料 ("出台的背景", "讲了哪些
        内容") gets that part first when it scores about as well as the first passage."""
        if not cued or not ranked or self._asked_part(ranked[0][0], cued):
            return ranked
        floor = self.params.part_ratio * ranked[0][1]
        for position, (index, score) in enumerate(ranked[1:], 1):
            if score < floor:
                break
            if self._asked_part(index, cued):
                return [ranked[position], *ranked[:position], *ranked[position + 1 :]]
        return ranked

    def _asked_part(self, index: int, cued: dict[str, float]) -> bool:
        """Whether passage `index` is a part of 解读材料 the question asks for by its phrasing."""
        passage = self.passages[index]
        return passage.kind == "interpretation" and passage.section in cued

    def _weighed(
        self,
        query: Query,
        context_policy_id: Optional[str],
        today: Optional[date],
        text: str = "",
    ) -> tuple[np.ndarray, np.ndarray]:
        """The passages matching `query` (ascending) and their scores: BM25 weighted by passage
        kind, by how well the whole document matches, by the policy in context, and down when
        outdated."""
        matched, scores = self._matched(query)
        numbers = self._owners[matched]
        documents = self._document_scores(query, text)
        # each factor taken per policy, then per passage: the same products, in place
        scores *= (1 + self.params.document_weight * documents)[numbers]
        if context_policy_id in self._by_id:
            scores[numbers == self._policy_index[context_policy_id]] *= self.params.context_boost
        # outdated: only the few passages of replaced or expired policies (× 1 changes nothing)
        outdated, weights = self._outdated_passages(today)
        at = np.searchsorted(matched, outdated)
        held = at < len(matched)
        at, outdated, weights = at[held], outdated[held], weights[held]
        held = matched[at] == outdated
        scores[at[held]] *= weights[held]
        return matched, scores

    def _matched(self, query: Query) -> tuple[np.ndarray, np.ndarray]:
        """The passages matching `query` (ascending) and their BM25 scores weighted by passage
        kind. Every other passage scores 0 and no weight raises it, so a question's further
        weighing and ranking look at these alone, not at the whole library."""
        scores = self.index.scores(query)
        matched = np.flatnonzero(scores > 0)
        scores *= self._kind_weight  # over every passage at once: cheaper than gathering it
        return matched, scores[matched]

    def _rerank(
        self, matched: np.ndarray, scores: np.ndarray, text: str, asked: Sequence[QuestionType]
    ) -> tuple[np.ndarray, np.ndarray]:
        """The best passages (of `matched`, scoring `scores`) with their scores refined by what
        only a short list can afford to look at; among them the best now are.

        - Title: the question's words in a document's title (its subject, its place, its
          issuer) count for the whole document (`title_weight`, share weighted by rarity).
        - Question type: a passage matching what the question asks for (a time, an amount,
          materials …) gains that type's boost, the boosts of all it matches when the question
          asks for several (罚多少: a penalty and an amount; bot/policy/qtypes.py).
        - Place: another place's rules count less than those that hold where the question is
          about (bot/policy/places.py, `_place_factors`).
        - Situation: among the best few (`_COVERED`), a passage holding a condition the asker's
          stated case meets (上班十五年了: 已满10年不满20年的) gains `situation_weight`
          (bot/policy/situations.py).
        - Coverage: among the best few (`_COVERED`) so far, a passage holding more of the question's
          words (weighted by rarity) keeps more of its score (`coverage_weight`): one holding
          them all keeps it whole; the others looked at count as holding none.
        Only the top `4 × candidates` passages are looked at and ranked; the rest keep their
        scores. A passage holding all of the question's words among rules that hold keeps or
        raises its score, so the confidence thresholds keep their meaning.
        """
        params = self.params
        placed = params.place_weight or params.named_place_weight or params.local_weight
        if not (
            params.title_weight or asked or placed or params.coverage_weight or params.situation_weight
        ):
            return matched, scores
        top = scores
        if not (len(top) and top.min() > 0):  # a weight of 0 (or a NaN) left some out
            positive = scores > 0
            matched, top = matched[positive], scores[positive]
        limit = 4 * params.candidates
        if len(matched) > limit:
            best = best_positions(top, limit)
            matched, top = matched[best], top[best]
        if not len(matched):
            return matched, top
        numbers = self._policy_number[matched]
        factor = np.ones(len(matched))
        if params.title_weight:
            titles = self._title_shares(text, np.unique(numbers))
            factor *= 1 + params.title_weight * titles[numbers]
        policies = np.unique(numbers)
        if placed and len(policies) > 1:  # within one policy (a follow-up) the place says nothing
            factor *= self._place_factors(text, policies)[numbers]
        inner = np.zeros(len(matched))  # the boosts of types that order a document's passages
        if asked:
            masks = self.passages.types[matched]
            boost = np.zeros(len(matched))
            for number, kind in enumerate(self.question_types):
                if kind in asked:
                    gained = np.where(masks & (1 << number), kind.boost, 0.0)
                    if kind.within:
                        inner += gained
                    else:
                        boost += gained
            factor *= 1 + boost
        spans = stated(text) if params.situation_weight else []
        texts: dict[int, str] = {}  # passages made for the situation, looked at again for coverage
        if spans:
            best = np.argsort(-(top * factor), kind="stable")[:_SITUATED]
            texts = {i: self.passages[i].text for i in matched[best].tolist()}
            met = np.array([meets(texts[i], spans) for i in matched[best].tolist()])
            factor[best[met]] *= 1 + params.situation_weight
        if params.coverage_weight:
            best = np.argsort(-(top * factor), kind="stable")[:_COVERED]
            shares = np.zeros(len(matched))
            shares[best] = self._coverage_shares(text, matched[best], texts)
            factor *= (1 + params.coverage_weight * shares) / (1 + params.coverage_weight)
        if params.contrast_weight or inner.any():
            scored = top * factor
            best = np.argsort(-scored, kind="stable")[:_CONTRASTED]
            owners = numbers[best]
            for owner in np.unique(owners).tolist():
                group = best[owners == owner]
                if len(group) < 2:
                    continue
                raised = scored[group] * (1 + inner[group])
                if params.contrast_weight:
                    shares = self._contrast_shares(text, matched[group], texts)
                    raised *= 1 + params.contrast_weight * shares
                # the document's best keeps its score: this orders its passages, not documents
                raised *= scored[group].max() / raised.max()
                factor[group] = raised / top[group]
        return matched, top * factor

    def _contrast_shares(
        self, text: str, indices: np.ndarray, texts: Optional[dict[int, str]] = None
    ) -> np.ndarray:
        """Per passage (of `indices`, the best few): share of the question's words it holds,
        each word weighted by its rarity and by how few of these passages hold it: a word
        all of them hold (the document's subject, 年休假 in every clause of its rule) tells
        them apart no more than one none holds, so the passage holding the words that set it
        apart (新进, 病假) rises."""
        rarities = self._rarities(text, placeless=self.params.placeless_contrast)
        if not rarities or not len(indices):
            return np.zeros(len(indices))
        made = {} if texts is None else texts
        bodies = [self._text_of(i, made).lower() for i in indices.tolist()]
        holds = np.array(
            [[any(t in body for t in alternatives) for alternatives, _ in rarities] for body in bodies],
            dtype=bool,
        )
        rarity = np.array([r for _, r in rarities])
        weights = rarity * (1 - holds.mean(axis=0))
        total = weights.sum()
        if total <= 0:
            return np.zeros(len(indices))
        return (holds * weights).sum(axis=1) / total

    def _rarities(
        self, text: str, placeless: bool = False
    ) -> list[tuple[tuple[str, ...], float]]:
        """(alternatives, rarity) of each content word of `text`: BM25's IDF over documents
        (ranking, the answer's fit and the gate all ask; the last few questions' are kept).
        `placeless`: without the words of the places the question names (济南, 槐荫区)."""
        if placeless:
            # a place inside a quoted title (根据《舟山市…条例》) is the title's, not the asker's
            outside = _TITLED.sub("", text.lower())
            places = self.analyzer.regions.surfaces_named(outside)
            if places:
                found = re.compile("|".join(map(re.escape, places)))
                text = "".join(
                    part if part.startswith("《") else found.sub("，", part)
                    for part in _TITLE_SPLIT.split(text.lower())
                )
            return self._rarities(text)
        cache = self.__dict__.setdefault("_rarity_cache", {})
        if text in cache:
            return cache[text]
        size = self.documents.size
        weighted = []
        for field, alternatives in self._coverage_terms(text):
            count = max((len(self.documents.postings(field, t)) for t in alternatives), default=0)
            weighted.append((alternatives, float(np.log(1 + (size - count + 0.5) / (count + 0.5)))))
        if len(cache) >= 256:
            cache.clear()
        cache[text] = weighted
        return weighted

    def _title_shares(self, text: str, numbers: np.ndarray) -> np.ndarray:
        """Per document (of `numbers`): share of the question's words, by rarity, its title holds."""
        weighted = self._rarities(text)
        total = sum(rarity for _, rarity in weighted) or 1.0
        held = np.zeros(len(numbers))
        for alternatives, rarity in weighted:
            holds = np.zeros(len(self.policies), dtype=bool)
            for term in alternatives:
                holds[self._titles_holding(term)] = True
            held += np.where(holds[numbers], rarity, 0.0)
        shares = np.zeros(len(self.policies))
        shares[numbers] = held / total
        return shares

    def _titles_holding(self, term: str) -> np.ndarray:
        """Numbers of the policies whose title (lower case) contains `term`, found in all the
        titles at once and kept for the next questions (titles never change)."""
        cache = self.__dict__.setdefault("_holders", {})
        found = cache.get(term)
        if found is None:
            titles = self.__dict__.get("_titles")
            if titles is None:
                lowered = [policy.title.lower() for policy in self.policies]
                starts = np.cumsum([0] + [len(title) + 1 for title in lowered[:-1]])
                titles = self._titles = ("\x00".join(lowered), starts)
            text, starts = titles
            at = [found.start() for found in re.finditer(re.escape(term), text)]
            found = np.unique(np.searchsorted(starts, at, side="right") - 1)
            if len(cache) >= _HELD_TERMS:
                cache.clear()
            cache[term] = found
        return found

    def _coverage_shares(
        self, text: str, indices: np.ndarray, texts: Optional[dict[int, str]] = None
    ) -> np.ndarray:
        """Per passage (of `indices`): share of the question's words, by rarity, its text holds
        (`texts`: those already made, by passage number)."""
        rarities = self._rarities(text)
        made = {} if texts is None else texts
        return np.array(
            [answer_fit(self._text_of(i, made), rarities) for i in indices.tolist()]
        )

    def _text_of(self, index: int, made: dict[int, str]) -> str:
        """Passage `index`'s text, made once per question (`made`: those made so far)."""
        if index not in made:
            made[index] = self.passages[index].text
        return made[index]

    def _place_factors(self, text: str, numbers: np.ndarray) -> np.ndarray:
        """Per document (of `numbers`): 1 + up to `local_weight` (the more local, the more: home
        city over province over national) when its rules hold where the question is about
        (national, or that place's, a region's above or inside it; home when it names none);
        1 / (1 + `place_weight`) for another place's, or 1 / (1 + `named_place_weight`) when the
        question names its place. Scores of the rules that hold keep their scale, so the
        confidence thresholds keep their meaning."""
        regions, params = self.analyzer.regions, self.params
        line, named = regions.asked(text)
        weight = params.named_place_weight if named else params.place_weight
        factors = np.full(len(self.policies), 1 / (1 + weight))
        local_weight = params.local_weight
        if named and params.named_local_weight is not None and not regions.inside_home(named):
            local_weight = params.named_local_weight
        of_numbers = np.array([self._region_of(number) for number in numbers.tolist()], dtype=np.int32)
        for region in np.unique(of_numbers).tolist():
            position = regions.applies(region, line, named)
            if position is not None:
                local = (len(line) - position) / len(line) if line else 0.0
                factors[numbers[of_numbers == region]] = 1 + local_weight * local
        return factors

    def _region_of(self, number: int) -> int:
        """The policy's region (bot/policy/places.py), found the first time it is asked for."""
        region = int(self._regions[number])
        if region < -1:
            policy = self.policies[number]
            region = self.analyzer.regions.of_document(
                (policy.title, policy.issuer, policy.doc_no),
                lambda: self._mentioned_regions().get(number, ()),
            )
            self._regions[number] = region
        return region

    def _mentioned_regions(self) -> dict[int, list[int]]:
        """Policy number → the regions its text names (from the document index's words),
        built the first time a document's title and issuer name none."""
        mentioned = self.__dict__.get("_mentioned")
        if mentioned is None:
            regions = self.analyzer.regions
            mentioned = {}
            for surface in regions.surfaces():
                holders = self.documents.postings("words", surface)
                places = regions.holders(surface)
                if len(holders) and len(places) == 1:  # a shared name says nothing here
                    for number in holders.tolist():
                        mentioned.setdefault(number, []).extend(places)
            self._mentioned = mentioned
        return mentioned

    def _document_terms(
        self,
        passages: Sequence[Passage],
        policy_number: np.ndarray,
        analysed: list[dict[str, list[str]]],
    ) -> list[dict[str, list[str]]]:
        """Each policy's words and bigrams, once per clause (sentences repeat their clause).
        Asked questions are left out: the words citizens used are not what the policy holds
        (the document's score, how rare a word is, coverage and anchoring stay the text's)."""
        documents: list[dict[str, list[str]]] = [
            {"words": [], "bigrams": []} for _ in self.policies
        ]
        for passage, terms, number in zip(passages, analysed, policy_number, strict=True):
            if passage.kind == "sentence" or passage.asked:
                continue
            target = documents[number]
            for name in ("title", "body", "question", "answer", "notes"):
                target["words"].extend(terms.get(name, ()))
            target["bigrams"].extend(terms["bigrams"])
        for policy, target in zip(self.policies, documents, strict=True):
            title_terms = self.analyzer.words(policy.title)
            target["words"].extend(title_terms * 3)
        return documents

    def _document_scores(self, query: Query, text: str = "") -> np.ndarray:
        """Whole-document BM25 of the question per policy, scaled to 0..1: the right document
        holds all of the question's words, if not in one passage. An everyday phrase and its
        official terms are alternatives (`alternatives`): a document counts the best of them,
        not their sum, so an FAQ saying 老人 and 老年人 is not twice about old people."""
        source = {"words": query["body"], "bigrams": query["bigrams"]}
        concepts = self._concepts(text) if text and self.params.alternatives else []
        scores = alternative_scores(self.documents, source, concepts)
        top = scores.max() if len(scores) else 0.0
        if top <= 0:
            return np.zeros(len(self.policies))
        return scores / top

    def coverage(self, text: str, policy_id: str) -> float:
        """Share of the question's words (weighted by rarity) that the policy's text contains.

        BM25 scores grow with any shared word, so a question about something the library lacks
        ("跨海大桥过桥费") still scores high on its common words (舟山, 多少钱); what it lacks is
        its rare words. Words are jieba's whole words (an everyday variant counts as found when
        one of its official terms is); characters jieba left single are taken in runs ("船票"),
        looked up as character pairs. A word the library never saw counts as the rarest.
        """
        number = self._policy_index.get(policy_id)
        if number is None:
            return 0.0
        size = self.documents.size
        total = covered = 0.0
        for field, alternatives in self._coverage_terms(text):
            holders = [self.documents.postings(field, term) for term in alternatives]
            count = max((len(h) for h in holders), default=0)
            rarity = float(np.log(1 + (size - count + 0.5) / (count + 0.5)))
            total += rarity
            if any(len(h) and bool((h == number).any()) for h in holders):
                covered += rarity
        return covered / total if total else 1.0

    @property
    def score_unit(self) -> float:
        """Scores grow with the library's size; thresholds in this unit hold at any size."""
        return score_unit(self.index.size)

    def outside_library(self, text: str, result: Result) -> bool:
        """Whether the library holds nothing on the question, `result` being its best
        (bot/policy/gate.py)."""
        thresholds = self.params.confidence
        if result.score < thresholds.library_score * self.score_unit:
            return True
        held = answer_fit(f"{result.policy}\n{result.clause}\n{result.text}", self._rarities(text))
        return held < thresholds.passage_coverage

    def anchored(self, text: str, result: Result) -> bool:
        """Whether the answering passage holds the question's specific words, not one of many.

        A question can share its specific words with a policy that mentions them in different
        places: the document is covered, yet the passage offered is about something else.
        The answer is anchored when the policy's title holds one of the question's specific
        words, or when the answering passage holds at least half of those the policy holds.
        Specific: held by at most `specific_share` of the documents.
        """
        number = self._policy_index.get(result.policy_id)
        if number is None:
            return False
        limit = max(1.0, self.params.confidence.specific_share * self.documents.size)
        passage = result.text.lower()
        in_policy = in_passage = 0
        for field, alternatives in self._coverage_terms(text):
            holders = [self.documents.postings(field, term) for term in alternatives]
            held = [h for h in holders if len(h) and bool((h == number).any())]
            if not held or min(len(h) for h in held) > limit:
                continue
            if field == "words" and any(term in result.policy for term in alternatives):
                return True
            in_policy += 1
            in_passage += any(term in passage for term in alternatives)
        return 2 * in_passage >= in_policy

    def _coverage_terms(self, text: str) -> list[tuple[str, tuple[str, ...]]]:
        """(field, alternatives) for each content word of `text` (see `coverage`); the last
        few questions' are kept, as ranking, coverage and anchoring all ask for them."""
        cache = self.__dict__.setdefault("_terms_cache", {})
        if text in cache:
            return cache[text]
        analyzer = self.analyzer
        canonical = self.__dict__.get("_canonical")
        if canonical is None:
            canonical = self._canonical = dict(analyzer.synonyms.variants)
        terms: list[tuple[str, tuple[str, ...]]] = []

        def held(word: str) -> bool:
            return bool(len(self.documents.postings("words", word)))

        run = ""
        tokens = [token for token, _, _ in analyzer.question_tokens(text.lower())]
        for token in [*tokens, "。"]:
            if len(token) == 1 and "\u4e00" <= token <= "\u9fff" and token not in analyzer.stopwords:
                run += token
                continue
            if len(run) >= 2:
                terms.append(("bigrams", tuple(analyzer.bigrams(run)) or (run,)))
            run = ""
            if len(token) < 2 or token in analyzer.stopwords or not analyzer.has_chinese(token):
                continue
            if any(held(t) for t in canonical.get(token, ())):
                terms.append(("words", (token, *canonical[token])))
                continue
            for word in known_parts(token, held, analyzer.tokenizer.FREQ, analyzer.stopwords):
                terms.append(("words", (word, *canonical.get(word, ()))))
        if len(cache) >= 256:
            cache.clear()
        cache[text] = terms
        return terms

    def _outdated_weights(self, today: Optional[date]) -> np.ndarray:
        """Per policy: 1, or `outdated_weight` when it is replaced or expired (cached per day)."""
        day = today or date.today()
        cached = self.__dict__.get("_outdated")
        if cached is not None and cached[0] == day:
            return cached[1]
        weight = self.params.outdated_weight
        weights = np.array(
            [
                weight if policy.id in self.superseded_by or policy.is_expired(day) else 1.0
                for policy in self.policies
            ]
        )
        self._outdated = (day, weights)
        return weights

    def _outdated_passages(self, today: Optional[date]) -> tuple[np.ndarray, np.ndarray]:
        """The passages (ascending) whose policy's `_outdated_weights` is not 1, and that
        weight (cached per day)."""
        day = today or date.today()
        cached = self.__dict__.get("_outdated_at")
        if cached is not None and cached[0] == day:
            return cached[1]
        weights = self._outdated_weights(day)[self._owners]
        passages = np.flatnonzero(weights != 1.0)
        found = (passages, weights[passages])
        self._outdated_at = (day, found)  # one assignment: another thread sees old or new
        return found

    def _choices(
        self, results: list[Result], context_policy_id: Optional[str]
    ) -> tuple[tuple[str, str], ...]:
        """(policy id, title) of two different policies fitting about equally, else ()."""
        if len(results) < 2 or context_policy_id:
            return ()
        first = results[0]
        second = next((r for r in results[1:] if r.policy_id != first.policy_id), None)
        if second is None or first.score <= 0:
            return ()
        if second.score / first.score < self.params.tie_ratio or first.policy == second.policy:
            return ()
        return ((first.policy_id, first.policy), (second.policy_id, second.policy))

    def search(
        self, question: str, policy_id: str, top_k: int = 3, today: Optional[date] = None
    ) -> Answer:
        """`ask` restricted to one policy (a chosen button, a follow-up, a policy page)."""
        text, reason = self._prepare(question)
        if reason:
            return Answer(question=text, reason=reason)
        query = self.query(text)[0]
        matched, scores = self._matched(query)
        own = self._policy_number[matched] == self._policy_index.get(policy_id, -1)
        asked = detect(text, self.question_types)
        ranked = self._ranked(*self._rerank(matched[own], scores[own], text, asked), top_k)
        if not ranked:
            return Answer(question=text, reason=NO_MATCH)
        results = [
            self._result(self.passages[i], score, query, today, asked)
            for i, score in ranked
        ]
        results[0] = replace(
            results[0], confident=results[0].score >= self.params.confidence.min_score
        )
        return Answer(question=text, results=tuple(results))

    def followup(
        self,
        question: object,
        previous: Optional[Answer],
        top_k: int = 3,
        today: Optional[date] = None,
    ) -> Answer:
        """Answer a question asked after `previous`.

        "具体是哪一条？" gets the full clause behind the previous answer and "还有效吗？" its
        policy's validity; anything else is asked with the previous answer's policy in context.
        """
        text, reason = self._prepare(question)
        if reason:
            return Answer(question=text, reason=reason)
        kind = self._followup_kind(text)
        best = previous.best if previous else None
        if kind and best is None:
            return Answer(question=text, reason=NO_PREVIOUS)
        if kind == FOLLOWUP_CLAUSE and best is not None:
            return self._clause_answer(text, best, today)
        if kind == FOLLOWUP_VALIDITY and best is not None:
            return self._validity_answer(text, best, today)
        if kind == FOLLOWUP_DIFFERENCE and best is not None:
            return self._difference_answer(text, best)
        if best is not None and (
            len(text) <= self.params.max_followup_chars or text.startswith(_REFERRING)
        ):
            scoped = self.search(text, best.policy_id, top_k, today)
            if scoped.results and scoped.results[0].score >= self.params.confidence.min_score:
                return scoped
        return self.ask(
            text, top_k=top_k, context_policy_id=best.policy_id if best else None, today=today
        )

    def query(self, text: str) -> tuple[Query, dict[str, float], list[str]]:
        """Index query for `text`: per-field term weights, plus the word weights and bigrams."""
        own_words, expansions = self.analyzer.analyse_question(text)
        if self.params.abbreviation_weight:
            expansions = {**expansions}
            for word in dict.fromkeys(own_words):
                for full, share in self._abbreviated(word).items():
                    expansions[full] = expansions.get(full, 0.0) + share
        words = term_weights(own_words)
        bigrams = self.analyzer.bigrams(text)
        unigrams = self.analyzer.unigrams(text)
        for phrase, share in expansions.items():
            phrase_words, phrase_bigrams, phrase_unigrams = self.analyzer.phrase(phrase)
            term_weights(phrase_words, self.params.synonym_weight * share, into=words)
            bigrams.extend(phrase_bigrams)
            unigrams.extend(phrase_unigrams)
        query: Query = {name: words for name in self.params.word_fields}
        query["bigrams"] = term_weights(bigrams)
        query["unigrams"] = term_weights(unigrams)
        query["section"] = {section: 1.0 for section in self._cued_sections(text)}
        return query, words, list(query["bigrams"])

    def _concepts(self, text: str) -> list[list[tuple[frozenset[str], frozenset[str]]]]:
        """The question's everyday phrases and shortenings with their forms
        (Analyzer.concepts); the last few questions' are kept."""
        cache = self.__dict__.setdefault("_concept_cache", {})
        if text not in cache:
            extra = {}
            if self.params.abbreviation_weight:
                own_words, _ = self.analyzer.analyse_question(text)
                for word in dict.fromkeys(own_words):
                    longer = self._abbreviated(word)
                    if longer:
                        extra[word] = list(longer)
            if len(cache) >= 256:
                cache.clear()
            cache[text] = self.analyzer.concepts(text, extra)
        return cache[text]

    def _abbreviated(self, word: str) -> dict[str, float]:
        """The library's words `word` may be a shortening of, with their shares: Chinese
        shortens a term by keeping some of its characters in order (菜市场 → 菜场, 技术人员 →
        技术员, 独生子女 → 独生女). Only for a word no document holds, not a number or a
        negation; a word of the library longer by one to three characters, starting and ending
        as it does and holding its characters in order; none when more than two fit."""
        if not 2 <= len(word) <= 3 or word in self.analyzer.stopwords or len(
            self.documents.postings("words", word)
        ):
            return {}
        if word[0] in _NOT_SHORTENED or any(c in _NUMERALS for c in word):
            return {}
        ends = self.__dict__.get("_word_ends")
        if ends is None:
            ends = {}
            for term in self.documents.terms("words"):
                if 3 <= len(term) <= 6 and "\u4e00" <= term[0] <= "\u9fff":
                    ends.setdefault((term[0], term[-1]), []).append(term)
            self._word_ends = ends
        found = []
        for full in ends.get((word[0], word[-1]), ()):
            if len(word) < len(full) <= len(word) + 3:
                rest = iter(full)
                if all(c in rest for c in word):
                    found.append(full)
        if not found or len(found) > 2:
            return {}
        weight = self.params.abbreviation_weight / len(found)
        return {full: weight for full in found}

    def is_confident(self, score: float, margin: float) -> bool:
        thresholds = self.params.confidence
        if score < thresholds.min_score:
            return False
        return margin >= thresholds.min_margin or score >= thresholds.sure_score

    def _cued_sections(self, text: str) -> list[str]:
        """解读 parts the question asks for by its phrasing (policy_retrieval.yml: interpretation_cues).
        关键词诠释 ("是什么") only when no other part is asked for: "背景是什么" asks for 背景依据."""
        cued = [
            section
            for section, cues in self.params.interpretation_cues.items()
            if any(cue in text for cue in cues)
        ]
        return [s for s in cued if s != TERM_FIELD] if len(cued) > 1 else cued

    def _prepare(self, question: object) -> tuple[str, Optional[str]]:
        limit = self.params.max_question_chars
        text = clean(question, max_chars=limit + 1)
        if not text:
            return "", EMPTY
        if not has_content(text):
            return text, NO_CONTENT
        if len(text) > limit:
            return text[:limit], TOO_LONG
        if not self.analyzer.has_chinese(text) and any(ch.isalpha() for ch in text):
            return text, NOT_CHINESE
        return text, None

    def _ranked(
        self, matched: np.ndarray, scores: np.ndarray, top_k: int
    ) -> list[tuple[int, float]]:
        """Best passage per clause (or 解读 paragraph) among `matched` (scoring `scores`), best
        first, at most `top_k`. The best `candidates` passages are looked at first; when they
        rest on fewer than `top_k` clauses (a clause's sentences, 问答 and asked questions all
        match), four times as many, and so on."""
        if top_k <= 0:
            return []
        positive = scores > 0
        matched, scores = matched[positive], scores[positive]
        pool = self.params.candidates
        while True:
            if len(matched) > pool:
                best = np.argpartition(-scores, pool - 1)[:pool]
                some, some_scores = matched[best], scores[best]
            else:
                some, some_scores = matched, scores
            ranked: list[tuple[int, float]] = []
            seen: set[int] = set()
            keys = self.passages.keys[some].tolist()
            for position in np.argsort(-some_scores, kind="stable").tolist():
                key = keys[position]
                if key not in seen:
                    seen.add(key)
                    ranked.append((int(some[position]), float(some_scores[position])))
                    if len(ranked) == top_k:
                        return ranked
            if len(some) == len(matched):
                return ranked
            pool *= 4

    def analyse(
        self, passages: Sequence[Passage], cache: Optional[dict[str, list[str]]] = None
    ) -> list[dict[str, list[str]]]:
        """Index terms of each passage, field by field.

        Texts repeat across passages (a clause's sentences are passages of their own, titles are
        shared), so words are computed per sentence once (in `cache`, which may be kept for
        the next call): jieba never joins words across 。
        """
        cache = {} if cache is None else cache

        def words(text: str) -> list[str]:
            terms = []
            for sentence in sentences(text):
                if sentence not in cache:
                    cache[sentence] = self.analyzer.words(sentence)
                terms.extend(cache[sentence])
            return terms

        analysed = []
        for passage in passages:
            terms = {name: words(text) for name, text in passage.fields.items()}
            everything = "\n".join(passage.fields.values())
            terms["bigrams"] = self.analyzer.bigrams(everything)
            terms["unigrams"] = self.analyzer.unigrams(everything)
            terms["section"] = [passage.section] if passage.section else []
            analysed.append(terms)
        return analysed

    def _result(
        self,
        passage: Passage,
        score: float,
        query: Query,
        today: Optional[date],
        asked: Sequence[QuestionType] = (),
        values: Sequence[QuestionType] = (),
        cases: Sequence = (),
    ) -> Result:
        """The result for `passage`, its concise answer chosen for the question (`query`);
        with `values` (the value types asked for) or `cases` (the asker's stated case), a
        sentence giving one or meeting it answers when it covers enough of the question
        (`answer_value_ratio`). Types ordering only a document's passages (`within`) do
        not choose the sentence."""
        asked = [kind for kind in asked if not kind.within]
        limit = self.params.max_answer_chars
        terms, bigrams, chars = query["body"], list(query["bigrams"]), list(query["unigrams"])
        valued = {
            "values": list(values),
            "value_ratio": self.params.answer_value_ratio,
            "case": (lambda sentence: meets(sentence, cases)) if cases else None,
        }
        if passage.kind == "interpretation" and passage.section in query["section"]:
            answer = truncate(passage.answer, limit)
        elif passage.asked:  # answered for a question put like this one: that answer
            answer = truncate(passage.answer, limit)
        elif passage.kind == "qa" and passage.clause is not None:
            answer = best_sentences(
                passage.clause.full_text, terms, bigrams, limit, asked, passage.answer, chars,
                **valued,
            )
        elif passage.kind in {"qa", "sentence"}:
            answer = truncate(passage.answer, limit)
            if asked and passage.clause is not None and not matches(answer, asked):
                typed = best_sentences(passage.clause.full_text, terms, bigrams, limit, asked)
                answer = typed if matches(typed, asked) else answer
            if passage.clause is not None:
                answer = with_value(
                    answer, passage.clause.full_text, terms, bigrams, limit, asked, chars, **valued
                )
        else:
            answer = best_sentences(
                passage.answer, terms, bigrams, limit, asked, chars=chars, **valued
            )
        answer = with_items(passage, answer, limit)
        result = result_for(passage, answer, score, today)
        newer = self.policy(self.superseded_by.get(passage.policy.id))
        return replace(result, superseded_by=newer.title) if newer else result

    def _followup_kind(self, text: str) -> Optional[str]:
        if len(text) > self.params.max_followup_chars:
            return None
        for kind, phrases in self.params.followups.items():
            if any(phrase in text for phrase in phrases):
                return kind
        return None

    def _clause_answer(self, text: str, previous: Result, today: Optional[date]) -> Answer:
        policy = self.policy(previous.policy_id)
        clause = policy.clause(previous.clause_id) if policy else None
        if policy is None or clause is None:
            return Answer(question=text, results=(previous,), followup=FOLLOWUP_CLAUSE)
        answer = f"出自《{policy.title}》{clause.reference}"
        result = result_for(clause_passage(policy, clause), answer, previous.score, today)
        return Answer(
            question=text, results=(replace(result, confident=True),), followup=FOLLOWUP_CLAUSE
        )

    def _difference_answer(self, text: str, previous: Result) -> Answer:
        """新旧政策差异 of the policy in context against the one it replaced."""
        policy = self.policy(previous.policy_id)
        if policy is None:
            return Answer(question=text, reason=NO_PREVIOUS)
        if policy.kind == "interpretation" and policy.interprets:
            target = next((p for p, ids in self.interpretations.items() if policy.id in ids), None)
            policy = self.policy(target) or policy
        old_id = next((old for old, new in self.superseded_by.items() if new == policy.id), None)
        explained = [self._by_id[i] for i in self.interpretations.get(policy.id, [])]
        found = differences(policy, self.policy(old_id), explained)
        old = self.policy(old_id)
        if found:
            lead = (
                f"《{policy.title}》与原《{old.title}》相比："
                if old
                else f"《{policy.title}》的新旧政策差异："
            )
            notice = lead + "\n" + truncate(found, self.params.max_answer_chars)
        else:
            notice = f"政策库里没有《{policy.title}》的旧版本，也没有它的新旧政策差异说明。"
        return Answer(
            question=text,
            results=(replace(previous, confident=True),),
            followup=FOLLOWUP_DIFFERENCE,
            notice=notice,
        )

    def _validity_answer(self, text: str, previous: Result, today: Optional[date]) -> Answer:
        policy = self.policy(previous.policy_id)
        if policy is None:
            return Answer(question=text, reason=NO_PREVIOUS)
        return Answer(
            question=text,
            results=(replace(previous, confident=True),),
            followup=FOLLOWUP_VALIDITY,
            notice=validity_notice(policy, today),
        )


def alternative_scores(
    index: FieldedBM25,
    query: dict[str, dict[str, float]],
    concepts: Sequence[Sequence[tuple[frozenset[str], frozenset[str]]]],
) -> np.ndarray:
    """BM25 of `query` (fields words and bigrams) over `index`, each concept (its forms as
    words and pairs, `Analyzer.concepts`) counting once: the best-scoring of its forms per
    row, where plain BM25 would add them all up. Terms of no concept add up as usual."""
    words, pairs = query.get("words", {}), query.get("bigrams", {})
    total = np.zeros(index.size)
    taken: dict[str, set[str]] = {"words": set(), "bigrams": set()}
    for forms in concepts:
        best: Optional[np.ndarray] = None
        for form_words, form_pairs in forms:
            part = {
                "words": {t: words[t] for t in form_words if t in words},
                "bigrams": {t: pairs[t] for t in form_pairs if t in pairs},
            }
            taken["words"].update(part["words"])
            taken["bigrams"].update(part["bigrams"])
            scores = index.scores(part)
            best = scores if best is None else np.maximum(best, scores)
        if best is not None:
            total += best
    rest = {
        field: {t: w for t, w in terms.items() if t not in taken.get(field, ())}
        for field, terms in query.items()
    }
    return total + index.scores(rest)


def best_positions(scores: np.ndarray, count: int) -> np.ndarray:
    """`np.argpartition(-scores, count - 1)[:count]` for positive `scores` (float64, no NaN),
    the same positions in the same order, found on the scores' bits read as int64.

    A positive double's bits, read as an integer, order as the double does (equal when it is
    equal), so the partition makes the same comparisons with the same outcomes and the same
    swaps, and so returns the same permutation (ties keep the order they had, which decides
    the order of tied results downstream); integers compare without float's NaN checks,
    about a fifth faster on ~150,000 matched passages. numpy partitions floats another way
    only when every element is asked for (`count` = all), which is left to numpy as it was.
    tests/unit/test_policy_scoring.py compares both on tied random scores, so a numpy whose
    partition differs between the two types fails there, not in the answers."""
    if count >= len(scores):  # numpy takes another way for floats when every one is asked
        return np.argpartition(-scores, count - 1)[:count]
    keys = np.negative(np.ascontiguousarray(scores, dtype=np.float64).view(np.int64))
    return np.argpartition(keys, count - 1)[:count]


def with_items(passage: Passage, answer: str, limit: int) -> str:
    """A lead-in answer ("应当符合下列条件：") followed by the items it introduces, within `limit`."""
    clause = passage.clause
    if clause is None or not clause.has_children or not lead_in_sentence(answer):
        return answer
    prefix = f"{clause.id}."
    items = [
        f"{c.label}{c.full_text}"
        for c in passage.policy.clauses
        if c.id.startswith(prefix) and "." not in c.id[len(prefix) :]
    ]
    return truncate("".join([answer, *items]), limit) if items else answer


def _read_pickle(path: Path):
    with path.open("rb") as handle:
        return pickle.load(handle)


def library_fingerprint(root: Path, published_dir: Optional[Path] = None) -> str:
    """A digest of every file the index is built from (name, size, time) and of this code."""
    paths = [
        root / "policy_stopwords.txt",
        root / "synonyms.yml",
        root / "policy_retrieval.yml",
        root / "regions.tsv",
        root / "pinyin.tsv",
    ]
    folders = [root / "policies", root / "dictionary", Path(__file__).parent]
    for folder in folders + ([published_dir] if published_dir is not None else []):
        for base, dirs, files in os.walk(folder):
            dirs.sort()
            paths.extend(Path(base) / name for name in sorted(files))
    return files_digest(paths)


def validity_notice(policy: Policy, today: Optional[date] = None) -> str:
    """One sentence on whether `policy` is in force, from its effective and expiry dates."""
    name = f"《{policy.title}》"
    if policy.is_expired(today):
        return f"{name}已于{policy.expires:%Y年%m月%d日}失效。"
    if policy.is_pending(today):
        return f"{name}将于{policy.effective:%Y年%m月%d日}起施行，目前尚未生效。"
    if policy.expires:
        return f"{name}现行有效，有效期至{policy.expires:%Y年%m月%d日}。"
    return f"{name}没有载明失效日期，目前未见失效。"


def result_for(passage: Passage, answer: str, score: float, today: Optional[date] = None) -> Result:
    """The `Result` showing `answer` from `passage`, with its citation and flags."""
    policy, clause = passage.policy, passage.clause
    citation = clause.reference if clause else ""
    if passage.kind == "interpretation":
        part = f"解读材料·{passage.section}"
        citation = f"{citation}（{part}）" if clause else part
    return Result(
        answer=answer,
        text=passage.text,
        kind=passage.kind,
        policy_id=policy.id,
        policy=policy.title,
        clause_id=clause.id if clause else None,
        clause=citation,
        doc_no=policy.doc_no,
        url=policy.url,
        score=round(score, 4),
        expired=policy.is_expired(today),
        pending=policy.is_pending(today),
        sample=policy.sample,
        suggestion=passage.suggestion,
        title=policy.title,
        date=f"{policy.published:%Y年%m月%d日}" if policy.published else "",
    )
