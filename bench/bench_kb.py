"""Policy retrieval at 10,000 passages: our fielded BM25 vs rank_bm25 and bm25s, same run.

    python bench/bench_kb.py [--passages 10000] [--queries 1000] [--out bench/results/kb.json]

The synthetic knowledge base is deterministic: policies whose clauses, sentences and Q&A pairs
are drawn (seeded) from the word sequences of the real policies in knowledge/, so term
frequencies and lengths look like the real thing. Queries are the questions of
knowledge/eval/policy_qa.yml, repeated. All three libraries index the same analysed words (the
two baselines get one field, all words of a passage); each is timed on its own scoring call,
and ours also on the full `KnowledgeBase.ask` (cleaning, analysis, scoring, answer cutting).
Wall and CPU times are both reported: the machine may be shared, and CPU time shows what the
code costs when it has a core to itself.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Callable

import bm25s
from rank_bm25 import BM25Okapi

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.output import write_result  # noqa: E402
from bot.policy.evaluation import load_eval  # noqa: E402
from bot.policy.index import FieldedBM25  # noqa: E402
from bot.policy.kb import KnowledgeBase  # noqa: E402
from bot.policy.model import Clause, Policy, QAPair  # noqa: E402
from bot.policy.params import NON_WORD_FIELDS  # noqa: E402
from bot.text import clean  # noqa: E402

PASSAGES_PER_CLAUSE = 4  # the clause, its two sentences, one Q&A pair


class MarkovText:
    """Word sequences resembling the real passages: a seeded first-order chain over their words."""

    def __init__(self, texts: list[list[str]], seed: int) -> None:
        self.random = random.Random(seed)
        self.follow: dict[str, list[str]] = {}
        self.starts = []
        for words in texts:
            if not words:
                continue
            self.starts.append(words[0])
            for current, following in zip(words, words[1:], strict=False):
                self.follow.setdefault(current, []).append(following)
        self.vocabulary = sorted({w for words in texts for w in words})

    def sentence(self, length: int) -> str:
        word = self.random.choice(self.starts)
        words = [word]
        while len(words) < length:
            options = self.follow.get(word)
            word = self.random.choice(options) if options else self.random.choice(self.vocabulary)
            words.append(word)
        return "".join(words) + "。"


def synthetic_policies(kb: KnowledgeBase, passages: int, seed: int) -> list[Policy]:
    words = [
        [
            w
            for w in kb.analyzer.tokenizer.lcut(p.fields.get("body") or p.answer, HMM=False)
            if w.isalnum()
        ]
        for p in kb.passages
    ]
    chain = MarkovText(words, seed)
    rng = chain.random
    clauses_wanted = passages // PASSAGES_PER_CLAUSE
    policies = []
    for number in range((clauses_wanted + 49) // 50):
        clauses, pairs = [], []
        for item in range(1, min(50, clauses_wanted - number * 50) + 1):
            clause_id = str(item)
            clauses.append(
                Clause(
                    id=clause_id,
                    label=f"第{item}条",
                    title=chain.sentence(rng.randint(3, 6)).rstrip("。"),
                    text=chain.sentence(rng.randint(12, 30)) + chain.sentence(rng.randint(12, 30)),
                    reference=f"第{item}条",
                )
            )
            pairs.append(
                QAPair(
                    question=chain.sentence(rng.randint(5, 10)).rstrip("。") + "？",
                    answer=chain.sentence(rng.randint(15, 35)),
                    clause_id=clause_id,
                )
            )
        policies.append(
            Policy(
                id=f"bench-{number}",
                title=chain.sentence(6).rstrip("。"),
                issuer="示例",
                sample=True,
                clauses=tuple(clauses),
                qa=tuple(pairs),
            )
        )
    return policies


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)
    return {
        "p50_ms": round(statistics.median(ordered), 4),
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))], 4),
        "mean_ms": round(statistics.fmean(ordered), 4),
        "samples": len(ordered),
    }


def timed(function: Callable[[], object]) -> tuple[object, dict[str, float]]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = function()
    return result, {
        "wall_s": round(time.perf_counter() - wall, 3),
        "cpu_s": round(time.process_time() - cpu, 3),
    }


def time_interleaved(runners: dict[str, tuple[Callable, list, int]]) -> dict[str, dict]:
    """Per-call wall and CPU milliseconds, the libraries taking turns query by query.

    Taking turns spreads any load from other processes over all of them alike; CPU time
    (time.thread_time) leaves out the time the process waited for a core. Each runner is
    (function, inputs, every): it runs on every `every`-th input, so slow libraries can be
    sampled less often.
    """
    samples = {name: {"wall": [], "cpu": []} for name in runners}
    count = max(len(inputs) for _, inputs, _ in runners.values())
    for function, inputs, _ in runners.values():
        for value in inputs[:5]:
            function(value)
    for index in range(count):
        for name, (function, inputs, every) in runners.items():
            if index % every:
                continue
            wall, cpu = time.perf_counter(), time.thread_time()
            function(inputs[index])
            samples[name]["cpu"].append((time.thread_time() - cpu) * 1000)
            samples[name]["wall"].append((time.perf_counter() - wall) * 1000)
    return {
        name: {clock: percentiles(values) for clock, values in clocks.items()}
        for name, clocks in samples.items()
    }


def _bm25s_scores(retriever: bm25s.BM25, known: set[str], words: list[str]):
    """bm25s refuses unknown and empty queries; the others return zeros, so do the same."""
    words = [w for w in words if w in known]
    return retriever.get_scores(words) if words else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=1_000)
    parser.add_argument(
        "--rank-bm25-every", type=int, default=5, help="time it on every n-th query"
    )
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--knowledge", default=str(ROOT / "knowledge"))
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "kb.json"))
    args = parser.parse_args(argv)

    real = KnowledgeBase.load(args.knowledge)
    params = real.params
    policies = synthetic_policies(real, args.passages, args.seed)
    big, kb_build = timed(lambda: KnowledgeBase(policies, real.analyzer, params))
    analysed = big.analyse(big.passages)
    _, index_build = timed(
        lambda: FieldedBM25(
            analysed, params.field_weights, params.k1, params.b, params.max_df, params.max_df_from
        )
    )
    flat = [
        [t for name, terms in a.items() if name not in NON_WORD_FIELDS for t in terms]
        for a in analysed
    ]
    okapi, okapi_build = timed(lambda: BM25Okapi(flat))

    def build_bm25s() -> bm25s.BM25:
        retriever = bm25s.BM25()
        retriever.index(flat, show_progress=False)
        return retriever

    sparse, bm25s_build = timed(build_bm25s)

    questions = [
        clean(item.question) for item in load_eval(ROOT / "knowledge" / "eval" / "policy_qa.yml")
    ]
    rng = random.Random(args.seed)
    asked = [rng.choice(questions) for _ in range(args.queries)]
    queries = [big.query(q)[0] for q in asked]
    query_words = [list(q["body"]) for q in queries]
    known = set(sparse.vocab_dict)
    timings = time_interleaved(
        {
            "ours_ask": (big.ask, asked, 1),
            "ours_score": (big.index.scores, queries, 1),
            "bm25s_score": (lambda words: _bm25s_scores(sparse, known, words), query_words, 1),
            "rank_bm25_score": (okapi.get_scores, query_words, args.rank_bm25_every),
        }
    )

    def ratio(slow: str, fast: str, clock: str) -> float:
        return round(timings[slow][clock]["p95_ms"] / timings[fast][clock]["p95_ms"], 1)

    results = {
        "passages": len(big.passages),
        "queries": len(asked),
        "machine": {
            "python": platform.python_version(),
            "processor": platform.machine(),
            "cpus": os.cpu_count(),
            "load_average": [round(x, 2) for x in os.getloadavg()],
        },
        "ours": {
            "kb_build": kb_build,
            "index_build": index_build,
            "ask": timings["ours_ask"],
            "score": timings["ours_score"],
        },
        "rank_bm25": {"index_build": okapi_build, "score": timings["rank_bm25_score"]},
        "bm25s": {"index_build": bm25s_build, "score": timings["bm25s_score"]},
        "ratios_p95": {
            clock: {
                "rank_bm25_score_over_ours": ratio("rank_bm25_score", "ours_score", clock),
                "bm25s_score_over_ours": ratio("bm25s_score", "ours_score", clock),
                "rank_bm25_score_over_our_full_ask": ratio("rank_bm25_score", "ours_ask", clock),
            }
            for clock in ("cpu", "wall")
        },
        "targets": {
            "ask_p95_under_2ms_cpu": timings["ours_ask"]["cpu"]["p95_ms"] < 2.0,
            "ask_p95_under_2ms_wall": timings["ours_ask"]["wall"]["p95_ms"] < 2.0,
            "kb_build_under_30s_wall": kb_build["wall_s"] < 30.0,
        },
    }
    write_result(args.out, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
