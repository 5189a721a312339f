"""The library's index built incrementally: one analysed segment per policy file.

Parsing a policy file and analysing its passages (jieba words, character bigrams and single
characters of every field) is most of the cost of building the index, and it depends only on
that file and on the analyzer. Each policy file therefore gets a segment in
`<cache_dir>/segments/`: the parsed `Policy` and its passages' term counts, kept under the
file's size and modification time and the analyzer's fingerprint. Importing N documents parses
and analyses those N (on every core when there are many); an unchanged file's segment is read
back, not parsed or analysed again. The index is then merged from all segments with numpy. BM25's
statistics (document frequencies, average lengths) are global, so the weights are recomputed
over the whole library each time; that takes seconds, and gives exactly the index that
`FieldedBM25` builds from the token lists.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import pickle
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Optional, Sequence

import numpy as np

from bot.knowledge_files import Problem
from bot.policy.analysis import Analyzer
from bot.policy.index import FieldedBM25, term_counts
from bot.policy.loader import PolicyFileError, load_policy
from bot.policy.model import Policy
from bot.policy.params import RetrievalParams
from bot.policy.passages import PassageTable, passage_arrays, policy_passages
from bot.policy.qtypes import QuestionType, compile_types

_VERSION = 2
_PARALLEL_FROM = 64
"""Files to parse or analyse from which the work is spread over the machine's cores."""
_SEPARATOR = "\x00"
"""Between the terms of a segment's vocabulary, kept as one string (millions of small strings
would be most of the memory of a merge)."""
_PARSED = ("signature", "path", "policy", "chars")
"""What a segment holds before its analysis."""
_TABLE = {"kinds": np.int8, "keys": np.int32, "types": np.int32, "part": np.int32, "sentence": np.int32}
"""A segment's `PassageTable` arrays (`passage_arrays`) and their types once merged."""
_SENTENCE_CACHE = 200_000
"""Sentences whose words a process keeps while analysing (documents repeat boilerplate)."""
DOCUMENT_FIELDS = {"words": 1.0, "bigrams": 0.5}
"""Field weights of the whole-document index (`KnowledgeBase.documents`)."""

Segment = dict[str, Any]
_worker: dict[str, Any] = {}
"""The analyzer (and its sentence cache) of the analysis under way, inherited by forked workers."""
_ANALYSING = threading.Lock()


def policy_paths(directory: Path) -> list[Path]:
    """Every policy file in `directory`, in the order `load_policies` reads them."""
    return sorted([*directory.rglob("*.yml"), *directory.rglob("*.yaml")])


def passage_chars(policy: Policy) -> int:
    """Characters of the texts the analyzer's dictionary is chosen from (`Analyzer.build`)."""
    return sum(len(text) for p in policy_passages(policy) for text in p.fields.values())


def analyzer_fingerprint(analyzer: Analyzer, root: Path) -> str:
    """Everything a segment's term counts depend on besides its own file."""
    paths = [root / "policy_stopwords.txt", root / "synonyms.yml", *map(Path, analyzer._recipe[2])]
    code = Path(__file__).parent
    paths += sorted(code.glob("*.py")) + [code.parent / "documents.py", code.parent / "text.py"]
    return files_digest(paths, repr((_VERSION, analyzer._recipe)))


def types_fingerprint(types: Sequence[QuestionType]) -> str:
    """What a segment's question-type bits depend on: each type's pattern, in order."""
    patterns = repr([(kind.name, kind.answer.pattern, kind.answer.flags) for kind in types])
    return hashlib.sha1(patterns.encode()).hexdigest()[:12]


def files_digest(paths: Iterable[Path], seed: str = "") -> str:
    """A digest of `seed` and of each file's name, size and modification time."""
    digest = hashlib.sha1(seed.encode())
    for path in paths:
        try:
            stat = path.stat()
        except OSError:
            continue
        digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:20]


