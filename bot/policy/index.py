"""Fielded BM25 as one precomputed sparse (CSR) matrix: scoring a query is one gather and one sum.

A passage has several fields (a Q&A pair's question and answer, a clause's title, text and
assessment notes, character bigrams and single characters of everything). Each field is scored
with its own BM25 statistics and weight; all (field, term) weights are computed at build time
into a CSR matrix with one row per (field, term). A query reads the rows of its terms, each
with its own query weight (synonyms count less than the asker's words), and adds them up with
`numpy.bincount`.

Why not bm25s, which also precomputes a sparse matrix: it scores a single field with equal
query terms, and on the same 10,000 passages this index scores about three times faster at p95
(bench/bench_kb.py measures both, and rank_bm25, in one run).

Terms found in more than `max_df` of the passages are left out once there are at least
`max_df_from` passages, as in most search engines: their IDF is low, they barely change the
ranking (measured on knowledge/eval), and their long posting lists are most of the work.

At city scale (5,000 documents, ~200,000 passages) a question touches ~300,000 postings
(p95 ~600,000), mostly single characters found in 5–20 % of the passages, and matches about
half of all passages. Scoring is exact and whole: every matched passage's score is computed,
bit for bit as `numpy.bincount` in row order would, because the knowledge base's choice of
its best passages (`numpy.argpartition` over all matched passages) orders tied passages by
how the partition moved them, which depends on every matched score; a generated library has
many exact ties (the same sentence in several documents), and which of them is shown must
not change. Dynamic pruning (MaxScore: skipping the postings of passages that cannot reach
the best few) would leave the other scores unknown and so change that order; it is not done.
What is done is making the whole sum cheap: the query's rows are copied once into one int32
passage array and one float64 weight array (a row weighed 1 is copied, not multiplied), and
added up by scipy's compiled sparse product (`added`), about twice as fast as `bincount`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np
from scipy import sparse

_ARRAYS = ("indptr", "indices", "data")
_CHUNK = 1 << 21
_ONE = np.ones(1)
_FEW = 1 << 14
"""Fewer postings than this are added by `numpy.bincount`: building the sparse column costs
more than it saves (a document index's queries, a rare word's)."""


Counts = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
"""(passage, term, tf, length): each distinct term of each passage with its count (terms
numbered in a vocabulary), and each passage's length in terms."""


def term_counts(documents: Sequence[Sequence[str]], vocabulary: dict[str, int]) -> Counts:
    """The `Counts` of `documents` (token lists), numbering new terms in `vocabulary`."""
    lengths = np.fromiter((len(d) for d in documents), dtype=np.int64, count=len(documents))
    terms = np.fromiter(
        (vocabulary.setdefault(t, len(vocabulary)) for d in documents for t in d),
        dtype=np.int64,
        count=int(lengths.sum()),
    )
    passages = np.repeat(np.arange(len(documents)), lengths)
    width = max(len(vocabulary), 1)
    pairs, tf = np.unique(passages * width + terms, return_counts=True)
    passage, term = np.divmod(pairs, width)
    return passage, term, tf, lengths


def mapped(path: Path) -> np.ndarray:
    """The array saved at `path`, memory-mapped read-only, as a plain ndarray (a view of the
    mapping without `np.memmap`'s overhead on every slice and every result)."""
    return np.asarray(np.load(path, mmap_mode="r"))


