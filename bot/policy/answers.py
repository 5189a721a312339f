"""Answers as data (`Answer`, `Result`) and as the Chinese chat text citizens read (`format_reply`).

An `Answer` always exists, whatever was asked: bad input gives no results and a `reason`
code (see `REASONS`), never an exception. Each `Result` carries the concise answer (a Q&A
pair's answer, or the sentence or two of a clause that match the question, at most 200
characters), the source to cite, and the flags the reply must mention: an expired or not yet
effective policy, or a sample policy that only illustrates the format.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Iterable, Optional, Sequence

from bot.documents import sentences
from bot.policy.qtypes import QuestionType, matches

EMPTY = "empty"
NO_CONTENT = "no_content"
TOO_LONG = "too_long"
NOT_CHINESE = "not_chinese"
NO_MATCH = "no_match"
NO_PREVIOUS = "no_previous"

REASONS = {
    EMPTY: "请输入您想了解的政策问题。",
    NO_CONTENT: "没有看懂您的问题，请用文字描述您想了解的政策内容。",
    TOO_LONG: "问题太长了，请用一两句话说明您想了解什么。",
    NOT_CHINESE: "目前只能回答中文提问，请用中文描述您的问题。",
    NO_MATCH: "政策库里没有找到相关内容。您可以换个说法，或拨打12345政务服务热线咨询。",
    NO_PREVIOUS: "请先告诉我您想了解哪项政策。",
}

FOLLOWUP_CLAUSE = "clause"
FOLLOWUP_VALIDITY = "validity"
FOLLOWUP_DIFFERENCE = "difference"

_SHORT_SENTENCE = 40
_CHAR_WEIGHT = 0.5


@dataclass(frozen=True)
class Result:
    """One answer candidate. `Result(**result.to_dict())` rebuilds it (e.g. from a Rasa slot).

    answer: the concise answer (≤ 200 characters); text: the source passage (the clause with
    its notes, or the 解读 paragraph); kind: qa, clause, sentence or interpretation (the kind
    of passage that matched); clause: the citation, e.g. （二）政策解读 第5条; score: the BM25
    score; confident: only ever true for the first result of an `Answer`; suggestion: a short
    title for a quick-reply button.
    """

    answer: str
    text: str
    kind: str
    policy_id: str
    policy: str
    clause_id: Optional[str]
    clause: str
    doc_no: str
    url: str
    score: float
    confident: bool = False
    expired: bool = False
    pending: bool = False
    sample: bool = False
    suggestion: str = ""
    title: str = ""
    date: str = ""
    superseded_by: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Answer:
    """What `KnowledgeBase.ask` returns; `results` are best first, deduplicated by clause."""

    question: str
    results: tuple[Result, ...] = ()
    reason: Optional[str] = None
    followup: Optional[str] = None
    notice: str = field(default="", compare=False)
    choices: tuple[tuple[str, str], ...] = ()
    """(policy id, title) of policies that fit about equally: ask which one is meant."""
    out_of_library: bool = False
    """Nothing in the library is about the question: say so, do not offer unrelated clauses."""

    @property
    def best(self) -> Optional[Result]:
        return self.results[0] if self.results else None

    @property
    def confident(self) -> bool:
        return bool(self.results) and self.results[0].confident

    @property
    def suggestions(self) -> list[str]:
        """Short titles of the results, for quick-reply buttons when the answer is unsure."""
        return [r.suggestion for r in self.results if r.suggestion]

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "reason": self.reason,
            "confident": self.confident,
            "followup": self.followup,
            "notice": self.notice,
            "out_of_library": self.out_of_library,
            "choices": [{"policy_id": pid, "title": title} for pid, title in self.choices],
            "results": [r.to_dict() for r in self.results],
        }


def best_sentences(
    text: str,
    terms: dict[str, float],
    bigrams: Iterable[str],
    max_chars: int,
    asked: Sequence[QuestionType] = (),
    preferred: str = "",
    chars: Iterable[str] = (),
    values: Sequence[QuestionType] = (),
    value_ratio: float = 0.0,
    case: Optional[Callable[[str], bool]] = None,
) -> str:
    """The sentence (or two short ones) of `text` that best covers the query terms; a sentence
    giving what the question asks for (`asked`: a time, an amount …) counts as many words more
    as that type's boost (a time or an amount one, a condition half: "应当" says little).

    `preferred` (the matched 问答 answer or sentence) is kept only when it covers the
    question better than every sentence of `text`: on a tie the clause's own sentence
    answers, as written in the rule (a pair's answer restates it: 要。…), unless only the
    pair's answer has the shape asked for (可以… for 能不能); `chars` (the question's single
    characters) only break ties between sentences sharing the same words (县 in
    涉及县（区）的政务舆情).

    With `value_ratio` (> 0), a sentence covering at least that share of what the chosen one
    covers answers instead when the chosen one misses what the question states or asks: first
    `case` (a condition the asker's stated case meets: 65周岁以上… for 我爸六十六了), then
    `values` (a value asked for, given with a number: 十五个工作日内, 200元; `gives_value`).
    """
    parts = sentences(text)
    if not parts:
        return truncate(preferred or text, max_chars)
    pairs = set(bigrams)
    singles = set(chars)

    def coverage(sentence: str) -> float:
        words = sum(weight for term, weight in terms.items() if term in sentence)
        share = sum(1 for pair in pairs if pair in sentence) / (len(pairs) or 1)
        single = sum(1 for char in singles if char in sentence) / (len(singles) or 1)
        kind = matches(sentence, asked) if asked else 0.0
        return words + share + _CHAR_WEIGHT * single + kind

    scores = [-1.0 if asks(part) else coverage(part) for part in parts]
    best = max(range(len(parts)), key=lambda i: (scores[i], -i))
    chosen, top, kept = parts[best], scores[best], False
    if preferred and (coverage(preferred), _shape(preferred, asked)) > (
        scores[best],
        _shape(parts[best], asked),
    ):
        chosen, top, kept = preferred, coverage(preferred), True
    wanted = []
    if case is not None and value_ratio > 0:
        wanted.append(case)
    if values and value_ratio > 0:
        wanted.append(lambda sentence: gives_value(sentence, values))
    for wants in wanted:  # the asker's stated case, then the value asked for
        if wants(chosen):
            continue
        giving = [
            i for i, part in enumerate(parts) if scores[i] >= value_ratio * top and wants(part)
        ]
        if giving:
            best = max(giving, key=lambda i: (scores[i], -i))
            chosen, kept = parts[best], False
    if kept:
        return truncate(preferred, max_chars)
    return sentence_at(parts, best, max_chars)


def with_value(
    answer: str,
    text: str,
    terms: dict[str, float],
    bigrams: Iterable[str],
    max_chars: int,
    asked: Sequence[QuestionType] = (),
    chars: Iterable[str] = (),
    values: Sequence[QuestionType] = (),
    value_ratio: float = 0.0,
    case: Optional[Callable[[str], bool]] = None,
) -> str:
    """`answer` (a matched sentence or 问答 answer), or, when it gives none of the `values`
    asked for, the sentence of `text` (its clause) chosen by `best_sentences` with `answer`
    as the preferred one, if that gives one."""
    if not values or value_ratio <= 0 or gives_value(answer, values):
        return answer
    typed = best_sentences(
        text, terms, bigrams, max_chars, asked, answer, chars, values, value_ratio, case
    )
    return typed if gives_value(typed, values) else answer


def _shape(sentence: str, asked: Sequence[QuestionType]) -> float:
    """How much of what the question asks for (`asked`) `sentence` gives: breaks a tie."""
    return matches(sentence, asked) if asked else 0.0


_NUMERAL = re.compile(r"[\d０-９一二三四五六七八九十百千万两半]")


def gives_value(sentence: str, values: Sequence[QuestionType]) -> bool:
    """Whether `sentence` gives one of the values asked for: a match of the type's answer
    pattern holding a number (15日内, 二百元, 百分之八), not only a word (收费标准, 期限)."""
    return any(
        _NUMERAL.search(found.group())
        for kind in values
        for found in kind.answer.finditer(sentence)
    )


def asks(sentence: str) -> bool:
    """Whether `sentence` is a question (a 问答 heading kept in a clause): never an answer."""
    return sentence.rstrip().endswith(("？", "?"))


def sentence_at(parts: list[str], index: int, max_chars: Optional[int] = None) -> str:
    """Sentence `index`, followed by the next one when it is too short to stand alone."""
    chosen = parts[index]
    if len(chosen) < _SHORT_SENTENCE and index + 1 < len(parts):
        joined = chosen + parts[index + 1]
        if max_chars is None or len(joined) <= max_chars:
            chosen = joined
    return chosen if max_chars is None else truncate(chosen, max_chars)


def truncate(text: str, max_chars: int) -> str:
    """At most `max_chars` characters, cut after a comma or semicolon when one is near the end."""
    text = text.strip()
    if len(text) <= max_chars:
        return text
    head = text[: max_chars - 1]
    cut = max(head.rfind("，"), head.rfind("；"), head.rfind("、"))
    if cut >= max_chars // 2:
        head = head[: cut + 1]
    return head.rstrip("，；、") + "…"


def citation(result: Result) -> str:
    """来源：《title》（二）政策解读 第5条，文号…，链接 (parts the policy lacks are left out)."""
    parts = [f"来源：《{result.policy}》{result.clause}"]
    if result.doc_no:
        parts.append(f"文号：{result.doc_no}")
    if result.date:
        parts.append(f"{result.date}发布")
    if result.url:
        parts.append(result.url)
    return "，".join(parts)


def caveats(result: Result) -> list[str]:
    notes = []
    if result.expired:
        notes.append("注意：该政策已失效，以上内容仅供参考，请以现行政策为准。")
    if result.pending:
        notes.append("注意：该政策尚未生效。")
    if result.superseded_by:
        notes.append(f"注意：该文件已被《{result.superseded_by}》替代，请以新文件为准。")
    if result.sample:
        notes.append("说明：这是演示用的示例政策，并非真实文件。")
    return notes


def format_reply(answer: Answer) -> str:
    """The chat message for `answer`: the answer and its source, or "not sure" and the closest items."""
    if answer.reason:
        return REASONS.get(answer.reason, REASONS[NO_MATCH])
    if answer.out_of_library:
        return REASONS[NO_MATCH]
    best = answer.best
    if best is None:
        return REASONS[NO_MATCH]
    if answer.followup == FOLLOWUP_DIFFERENCE:
        return "\n".join([answer.notice, citation(best)])
    if answer.choices:
        titles = "、".join(f"《{title}》" for _, title in answer.choices)
        return f"有几份政策文件都讲到这个问题：{titles}。请问您想了解哪一份？"
    if answer.followup == FOLLOWUP_VALIDITY:
        return "\n".join([answer.notice, citation(best), *caveats(best)])
    if answer.followup == FOLLOWUP_CLAUSE:
        return "\n".join(
            [f"出自《{best.policy}》{best.clause}：", best.text, citation(best), *caveats(best)]
        )
    if best.confident:
        return "\n".join([best.answer, citation(best), *caveats(best)])
    lines = ["这个问题我不太确定，下面这些内容可能相关："]
    for number, result in enumerate(answer.results, 1):
        flags = "".join(
            f"（{flag}）"
            for flag, on in (("已失效", result.expired), ("示例", result.sample))
            if on
        )
        lines.append(
            f"{number}. 《{result.policy}》{flags}{result.clause}：{truncate(result.answer, 60)}"
        )
    lines.append("您可以点选上面的条目、换个说法再问，或拨打12345政务服务热线咨询。")
    return "\n".join(lines)