class SegmentStore:
    """The segments of one library's policy files (see module doc)."""

    def __init__(self, folder: Path, paths: Sequence[Path], overrides: Sequence[Path] = ()) -> None:
        """`overrides`: files whose policy replaces the one of the same id in `paths` (entries
        published through review, `bot.policy.publication`)."""
        self.folder = folder
        self.paths = [*paths, *overrides]
        self._overrides = set(overrides)
        self.segments: list[Segment] = []

    def _file(self, path: Path) -> Path:
        return self.folder / (hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:24] + ".pickle")

    def policies(self) -> list[Policy]:
        """Every policy, parsed only where its file changed; `PolicyFileError` lists every
        problem in every file, as `load_policies` does."""
        self.folder.mkdir(parents=True, exist_ok=True)
        segments: list[Optional[Segment]] = [self._read(path) for path in self.paths]
        missing = [i for i, segment in enumerate(segments) if segment is None]
        parsed = _map(_parse, [self.paths[i] for i in missing])
        problems: list[Problem] = []
        for i, outcome in zip(missing, parsed, strict=True):
            if isinstance(outcome, list):
                problems.extend(outcome)
            else:
                segments[i] = outcome
        seen: dict[str, Path] = {}
        at: dict[str, int] = {}
        self.segments = []
        for path, segment in zip(self.paths, segments, strict=True):
            if segment is None:
                continue
            policy_id = segment["policy"].id
            if policy_id in seen:
                if path in self._overrides and seen[policy_id] not in self._overrides:
                    self.segments[at[policy_id]] = segment
                    seen[policy_id] = path
                    continue
                problems.append(Problem(path, 1, f"id '{policy_id}' already used by {seen[policy_id]}"))
                continue
            seen[policy_id] = path
            at[policy_id] = len(self.segments)
            self.segments.append(segment)
        if problems:
            raise PolicyFileError(problems)
        self._forget_others()
        return [segment["policy"] for segment in self.segments]

    @property
    def corpus_chars(self) -> int:
        return sum(segment["chars"] for segment in self.segments)

    def merge(
        self, analyzer: Analyzer, params: RetrievalParams, recipe: str
    ) -> tuple[PassageTable, FieldedBM25, FieldedBM25]:
        """The passage table, the passage index and the document index of every segment,
        analysing the segments not yet analysed with this analyzer and these question types.
        Each segment's counts are taken in as it comes (from disk or from a worker) and let
        go: a library's worth of segments is never held at once. Call once."""
        types = compile_types(params.question_types)
        recipe = f"{recipe}:{types_fingerprint(types)}"
        stale = [i for i, s in enumerate(self.segments) if s.get("recipe") != recipe]
        for i in stale:
            self.segments[i] = {k: self.segments[i][k] for k in _PARSED}
        items = [(self.segments[i], self._file(self.segments[i]["path"]), recipe) for i in stale]
        with _ANALYSING:
            _worker["analyzer"] = analyzer
            _worker["types"] = types
            try:
                with _mapper(len(items)) as mapped:
                    fresh = iter(mapped(_analyse, items))
                    del items
                    stale_set = set(stale)
                    return self._merged(
                        params,
                        (next(fresh) if i in stale_set else s for i, s in enumerate(self.segments)),
                    )
            finally:
                _worker.clear()

    def _merged(
        self, params: RetrievalParams, segments: Iterable[Segment]
    ) -> tuple[PassageTable, FieldedBM25, FieldedBM25]:
        merged = _Merge()
        for number, segment in enumerate(segments):
            merged.add(number, segment)
            self.segments[number] = {"policy": segment["policy"]}
        return merged.result(params, [s["policy"] for s in self.segments])

    def _read(self, path: Path) -> Optional[Segment]:
        try:
            stat = path.stat()
            with self._file(path).open("rb") as handle:
                segment = pickle.load(handle)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, ValueError):
            return None
        if not isinstance(segment, dict) or segment.get("signature") != _signature(stat):
            return None
        return segment

    def _forget_others(self) -> None:
        """Segments of files no longer in the library are removed."""
        kept = {self._file(path).name for path in self.paths}
        for old in self.folder.glob("*.pickle"):
            if old.name not in kept:
                old.unlink(missing_ok=True)