class FieldedBM25:
    """Scores passages for a query given as field → {term: query weight}."""

    def __init__(
        self,
        passages: Sequence[Mapping[str, Sequence[str]]],
        field_weights: Mapping[str, float],
        k1: float = 1.2,
        b: float = 0.75,
        max_df: float = 1.0,
        max_df_from: int = 100,
    ) -> None:
        counts = {}
        vocabularies = {}
        for name, weight in field_weights.items():
            if weight > 0:
                vocabulary: dict[str, int] = {}
                counts[name] = term_counts([p.get(name, ()) for p in passages], vocabulary)
                vocabularies[name] = list(vocabulary)
        self._build(len(passages), counts, vocabularies, field_weights, k1, b, max_df, max_df_from)

    @classmethod
    def from_counts(
        cls,
        size: int,
        counts: Mapping[str, Counts],
        terms: Sequence[str],
        field_weights: Mapping[str, float],
        k1: float = 1.2,
        b: float = 0.75,
        max_df: float = 1.0,
        max_df_from: int = 100,
    ) -> FieldedBM25:
        """The index of `size` passages given each field's `Counts` (read once, in field
        order), terms numbered as in `terms`: the same index as from the passages' token
        lists, without the tokens."""
        index = cls.__new__(cls)
        vocabularies = {name: terms for name in field_weights}
        index._build(size, counts, vocabularies, field_weights, k1, b, max_df, max_df_from)
        return index

    def _build(
        self,
        size: int,
        counts: Mapping[str, Counts],
        vocabularies: Mapping[str, Sequence[str]],
        field_weights: Mapping[str, float],
        k1: float,
        b: float,
        max_df: float,
        max_df_from: int,
    ) -> None:
        self.size = size
        self._max_count = max_df * self.size if self.size >= max_df_from else self.size
        self.field_weights = dict(field_weights)
        self._rows: dict[tuple[str, str], int] = {}
        per_row: list[np.ndarray] = []
        cols: list[np.ndarray] = []
        values: list[np.ndarray] = []
        none = (np.zeros(0, dtype=np.int64),) * 3 + (np.zeros(size, dtype=np.int64),)
        for name, weight in self.field_weights.items():
            if weight <= 0:
                continue
            found = counts[name] if name in counts else none
            first = len(self._rows)
            row, col, value = self._field_weights(
                name, weight, *found, vocabularies[name], k1, b
            )
            del found
            # A field's rows follow the previous field's, so sorting each field by row
            # orders the whole matrix by row, as one stable sort would.
            order = np.argsort(row, kind="stable")
            per_row.append(np.bincount(row - first, minlength=len(self._rows) - first))
            cols.append(col[order])
            values.append(value[order])
            del row, col, value, order
        self._indices = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int32)
        del cols
        self._data = np.concatenate(values) if values else np.zeros(0, dtype=np.float32)
        del values
        lengths = np.concatenate(per_row) if per_row else np.zeros(0, dtype=np.int64)
        self._indptr = np.concatenate(([0], np.cumsum(lengths)))

    def _field_weights(
        self,
        name: str,
        weight: float,
        passage: np.ndarray,
        term: np.ndarray,
        tf: np.ndarray,
        lengths: np.ndarray,
        terms: Sequence[str],
        k1: float,
        b: float,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(row, passage, weight) triples of one field (int32, int32, float32), computed with
        numpy over all its (passage, term) pairs, a few million at a time to bound memory."""
        df = np.bincount(term, minlength=len(terms))
        kept = df[term] <= self._max_count
        passage, term, tf = passage[kept], term[kept], tf[kept]
        rows = np.full(len(terms), -1, dtype=np.int32)
        for index in np.flatnonzero((df > 0) & (df <= self._max_count)).tolist():
            rows[index] = self._rows.setdefault((name, terms[index]), len(self._rows))
        idf = np.log(1 + (self.size - df + 0.5) / (df + 0.5))
        average = lengths[lengths > 0].mean() if (lengths > 0).any() else 1.0
        value = np.empty(len(term), dtype=np.float32)
        for start in range(0, len(term), _CHUNK):
            part = slice(start, start + _CHUNK)
            count = tf[part].astype(np.float64)
            norm = k1 * (1 - b + b * lengths[passage[part]] / average)
            value[part] = weight * idf[term[part]] * count * (k1 + 1) / (count + norm)
        return rows[term], passage.astype(np.int32), value

    def save(self, folder: Path, prefix: str) -> dict[str, Any]:
        """Writes the CSR arrays as `<prefix>.<name>.npy` in `folder`; returns the rest (small)."""
        for name in _ARRAYS:
            np.save(folder / f"{prefix}.{name}.npy", getattr(self, f"_{name}"))
        return {
            "size": self.size,
            "max_count": self._max_count,
            "field_weights": self.field_weights,
            "rows": self._rows,
        }

    @classmethod
    def load(cls, folder: Path, prefix: str, state: Mapping[str, Any]) -> FieldedBM25:
        """The index `save` wrote, its arrays memory-mapped read-only (shared between processes,
        read from disk only where a query touches them)."""
        index = cls.__new__(cls)
        index.size = state["size"]
        index._max_count = state["max_count"]
        index.field_weights = dict(state["field_weights"])
        index._rows = state["rows"]
        for name in _ARRAYS:
            setattr(index, f"_{name}", mapped(folder / f"{prefix}.{name}.npy"))
        return index

    def terms(self, name: str) -> list[str]:
        """The indexed terms of field `name`."""
        return [term for field, term in self._rows if field == name]

    def postings(self, name: str, term: str) -> np.ndarray:
        """Passages holding `term` in field `name` (empty when unknown or not indexed)."""
        row = self._rows.get((name, term))
        if row is None:
            return np.zeros(0, dtype=np.int64)
        return self._indices[self._indptr[row] : self._indptr[row + 1]]

    def _query_rows(
        self, query: Mapping[str, Mapping[str, float]]
    ) -> tuple[np.ndarray, np.ndarray]:
        rows, weights = [], []
        for name, terms in query.items():
            for term, weight in terms.items():
                row = self._rows.get((name, term))
                if row is not None:
                    rows.append(row)
                    weights.append(weight)
        return np.asarray(rows, dtype=np.int64), np.asarray(weights, dtype=np.float64)

    def scores(self, query: Mapping[str, Mapping[str, float]]) -> np.ndarray:
        """BM25 score of every passage (zero where nothing matched): each row's weights times
        its query weight (in float32, as stored), added up in row order.

        The rows' postings are copied once into one passage array (as stored, int32) and one
        float64 weight array; a row weighed 1 (most rows: the asker's own words and
        characters) is copied as it is stored, which is what the float32 product would give.
        They are added up by scipy's sparse product with one column of ones (`added`): the
        same float64 additions in the same order as `numpy.bincount`, about twice as fast (no
        conversion of the passages to intp, no pass to find their largest)."""
        rows, weights = self._query_rows(query)
        if not len(rows):
            return np.zeros(self.size, dtype=np.float64)
        starts = self._indptr[rows].tolist()
        ends = self._indptr[rows + 1].tolist()
        total = sum(ends) - sum(starts)
        passages = np.empty(total, dtype=self._indices.dtype)
        values = np.empty(total, dtype=np.float64)
        at = 0
        for start, end, weight in zip(starts, ends, weights.tolist(), strict=True):
            to = at + end - start
            passages[at:to] = self._indices[start:end]
            if weight == 1.0:
                values[at:to] = self._data[start:end]
            else:
                np.multiply(
                    self._data[start:end], weight, out=values[at:to], dtype=self._data.dtype
                )
            at = to
        return added(passages, values, self.size)


def added(passages: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    """`numpy.bincount(passages, weights=values, minlength=size)`, bit for bit: `values` added
    into a zeroed float64 array of `size` in their order, each once, by scipy's compiled
    sparse matrix-vector product (one column holding every pair, times 1.0, which changes no
    value). `passages` may stay int32; all must lie in range(size)."""
    if len(passages) < _FEW:
        return np.bincount(passages, weights=values, minlength=size)
    column = sparse.csc_matrix(
        (values, passages, np.array([0, len(passages)], dtype=passages.dtype)),
        shape=(size, 1),
    )
    return column @ _ONE
