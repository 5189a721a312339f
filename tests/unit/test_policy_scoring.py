"""Each fast step of a question's scoring gives bit for bit what the plain computation gives.

A city library's question touches hundreds of thousands of postings, so scoring adds them up
with scipy's sparse product instead of `numpy.bincount`, and the best passages are picked by
partitioning the scores' bits as integers. Answers must not change with either: every score
has to be the same float, and the partition the same permutation (tied passages keep the
order the partition gives them, and that order decides which of them is shown). Each test
compares against the plain computation on random input, with ties and repeated passages,
and asks for equality.
"""

from __future__ import annotations

import random

import numpy as np
import pytest

from bot.policy import KnowledgeBase
from bot.policy import index as index_module
from bot.policy.index import FieldedBM25, added
from bot.policy.kb import best_positions

pytest_plugins = ("tests.unit.policy_fixtures",)

FIELDS = {"words": 2.0, "bigrams": 1.0, "unigrams": 0.5}
WEIGHTS = (1.0, 1.0, 1.0, 0.5, 1 / 3, 2.0, 0.7, 0.05)
"""Query weights as questions give them: mostly 1 (the asker's own terms), synonym shares."""


def plain_scores(index: FieldedBM25, query: dict[str, dict[str, float]]) -> np.ndarray:
    """Each query row's weights times its weight (float32, as stored), added in row order."""
    expected = np.zeros(index.size)
    for name, terms in query.items():
        for term, weight in terms.items():
            row = index._rows.get((name, term))
            if row is not None:
                start, end = index._indptr[row], index._indptr[row + 1]
                product = np.multiply(index._data[start:end], weight, dtype=np.float32)
                expected[index._indices[start:end]] += product
    return expected


def random_index(seed: int, passages: int = 6000) -> FieldedBM25:
    """Passages of random characters drawn from a small alphabet, skewed so that a few are
    in most passages (as 的, 在, 人 are), with words and bigrams made of them."""
    rng = random.Random(seed)
    alphabet = [chr(0x4E00 + i) for i in range(300)]
    skew = [1 / (rank + 1) for rank in range(len(alphabet))]
    documents = []
    for _ in range(passages):
        chars = rng.choices(alphabet, skew, k=rng.randint(3, 40))
        documents.append(
            {
                "unigrams": chars,
                "bigrams": [a + b for a, b in zip(chars, chars[1:], strict=False)],
                "words": ["".join(chars[i : i + 2]) for i in range(0, len(chars) - 1, 3)],
            }
        )
    return FieldedBM25(documents, FIELDS)


def random_query(index: FieldedBM25, rng: random.Random) -> dict[str, dict[str, float]]:
    query: dict[str, dict[str, float]] = {}
    for name in FIELDS:
        terms = index.terms(name)
        picked = rng.sample(terms, min(len(terms), rng.randint(0, 60)))
        picked += ["不在索引里"]  # an unknown term is skipped
        query[name] = {term: rng.choice(WEIGHTS) for term in picked}
    return query


@pytest.mark.parametrize("seed", range(5))
def test_added_is_bincount_bit_for_bit(seed: int) -> None:
    rng = np.random.default_rng(seed)
    size = int(rng.integers(1, 50_000))
    for count in (0, 1, 100, index_module._FEW - 1, index_module._FEW, 3 * index_module._FEW):
        for dtype in (np.int32, np.int64):
            passages = rng.integers(0, size, count).astype(dtype)
            values = rng.random(count) * rng.choice([1e-3, 1.0, 1e3], count)
            got = added(passages, values, size)
            want = np.bincount(passages.astype(np.intp), weights=values, minlength=size)
            assert got.dtype == want.dtype and got.shape == want.shape
            assert np.array_equal(got, want)


@pytest.mark.parametrize("seed", range(3))
def test_scores_are_the_plain_sum_on_random_queries(seed: int) -> None:
    index = random_index(seed)
    rng = random.Random(seed)
    sizes = []
    for _ in range(40):
        query = random_query(index, rng)
        rows, _ = index._query_rows(query)
        sizes.append(int((index._indptr[rows + 1] - index._indptr[rows]).sum()))
        assert np.array_equal(index.scores(query), plain_scores(index, query))
    # both ways of adding up were taken: bincount below _FEW postings, scipy above
    assert min(sizes) < index_module._FEW < max(sizes)


def test_scores_are_the_plain_sum_after_save_and_load(tmp_path, monkeypatch) -> None:
    index = random_index(7, passages=2000)
    loaded = FieldedBM25.load(tmp_path, "index", index.save(tmp_path, "index"))
    monkeypatch.setattr(index_module, "_FEW", 0)  # scipy's product even for few postings
    rng = random.Random(7)
    for _ in range(20):
        query = random_query(index, rng)
        assert np.array_equal(loaded.scores(query), plain_scores(index, query))


@pytest.mark.parametrize("few", [0, 1 << 14, 1 << 40])
def test_scores_of_the_shipped_library_are_the_plain_sum(
    real_kb: KnowledgeBase, monkeypatch, few: int
) -> None:
    monkeypatch.setattr(index_module, "_FEW", few)
    rng = random.Random(few)
    for index in (real_kb.index, real_kb.documents):
        for _ in range(15):
            query = random_query_of(index, rng)
            assert np.array_equal(index.scores(query), plain_scores(index, query))


def random_query_of(index: FieldedBM25, rng: random.Random) -> dict[str, dict[str, float]]:
    fields = sorted({field for field, _ in index._rows})
    query: dict[str, dict[str, float]] = {}
    for name in fields:
        terms = index.terms(name)
        picked = rng.sample(terms, min(len(terms), rng.randint(0, 40)))
        query[name] = {term: rng.choice(WEIGHTS) for term in picked}
    return query


@pytest.mark.parametrize("seed", range(20))
def test_best_positions_is_argpartition_of_the_negated_scores(seed: int) -> None:
    rng = np.random.default_rng(seed)
    size = int(rng.integers(2, 200_000))
    distinct = int(rng.integers(1, 500))  # few distinct values: many ties, as in a library
    levels = rng.random(distinct) * 10 + 1e-6
    scores = levels[rng.integers(0, distinct, size)]
    for count in {1, 2, min(size, 240), max(1, size // 2), size}:
        want = np.argpartition(-scores, count - 1)[:count]
        assert np.array_equal(best_positions(scores, count), want)


def test_best_positions_on_a_question_of_the_shipped_library(real_kb: KnowledgeBase) -> None:
    for question in ("公积金怎么提取", "政府信息公开申请多久答复", "舟山渔船补贴标准"):
        query = real_kb.query(question)[0]
        _, scores = real_kb._weighed(query, None, None, question)
        for count in (1, 7, min(len(scores), 240)):
            if 0 < count <= len(scores):
                want = np.argpartition(-scores, count - 1)[:count]
                assert np.array_equal(best_positions(scores, count), want)