class _Merge:
    """Segments' counts renumbered into one vocabulary and one run of passages."""

    def __init__(self) -> None:
        self.vocabulary: dict[str, int] = {}
        self.parts: dict[str, list[list[np.ndarray]]] = {}
        self.lengths: dict[str, list[tuple[int, np.ndarray]]] = {}
        self.documents = {name: [[], [], []] for name in DOCUMENT_FIELDS}
        self.document_lengths: dict[str, list[int]] = {name: [] for name in DOCUMENT_FIELDS}
        self.sizes: list[int] = []
        self.table: dict[str, list[np.ndarray]] = {name: [] for name in _TABLE}
        self.total = self.key_start = 0

    def add(self, number: int, segment: Segment) -> None:
        vocabulary = self.vocabulary
        own = segment["terms"].split(_SEPARATOR) if segment["terms"] else []
        ids = np.fromiter(
            (vocabulary.setdefault(t, len(vocabulary)) for t in own), dtype=np.int32, count=len(own)
        )
        start = self.total
        for name, (passage, term, tf, length) in segment["fields"].items():
            parts = self.parts.setdefault(name, [[], [], []])
            parts[0].append(passage.astype(np.int32) + start)
            parts[1].append(ids[term])
            parts[2].append(tf)
            self.lengths.setdefault(name, []).append((start, length))
        for name, (term, tf, length) in segment["documents"].items():
            self.documents[name][0].append(np.full(len(term), number, dtype=np.int32))
            self.documents[name][1].append(ids[term])
            self.documents[name][2].append(tf)
            self.document_lengths[name].append(length)
        for name in _TABLE:
            self.table[name].append(segment[name] + self.key_start if name == "keys" else segment[name])
        self.key_start += int(segment["keys"].max()) + 1 if len(segment["keys"]) else 0
        self.sizes.append(segment["passages"])
        self.total += segment["passages"]

    def result(
        self, params: RetrievalParams, policies: list[Policy]
    ) -> tuple[PassageTable, FieldedBM25, FieldedBM25]:
        terms = list(self.vocabulary)
        self.vocabulary.clear()
        lengths = {}
        for name, runs in self.lengths.items():
            lengths[name] = np.zeros(self.total, dtype=np.int64)
            for start, length in runs:
                lengths[name][start : start + len(length)] = length
        index = FieldedBM25.from_counts(
            self.total, _Joined(self.parts, lengths), terms, params.field_weights,
            params.k1, params.b, params.max_df, params.max_df_from,
        )  # fmt: skip
        document_counts = {
            name: (
                *map(_joined, self.documents[name]),
                np.array(self.document_lengths[name], dtype=np.int64),
            )
            for name in DOCUMENT_FIELDS
        }
        whole = FieldedBM25.from_counts(
            len(policies), document_counts, terms, DOCUMENT_FIELDS, params.k1, params.b
        )
        sizes = np.array(self.sizes, dtype=np.int64)
        table = PassageTable(
            policies,
            {
                "policy_number": np.repeat(np.arange(len(sizes), dtype=np.int32), sizes),
                **{name: _joined(arrays, _TABLE[name]) for name, arrays in self.table.items()},
            },
        )
        return table, index, whole


class _Joined:
    """Each field's counts joined into arrays when asked for, once: the parts are let go, so
    only one field's arrays are ever held twice."""

    def __init__(self, parts: dict[str, list[list[np.ndarray]]], lengths: dict[str, np.ndarray]):
        self._parts = parts
        self._lengths = lengths

    def __contains__(self, name: object) -> bool:
        return name in self._parts

    def __getitem__(self, name: str) -> tuple:
        return (*map(_joined, self._parts.pop(name)), self._lengths.pop(name))


def _signature(stat: os.stat_result) -> tuple:
    return (_VERSION, stat.st_size, stat.st_mtime_ns)


