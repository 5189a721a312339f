"""The asker's situation stated as a quantity, and the passages whose conditions it meets.

Citizens tell their case instead of naming the rule's category: "上班十五年了一年有几天年假",
"交了十几年失业险", "我妈66了坐公交要钱吗", "开了两千公里还能退吗". Rules state the same as
bounds: "已满10年不满20年的，年休假10天", "累计缴费时间10年以上的", "65周岁以上老年人",
"行驶里程3000公里之内". A passage holding a condition the stated quantity meets (a bound of
the same unit, within one phrase of the passage, every bound of that phrase met) is the rule for
the asker's case, rather than a clause of the same words for another case.

What counts as a stated quantity (not a question like 几年 or a rate like 一年有几天): a number
with its unit right after 了 (交了十几年, 开了两千公里) or followed by 了 (工作5年了), an age
(66岁), or a person followed by a number and 了 (我妈66了, 男的五十多了: an age). 十几 is 11–19, 二十多 21–29,
两千多 2001–2999; after a single unit it is a fraction: 5多年 and 3年多 are more than 5 (3), under 6 (4).
A length after a verb of staying or working is stated too (住半个月, 请三天), 半 is a half, and a
length meets bounds in smaller units of time (半个月 meets 三十日以下); a bound ending in a bare 内
(十五日内, 之日前1个月内) is a deadline, not a condition on the case.
"""

from __future__ import annotations

import re
from typing import Optional

from bot.documents import cn_number

_NUM = r"(\d+(?:\.\d+)?|[零〇一二三四五六七八九十百千两]+|半)"
_UNITS = {
    "周岁": "岁",
    "岁": "岁",
    "年": "年",
    "个月": "月",
    "月": "月",
    "天": "日",
    "日": "日",
    "个工作日": "工作日",
    "工作日": "工作日",
    "小时": "小时",
    "公里": "公里",
    "千米": "公里",
}
_UNIT = "(" + "|".join(sorted(_UNITS, key=len, reverse=True)) + ")"
_APPROX = r"(几|多|来)?"
_STATED = (
    re.compile(r"了" + _NUM + _APPROX + r"个?" + _UNIT + r"(多)?"),
    re.compile(_NUM + _APPROX + r"个?" + _UNIT + r"(多)?了"),
    re.compile(_NUM + _APPROX + r"(周岁|岁)(多)?"),
)
_STAYED = re.compile(r"(?:住|待|呆|干|做|上班|工作|请)" + _NUM + _APPROX + r"个?" + _UNIT + r"(多)?")
"""A length after a verb of staying or working is the asker's case even without 了 (住半个月)."""
_PERSON_AGE = re.compile(
    r"(妈|爸|母亲|父亲|老人|奶奶|爷爷|外婆|外公|姥姥|姥爷|孩子|小孩|儿子|女儿|娃|老伴|我|他|她"
    r"|男的|女的|男人|女人|本人|自己)"
    + _NUM
    + r"(多)?了"
)
_PREFIX = re.compile(
    r"(不满|未满|不足|不超过|低于|少于|已满|年满|满|超过|不少于|不低于|达到|达)" + _NUM + r"个?" + _UNIT
)
_SUFFIX = re.compile(_NUM + r"个?" + _UNIT + r"(以上|及以上|或以上|以下|以内|之内|内)")
_LOWER = frozenset({"已满", "年满", "满", "超过", "不少于", "不低于", "达到", "达", "以上", "及以上", "或以上"})
_PHRASES = re.compile(r"[，,；;。、：:\n（）()]")
_TIMES = frozenset({"年", "月", "日", "工作日", "小时"})
_YEAR_LIKE = 1900
"""A number of 年 from here on is a calendar year (2019年), not a length of time."""

Span = tuple[str, float, float]
"""(unit, lowest, highest) of a stated quantity."""


