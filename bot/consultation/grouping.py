"""Grouping similar opinions (相对集中的意见) so staff decide each group once.

Opinions are compared only with others on the same clause. Each opinion becomes a bag of jieba
words (`terms`, stored when it is submitted so regrouping never re-tokenises), weighted by TF-IDF
fitted on that clause's opinions: words every opinion on 第七条 uses (收费, 停车) count for little,
what distinguishes them counts for much.

Clustering is a greedy form of average linkage: an opinion joins the group whose members it
resembles most on average. A first pass joins only clearly alike opinions (cosine ≥ 0.5), so the
closest opinions come together first as in exact average linkage; a second pass revisits every
opinion with the real `threshold`; finally groups that resemble each other on average are merged. Its cost is opinions × groups rather
than opinions², so 50,000 opinions take seconds. An opinion that explicitly supports (支持, 赞成)
never shares a group with one that explicitly opposes (反对, 不公平, 取消): they get different answers.

`DEFAULT_THRESHOLD` was measured, not guessed: `python -m bot eval grouping
tests/data/consultation_grouping.yml --sweep` prints pairwise precision/recall and ARI per threshold
on a hand-labelled set of 98 opinions in 26 groups.
"""

from __future__ import annotations

import re
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Optional, Sequence

import numpy as np
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot import audit
from bot.accounts import Principal
from bot.consultation.forms import require_role
from bot.consultation.models import Opinion, OpinionGroup
from bot.db import utcnow
from bot.privacy import is_personal, without_personal_data

if TYPE_CHECKING:
    from scipy import sparse

DEFAULT_THRESHOLD = 0.08
SEED_THRESHOLD = 0.5
MAX_GROUPS = 1000
KEYWORDS = 3

_NOT_WORD = re.compile(r"[^\u4e00-\u9fffA-Za-z0-9]+")
_NEGATIONS = frozenset({"不", "没", "没有", "无", "未", "别", "非", "不要", "不能"})
STOPWORDS = frozenset(
    """的 了 是 我 我们 你 您 他 她 它 他们 大家 在 也 和 与 及 或 等 就 都 要 吧 吗 呢 啊 呀
    这 那 有 一个 建议 希望 请 能 能否 应该 应当 把 被 对 让 给 从 到 为 以 之 其 此 很 太 更 还
    又 再 才 已 已经 可以 能够 觉得 认为 一下 一些 这样 那样 这个 那个 这些 那些 什么 怎么 为什么
    因为 所以 但是 但 如果 就是 还是 比如 现在 一样 个人 作为 关于 一条 这一 这一条 第 条 本 该
    谢谢 感谢 您好 你好 以上 意见 望 采纳 辛苦""".split()
)
OPPOSE_CUES = ("反对", "不同意", "不赞成", "不支持", "不合理", "不公平", "取消", "删除", "删去")
SUPPORT_CUES = ("支持", "赞成", "同意", "赞同", "很好", "点赞")


def terms(text: str) -> str:
    """The words of an opinion that matter for similarity, space-separated (stored per opinion).

    A negation is glued to the next word (不 同意 → 不同意) so "agree" and "disagree" differ.
    """
    import jieba

    words: list[str] = []
    pending = ""
    plain = without_personal_data(text).lower()
    for word in jieba.lcut(_NOT_WORD.sub(" ", plain), HMM=False):
        word = word.strip()
        if not word:
            continue
        if word in _NEGATIONS:
            pending += word
            continue
        if pending:
            words.append(pending + word)
            pending = ""
        elif word not in STOPWORDS:
            words.append(word)
    return " ".join(words)


def stance(text: str) -> int:
    """+1 when an opinion explicitly supports, -1 when it explicitly opposes, else 0."""
    if any(cue in text for cue in OPPOSE_CUES):
        return -1
    if any(cue in text for cue in SUPPORT_CUES):
        return 1
    return 0