def _joined(arrays: list[np.ndarray], dtype: Any = np.int32) -> np.ndarray:
    return np.concatenate(arrays).astype(dtype, copy=False) if arrays else np.zeros(0, dtype=dtype)


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@contextmanager
def _mapper(count: int) -> Iterator[Callable[[Callable, list], Iterable]]:
    """A lazy, ordered `map` for `count` items: over worker processes (forked, sharing the
    analyzer) when there are many, more than one core and this process has no other thread,
    else in this process. A service (Sanic, its database and monitor threads) never forks: a
    child forked while another thread holds a lock (logging, jieba, the allocator) can wait on
    it forever, and the service would never become ready."""
    cores = _cores()
    if count < _PARALLEL_FROM or cores < 2 or threading.active_count() > 1:
        yield map
        return
    with multiprocessing.get_context("fork").Pool(cores) as pool:
        chunk = max(1, min(16, count // (4 * cores)))
        yield lambda function, items: pool.imap(function, items, chunksize=chunk)


def _map(function: Callable[[Any], Any], items: list) -> list:
    """`function` over `items`, in worker processes when many (see `_mapper`)."""
    with _mapper(len(items)) as mapped:
        return list(mapped(function, items))


def _parse(path: Path) -> Segment | list[Problem]:
    try:
        stat = path.stat()
        policy = load_policy(path)
    except PolicyFileError as error:
        return list(error.problems)
    except OSError as error:
        return [Problem(path, 1, f"cannot read: {error}")]
    segment = {
        "signature": _signature(stat),
        "path": path,
        "policy": policy,
        "chars": passage_chars(policy),
    }
    return segment


def _analyse(item: tuple[Segment, Path, str]) -> Segment:
    """The segment with its passages' term counts (see `KnowledgeBase.analyse`)."""
    from bot.policy.kb import KnowledgeBase

    segment, file, recipe = item
    passages = policy_passages(segment["policy"])
    shell = KnowledgeBase.analysis_shell(_worker["analyzer"], segment["policy"])
    cache = _worker.setdefault("sentences", {})
    if len(cache) > _SENTENCE_CACHE:
        cache.clear()
    analysed = shell.analyse(passages, cache)
    vocabulary: dict[str, int] = {}
    fields = {}
    for name in sorted({name for terms in analysed for name in terms}):
        passage, term, tf, length = term_counts([t.get(name, ()) for t in analysed], vocabulary)
        fields[name] = (_small(passage), _small(term), _small(tf), length)
    documents = {}
    whole = shell._document_terms(passages, np.zeros(len(passages), dtype=np.int32), analysed)[0]
    for name in DOCUMENT_FIELDS:
        _, term, tf, length = term_counts([whole[name]], vocabulary)
        documents[name] = (_small(term), _small(tf), int(length[0]))
    result = {
        **{k: v for k, v in segment.items() if k in _PARSED},
        "recipe": recipe,
        "passages": len(passages),
        "terms": _SEPARATOR.join(vocabulary),
        "fields": fields,
        "documents": documents,
        **passage_arrays(passages, _worker["types"]),
    }
    _write(file, result)
    return result


def _small(array: np.ndarray) -> np.ndarray:
    """`array` (of counts or numbers within one policy) in 16 bits when it fits, else 32."""
    fits = not len(array) or int(array.max()) <= np.iinfo(np.uint16).max
    return array.astype(np.uint16 if fits else np.int32)


def _write(file: Path, segment: Segment) -> None:
    handle, staged = tempfile.mkstemp(dir=file.parent, suffix=".tmp")
    with open(handle, "wb") as out:
        pickle.dump(segment, out, protocol=pickle.HIGHEST_PROTOCOL)
    Path(staged).replace(file)


def iter_texts(policies: Iterable[Policy]) -> Iterable[str]:
    """The texts `Analyzer.build` chooses its dictionary from."""
    return (text for policy in policies for p in policy_passages(policy) for text in p.fields.values())
