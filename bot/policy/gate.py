"""The out-of-library gate: when to say plainly that the library holds nothing on a question.

A citizen asking about something the library lacks (护照, 天气, 彩票) is better served by "not in
the library", the office and 12345 than by a clause that shares a word with the question. BM25
scores any shared word, and a document can hold a question's rare word in a passage about
something else (护照 among the papers for 结婚登记), so the gate asks two things of the best
passage (`KnowledgeBase.outside_library`):

- its score, in units of the library's own scale (`score_unit`: the IDF of a term only one
  passage holds; scores grow with the library's size, the unit with them), reaches
  `library_score`;
- it, with its headings and its policy's title, holds `passage_coverage` of the question's
  words weighted by rarity (`bot.policy.selection.answer_fit`).

A question asking for a value — how many days (几天, 多少个工作日), how much, what share, what
age, which date — is answered only by a passage that gives one: a clause on the annual report
holding no date does not answer "年度报告几月几号之前要公布", however many words it shares. Such
an answer is never confident (`gives_asked`, the types named in `value_types`); it is still
offered, unsure, with the closest items (it may be right: 多久更新 → 定期更新).

The thresholds were chosen by measurement on the out-of-scope questions of
knowledge/eval/policy_qa.yml and knowledge/eval/policy_library/out_of_scope.jsonl against the
in-scope answers lost on the same sets (knowledge/policy_retrieval.yml: confidence).
"""

from __future__ import annotations

import math
import re
from typing import Callable, Collection, Mapping, Sequence

from bot.policy.qtypes import QuestionType


def score_unit(passages: int) -> float:
    """BM25's IDF of a term held by one of `passages` passages."""
    return math.log(1 + (passages - 0.5) / 1.5)


def known_parts(
    token: str,
    held: Callable[[str], bool],
    frequencies: Mapping[str, int],
    stopwords: Collection[str],
) -> list[str]:
    """`token` when the library holds it (`held`), else the dictionary words it is made of,
    longest first from the left: a dictionary term may be written apart in the text (谁公开谁
    审查 in "谁公开、谁审查"), and its parts are what the library holds. A part is kept whole
    even when the library lacks it too (跨海大桥 in 舟山跨海大桥 stays the rare word it is);
    single characters left over are dropped; a token with no parts stays whole."""
    if len(token) < 3 or held(token):
        return [token]
    parts: list[str] = []
    start = 0
    while start < len(token):
        end = next(
            (
                end
                for end in range(len(token), start + 1, -1)
                if end - start < len(token) and frequencies.get(token[start:end], 0) > 0
            ),
            start + 1,
        )
        word = token[start:end]
        if end - start > 1 and word not in stopwords:
            parts.append(word)
        start = end
    return list(dict.fromkeys(parts)) or [token]


def gives_asked(
    text: str,
    asked: Sequence[QuestionType],
    value_types: Mapping[str, str],
    counted: Collection[str] = (),
) -> bool:
    """Whether `text` (the answering passage) gives what the question asks for: true unless the
    question asks for a value (a type named in `value_types`) and `text` gives none of the
    values asked, by the type's answer pattern or the pattern `value_types` adds for it (期限:
    每年, 每季度 say how often; 及时, 定期 give no time); "罚多少" asks for a penalty and an
    amount: either will do.

    A type named in `counted` asks for a number in its unit (几回 → 1次, 第几级 → 三级, 多少学时,
    提前几天 → 5个工作日, 比例是多少 → 4%): `text` must give every such type asked with a number
    (a match of its pattern holding a numeral); a date (2017年底前) does not say how many days,
    nor 提高支付比例 what share."""
    needed = [kind for kind in asked if kind.name in counted]
    if needed and not all(numbered(text, kind) for kind in needed):
        return False
    values = [kind for kind in asked if kind.name in value_types]
    return not values or any(
        kind.answer.search(text)
        or bool(value_types[kind.name] and re.search(value_types[kind.name], text))
        for kind in values
    )


_NUMERAL = re.compile(r"[\d０-９〇零一二三四五六七八九十百千万两半]")


def numbered(text: str, kind: QuestionType) -> bool:
    """Whether `text` matches `kind`'s answer pattern with a numeral in the match or just before
    it (15日内, 1次, 4％)."""
    return any(
        _NUMERAL.search(text[max(0, found.start() - 2) : found.end()])
        for found in kind.answer.finditer(text)
    )
