"""The fast search path gives exactly what the straightforward one gives.

A question over a city library weighs only the passages it matches, makes only the passages it
shows, reads question-type bits computed when the index was built and finds its words in all
titles at once. Each test computes the same thing the plain way (every passage made, every
pattern run, dense arrays over the whole library, every title scanned) and asks for equality,
not closeness: answers must not depend on how fast they were found.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from bot.policy import KnowledgeBase
from bot.policy.evaluation import load_eval
from tests.unit.policy_data import KNOWLEDGE

pytest_plugins = ("tests.unit.policy_fixtures",)

QUESTIONS = [item.question for item in load_eval(KNOWLEDGE / "eval" / "policy_qa.yml")]
TODAY = date(2026, 12, 7)


def test_each_passage_made_alone_is_the_one_its_policy_makes(real_kb: KnowledgeBase) -> None:
    table = real_kb.passages
    assert [table[i] for i in range(len(table))] == list(table)


def test_question_type_bits_are_those_of_each_passage_text(real_kb: KnowledgeBase) -> None:
    for passage, bits in zip(real_kb.passages, real_kb.passages.types.tolist(), strict=True):
        text = passage.fields.get("body") or passage.answer
        kinds = enumerate(real_kb.question_types)
        assert bits == sum(1 << number for number, kind in kinds if kind.answer.search(text))


def test_scores_are_each_query_row_added_in_turn(real_kb: KnowledgeBase) -> None:
    index = real_kb.index
    for question in QUESTIONS[:80]:
        query = real_kb.query(question)[0]
        expected = np.zeros(index.size)
        for name, terms in query.items():
            for term, weight in terms.items():
                row = index._rows.get((name, term))
                if row is not None:
                    start, end = index._indptr[row], index._indptr[row + 1]
                    expected[index._indices[start:end]] += index._data[start:end] * weight
        assert np.array_equal(index.scores(query), expected), question


@pytest.mark.parametrize("context", [None, "zhoushan-open-government-rules"])
def test_weighing_the_matched_passages_is_weighing_them_all(
    real_kb: KnowledgeBase, context: str | None
) -> None:
    numbers = real_kb._policy_number
    for question in QUESTIONS[:80]:
        query = real_kb.query(question)[0]
        dense = real_kb.index.scores(query) * real_kb._kind_weight
        whole = real_kb._document_scores(query)[numbers]
        dense = dense * (1 + real_kb.params.document_weight * whole)
        if context in real_kb._by_id:
            ours = numbers == real_kb._policy_index[context]
            dense = np.where(ours, dense * real_kb.params.context_boost, dense)
        dense = dense * real_kb._outdated_weights(TODAY)[numbers]
        matched, scores = real_kb._weighed(query, context, TODAY)
        assert np.array_equal(matched, np.flatnonzero(dense > 0)), question
        assert np.array_equal(scores, dense[matched]), question


def test_titles_holding_a_word_are_those_whose_title_contains_it(real_kb: KnowledgeBase) -> None:
    titles = [policy.title.lower() for policy in real_kb.policies]
    for question in QUESTIONS[:80]:
        for _, alternatives in real_kb._coverage_terms(question):
            for term in alternatives:
                plain = [number for number, title in enumerate(titles) if term in title]
                assert real_kb._titles_holding(term).tolist() == plain, term


def test_answers_do_not_depend_on_how_the_index_was_built(real_kb: KnowledgeBase) -> None:
    """The persisted table (built from segments) and one built in memory from the passages."""
    direct = KnowledgeBase(real_kb.policies, real_kb.analyzer, real_kb.params)
    for question in QUESTIONS:
        first = real_kb.ask(question, today=TODAY)
        assert first.to_dict() == direct.ask(question, today=TODAY).to_dict(), question
        if first.best is not None:
            scoped = real_kb.search(question, first.best.policy_id, today=TODAY)
            again = direct.search(question, first.best.policy_id, today=TODAY)
            assert scoped.to_dict() == again.to_dict(), question