def _value(number: str) -> Optional[float]:
    if number == "半":
        return 0.5
    if re.fullmatch(r"\d+(?:\.\d+)?", number):
        return float(number)
    value = cn_number(number.replace("两", "二"))
    return None if value is None else float(value)


def _span(number: str, approx: Optional[str], unit: str, after: Optional[str] = None) -> Optional[Span]:
    """The range of `number` `unit`: said with 几/多/来 before the unit (十几年, 5多年) or 多
    after it (3年多: more than 3, under 4)."""
    value = _value(number)
    kind = _UNITS.get(unit)
    if value is None or kind is None or (kind == "年" and value >= _YEAR_LIKE):
        return None
    if after == "多" and not approx:
        return kind, value + 0.01, value + 0.99
    if approx in {"几", "多", "来"}:
        return (kind, *_approximate(value))
    return kind, value, value


def _approximate(value: float) -> tuple[float, float]:
    """The range of a number said with 几/多/来: after a round number, the next digits below its
    last non-zero one (十几 11–19, 三十多 31–39, 两千多 2001–2999); after a single unit, its
    fraction (5多年 more than 5, under 6)."""
    step = 1.0
    while value >= step * 10 and value % (step * 10) == 0:
        step *= 10
    if step == 1:
        return value + 0.01, value + 0.99
    return value + 1, value + step - 1


def stated(text: str) -> list[Span]:
    """The quantities the question states about the asker's case (see the module doc)."""
    found: list[Span] = []
    closing = {match.end() - 1 for match in _STATED[1].finditer(text)}
    for pattern in (*_STATED, _STAYED):
        for match in pattern.finditer(text):
            if pattern is _STATED[0] and match.start() in closing:
                continue  # 上班十五年了一年…: that 了 closes the statement before it
            number, approx, unit = match.group(1), match.group(2), match.group(3)
            span = _span(number, approx, unit, match.group(4))
            if span and span not in found:
                found.append(span)
    for match in _PERSON_AGE.finditer(text):
        span = _span(match.group(2), match.group(3), "岁")
        if span and span not in found and 1 <= span[1] <= 120:
            found.append(span)
    return found


def _bounds(phrase: str) -> list[tuple[str, bool, float]]:
    """(unit, is lower bound, value) of each bound in one phrase of a passage."""
    bounds = []
    for match in _PREFIX.finditer(phrase):
        value, unit = _value(match.group(2)), _UNITS.get(match.group(3))
        if value is not None and unit:
            bounds.append((unit, match.group(1) in _LOWER, value))
    for match in _SUFFIX.finditer(phrase):
        value, unit = _value(match.group(1)), _UNITS.get(match.group(2))
        if unit in _TIMES and match.group(3) == "内":
            continue  # 十五日内, 每满1年之日前1个月内: a deadline, not a condition on the case
        if value is not None and unit:
            bounds.append((unit, match.group(3) in _LOWER, value))
    return bounds


_IN = {("年", "月"): 12.0, ("年", "日"): 365.0, ("月", "日"): 30.0}
"""A stated length in one unit read in a smaller one (半个月 meets 三十日以下)."""


def _also(spans: list[Span]) -> list[Span]:
    """`spans` with each length also in the smaller units of time."""
    more = list(spans)
    for unit, low, high in spans:
        for (larger, smaller), times in _IN.items():
            if unit == larger:
                more.append((smaller, low * times, high * times))
    return more


def meets(text: str, spans: list[Span]) -> bool:
    """Whether a phrase of `text` holds a condition one of the stated quantities meets: a bound
    of its unit (a length also in days or months: 半个月 meets 三十日以下), every bound of that
    unit in the phrase met."""
    spans = _also(spans)
    for phrase in _PHRASES.split(text):
        bounds = _bounds(phrase)
        if not bounds:
            continue
        for unit, low, high in spans:
            own = [(lower, value) for kind, lower, value in bounds if kind == unit]
            if own and all(high >= value if lower else low <= value for lower, value in own):
                return True
    return False
