"""Which of the best results answers first: tie-breaking between neighbouring clauses.

Retrieval scores whole passages; two neighbouring clauses of one policy (or a clause and a
解读 paragraph) often score within a few per cent of each other, the wrong one first because
it repeats a common word more often. What the citizen reads is the concise answer, so among
the results scoring about as well as the first (`fit_ratio`), the one whose concise answer
holds more of the question's words, weighted by how rare they are in the library, goes first.
"""

from __future__ import annotations

from typing import Sequence

Rarities = Sequence[tuple[tuple[str, ...], float]]
"""(alternatives, rarity) per content word of the question: any alternative counts as the word."""


def answer_fit(answer: str, rarities: Rarities) -> float:
    """Share of the question's words (by rarity) that `answer` holds, 0..1."""
    total = sum(rarity for _, rarity in rarities)
    if total <= 0:
        return 0.0
    text = answer.lower()
    held = sum(rarity for alternatives, rarity in rarities if any(t in text for t in alternatives))
    return held / total


def fit_order(
    scores: Sequence[float], fits: Sequence[float], ratio: float, weight: float
) -> list[int]:
    """Positions of the results, the best fitting of those near the first moved to the front.

    A result is near the first when its score is at least `ratio` of the first's; among them
    the largest score × (1 + weight × fit) goes first, the rest keep their order.
    """
    order = list(range(len(scores)))
    if not scores or weight <= 0 or scores[0] <= 0:
        return order
    near = [i for i in order if scores[i] >= ratio * scores[0]]
    best = max(near, key=lambda i: (scores[i] * (1 + weight * fits[i]), -i))
    return [best, *(i for i in order if i != best)]