@dataclass(frozen=True)
class Cluster:
    """Indices (into the caller's list) of opinions grouped together, the most typical one first."""

    members: list[int]
    representative: int
    keywords: list[str]


def cluster_opinions(
    opinion_terms: Sequence[str],
    stances: Sequence[int],
    threshold: float = DEFAULT_THRESHOLD,
) -> list[Cluster]:
    """Group the opinions on one clause; identical wordings are grouped before anything else."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    distinct: dict[tuple[str, int], list[int]] = defaultdict(list)
    for index, (words, leaning) in enumerate(zip(opinion_terms, stances, strict=True)):
        distinct[(words, leaning)].append(index)
    keys = [key for key in distinct if key[0]]
    singles = [Cluster([i], i, []) for key in distinct if not key[0] for i in distinct[key]]
    if not keys:
        return singles
    vectorizer = TfidfVectorizer(analyzer=str.split, sublinear_tf=True, dtype=np.float32)
    matrix = vectorizer.fit_transform([words for words, _ in keys]).tocsr()
    shared = np.bincount(matrix.indices, minlength=matrix.shape[1]) >= 2
    matrix = matrix[:, np.flatnonzero(shared)].tocsr()
    vocabulary = vectorizer.get_feature_names_out()[shared]
    weights = np.array([len(distinct[key]) for key in keys], dtype=np.float32)
    leanings = np.array([leaning for _, leaning in keys], dtype=np.int8)
    labels = _greedy_average_linkage(matrix, weights, leanings, threshold)
    clusters = []
    by_label = np.argsort(labels, kind="stable")
    for rows in np.split(by_label, np.flatnonzero(np.diff(labels[by_label])) + 1):
        centroid = np.asarray(matrix[rows].T @ weights[rows]).ravel()
        typical = rows[int(np.argmax(matrix[rows] @ centroid))]
        members = [i for row in rows for i in distinct[keys[row]]]
        ranked = (vocabulary[j] for j in np.argsort(-centroid) if centroid[j] > 0)
        top = list(islice((word for word in ranked if not is_personal(word)), KEYWORDS))
        representative = distinct[keys[typical]][0]
        members.sort(key=lambda i: i != representative)
        clusters.append(Cluster(members, representative, top))
    return sorted(clusters + singles, key=lambda c: -len(c.members))


def _greedy_average_linkage(
    matrix: sparse.csr_matrix, weights: np.ndarray, leanings: np.ndarray, threshold: float
) -> np.ndarray:
    """Labels for the rows of `matrix` (L2-normalised TF-IDF), see the module docstring.

    A group keeps the weighted sum of its members' vectors, so one dot product gives an opinion's
    average similarity to all members. The work is rows × groups, never rows × rows. Without the
    strict first pass, two topics sharing filler words ("我住定海……停车") could seed one group
    early on and never separate again. Once a clause has `MAX_GROUPS` groups, an opinion like
    none of them stays on its own without becoming a group others can join: this bounds time and
    memory when thousands of opinions share nothing.
    """
    rows, features = matrix.shape
    capacity = 64
    sums = np.zeros((capacity, features), dtype=np.float32)
    sizes = np.zeros(capacity, dtype=np.float64)
    group_leaning = np.zeros(capacity, dtype=np.int8)
    count = 0
    labels = np.full(rows, -1, dtype=np.int64)
    order = np.lexsort((-np.diff(matrix.indptr), -weights))
    for join_at in (max(threshold, SEED_THRESHOLD), threshold):
        for row in order:
            start, end = matrix.indptr[row], matrix.indptr[row + 1]
            columns, values = matrix.indices[start:end], matrix.data[start:end]
            weight, leaning, current = weights[row], leanings[row], labels[row]
            if current >= 0:
                sums[current, columns] -= weight * values
                sizes[current] -= weight
            best, score = -1, -1.0
            if count:
                allowed = (sizes[:count] > 0) & (group_leaning[:count] * leaning >= 0)
                similarity = (sums[:count, columns] @ values) / np.maximum(sizes[:count], 1e-9)
                similarity = np.where(allowed, similarity, -1.0)
                best = int(similarity.argmax())
                score = float(similarity[best])
            if score < join_at:
                if current >= 0 and sizes[current] <= 0:
                    best = current
                elif count == MAX_GROUPS:
                    labels[row] = -1
                    continue
                else:
                    if count == capacity:
                        capacity *= 2
                        sums = np.vstack([sums, np.zeros_like(sums)])
                        sizes = np.concatenate([sizes, np.zeros_like(sizes)])
                        group_leaning = np.concatenate(
                            [group_leaning, np.zeros_like(group_leaning)]
                        )
                    best = count
                    count += 1
                group_leaning[best] = 0
            sums[best, columns] += weight * values
            sizes[best] += weight
            labels[row] = best
            if leaning:
                group_leaning[best] = leaning
    labels = _merge_similar_groups(
        labels, sums[:count], sizes[:count], group_leaning[:count], threshold
    )
    untracked = labels < 0
    labels[untracked] = count + np.arange(int(untracked.sum()))
    return labels


def _merge_similar_groups(
    labels: np.ndarray, sums: np.ndarray, sizes: np.ndarray, leanings: np.ndarray, threshold: float
) -> np.ndarray:
    """Average-linkage merges between the groups of two or more opinions the passes built."""
    candidates = np.flatnonzero(sizes >= 2)
    if len(candidates) < 2:
        return labels
    gram = (sums[candidates] @ sums[candidates].T).astype(np.float64)
    size = sizes[candidates].copy()
    leaning = leanings[candidates].astype(np.int64)
    average = gram / np.outer(size, size)
    np.fill_diagonal(average, -np.inf)
    average[np.outer(leaning, leaning) < 0] = -np.inf
    alive = np.ones(len(candidates), dtype=bool)
    merged_into = np.arange(len(candidates))
    while True:
        a, b = np.unravel_index(int(np.argmax(average)), average.shape)
        if average[a, b] < threshold:
            break
        gram[a] += gram[b]
        gram[:, a] += gram[:, b]
        size[a] += size[b]
        leaning[a] = leaning[a] or leaning[b]
        alive[b] = False
        merged_into[merged_into == b] = a
        row = gram[a] / (size[a] * size)
        row[~alive] = -np.inf
        row[a] = -np.inf
        if leaning[a]:
            row[leaning * leaning[a] < 0] = -np.inf
        average[a] = row
        average[:, a] = row
        average[b] = -np.inf
        average[:, b] = -np.inf
    relabel = np.arange(len(sizes))
    relabel[candidates] = candidates[merged_into]
    return np.where(labels >= 0, relabel[np.maximum(labels, 0)], labels)


@dataclass(frozen=True)
class GroupingReport:
    draft_id: int
    opinions: int
    groups: int
    kept_groups: int
    seconds: float
    threshold: float


def group_opinions(
    session: Session,
    draft_id: int,
    *,
    actor: Principal,
    threshold: float = DEFAULT_THRESHOLD,
    now: Optional[datetime] = None,
) -> GroupingReport:
    """Regroup every opinion of a draft that is not in a decided group.

    Decided groups are kept as they are; undecided groups are dissolved and rebuilt, so opinions
    that arrived since the last run are grouped with the rest.
    """
    require_role(actor, "staff")
    started = time.perf_counter()
    now = now or utcnow()
    decided = select(OpinionGroup.id).where(
        OpinionGroup.draft_id == draft_id, OpinionGroup.outcome.is_not(None)
    )
    kept = len(session.execute(decided).all())
    undecided = select(OpinionGroup.id).where(
        OpinionGroup.draft_id == draft_id, OpinionGroup.outcome.is_(None)
    )
    session.execute(
        update(Opinion)
        .where(Opinion.draft_id == draft_id, Opinion.group_id.in_(undecided))
        .values(group_id=None)
        .execution_options(synchronize_session=False)
    )
    session.query(OpinionGroup).filter(
        OpinionGroup.draft_id == draft_id, OpinionGroup.outcome.is_(None)
    ).delete(synchronize_session=False)
    rows = session.execute(
        select(Opinion.id, Opinion.clause_id, Opinion.text, Opinion.terms)
        .where(Opinion.draft_id == draft_id, Opinion.group_id.is_(None))
        .order_by(Opinion.id)
    ).all()
    by_clause: dict[Optional[int], list] = defaultdict(list)
    for row in rows:
        by_clause[row.clause_id].append(row)
    assignments: list[dict[str, int]] = []
    created = 0
    for clause_id, members in by_clause.items():
        clusters = cluster_opinions(
            [row.terms or terms(row.text) for row in members],
            [stance(row.text) for row in members],
            threshold,
        )
        groups = [
            OpinionGroup(
                draft_id=draft_id,
                clause_id=clause_id,
                representative_id=members[cluster.representative].id,
                size=len(cluster.members),
                keywords="、".join(cluster.keywords),
                created_at=now,
            )
            for cluster in clusters
        ]
        session.add_all(groups)
        session.flush()
        created += len(groups)
        for group, cluster in zip(groups, clusters, strict=True):
            assignments.extend({"id": members[i].id, "group_id": group.id} for i in cluster.members)
    session.bulk_update_mappings(Opinion, assignments)
    seconds = time.perf_counter() - started
    audit.record(
        session,
        actor=actor.actor,
        action="consultation.grouped",
        entity_type="consultation_draft",
        entity_id=str(draft_id),
        detail={
            "opinions": len(rows),
            "groups": created,
            "kept_groups": kept,
            "threshold": threshold,
        },
        at=now,
    )
    return GroupingReport(draft_id, len(rows), created, kept, round(seconds, 3), threshold)


@dataclass(frozen=True)
class GroupingScore:
    threshold: float
    precision: float
    recall: float
    f1: float
    ari: float
    groups: int


def evaluate(path: Path, thresholds: Sequence[float]) -> tuple[int, int, list[GroupingScore]]:
    """(opinions, true groups, scores per threshold) on a labelled file like
    tests/data/consultation_grouping.yml. Precision and recall are over pairs of opinions."""
    import yaml
    from sklearn.metrics import adjusted_rand_score
    from sklearn.metrics.cluster import pair_confusion_matrix

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    texts, truth, clauses = [], [], []
    for group in data["groups"]:
        for text in group["opinions"]:
            texts.append(text)
            truth.append(group["id"])
            clauses.append(group.get("clause") or "")
    opinion_terms = [terms(t) for t in texts]
    leanings = [stance(t) for t in texts]
    scores = []
    for threshold in thresholds:
        predicted = [""] * len(texts)
        for clause in set(clauses):
            index = [i for i, c in enumerate(clauses) if c == clause]
            found = cluster_opinions(
                [opinion_terms[i] for i in index], [leanings[i] for i in index], threshold
            )
            for number, cluster in enumerate(found):
                for member in cluster.members:
                    predicted[index[member]] = f"{clause}#{number}"
        (_, false_pos), (false_neg, true_pos) = pair_confusion_matrix(truth, predicted)
        precision = true_pos / (true_pos + false_pos) if true_pos + false_pos else 1.0
        recall = true_pos / (true_pos + false_neg) if true_pos + false_neg else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        scores.append(
            GroupingScore(
                round(float(threshold), 3),
                round(float(precision), 3),
                round(float(recall), 3),
                round(float(f1), 3),
                round(float(adjusted_rand_score(truth, predicted)), 3),
                len(set(predicted)),
            )
        )
    return len(texts), len(set(truth)), scores
