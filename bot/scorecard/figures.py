"""What the scorecard shows: each figure's definition, its numerator and its denominator.

A rate with an empty denominator is shown as "—", never 0 % or 100 %: nothing happened that the
rule could be measured on. Counts (overdue, 督办, extensions, refusals) have no denominator.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any, Optional

NO_DATA = "—"


@dataclass(frozen=True)
class Definition:
    key: str
    area: str
    label: str
    numerator: str
    denominator: Optional[str]
    explanation: str


AREAS = {
    "tickets": "12345 热线",
    "consultation": "征求意见",
    "hotspots": "政务舆情",
    "disclosure": "依申请公开",
    "policy": "政策解读",
}

DEFINITIONS: tuple[Definition, ...] = (
    Definition("signed_in_time", "tickets", "按时签收率", "signed_in_time", "sign_due",
               "签收时限已到或已签收的工单中，在签收时限内签收的"),
    Definition("closed_on_time", "tickets", "按期办结率", "replied_on_time", "close_due",
               "已办结或办理期限已到的工单中，在期限内办结的"),
    Definition("overdue", "tickets", "超期工单", "overdue", None,
               "超过办理期限才办结或至今未办结的工单数"),
    Definition("supervised", "tickets", "督办工单", "supervised", None, "被督办的工单数"),
    Definition("reopened", "tickets", "不满意重办率", "reopened", "visited",
               "已回访的工单中，因不满意重新办理的"),
    Definition("satisfaction", "tickets", "满意率", "satisfied", "rated",
               "已评价的工单中，评价为满意或基本满意的"),
    Definition("summaries_published", "consultation", "采纳情况公布率", "drafts_summarised",
               "drafts_closed", "征求意见期已结束的草案中，已公布采纳情况的"),
    Definition("opinions_answered", "consultation", "意见答复率", "opinions_answered",
               "opinions", "收到的意见中，处理结果已公布的"),
    Definition("reasons_given", "consultation", "未采纳说明理由率", "groups_with_reason",
               "groups_not_adopted", "未采纳（含部分采纳）的意见组中，公布了理由的"),
    Definition("responded_24h", "hotspots", "24小时内回应率", "responded_24h", "alerted",
               "已预警且回应时限已到或已回应的舆情中，24小时内发布回应的"),
    Definition("major_5h", "hotspots", "重大舆情5小时内发布权威信息", "major_5h", "major",
               "重大、特别重大舆情中，5小时内发布回应的"),
    Definition("major_24h", "hotspots", "重大舆情24小时内回应", "major_24h", "major",
               "重大、特别重大舆情中，24小时内发布回应的"),
    Definition("answered_on_time", "disclosure", "按期答复率", "answered_on_time", "answer_due",
               "已答复或答复期限已到的申请中，在期限内答复的"),
    Definition("extended", "disclosure", "延期答复", "extended", None, "延长答复期限的申请数"),
    Definition("refused", "disclosure", "不予公开", "refused", None,
               "答复为不予公开（含部分公开）的申请数，按理由分列"),
    Definition("interpreted_same_day", "policy", "政策解读同步发布率", "interpreted_same_day",
               "policies", "本月发布的政策文件中，解读在同一天发布的"),
)  # fmt: skip
BY_KEY = {definition.key: definition for definition in DEFINITIONS}


@dataclass(frozen=True)
class Figure:
    definition: Definition
    numerator: int
    denominator: Optional[int]
    breakdown: tuple[tuple[str, int], ...] = ()

    @property
    def shown(self) -> str:
        """ "87.5%" for a rate, "3" for a count, "—" when there is nothing to measure."""
        if self.denominator is None:
            return str(self.numerator)
        if self.denominator == 0:
            return NO_DATA
        return f"{100 * self.numerator / self.denominator:.1f}%"

    @property
    def ratio(self) -> Optional[float]:
        if not self.denominator:
            return None
        return self.numerator / self.denominator

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.definition.key,
            "area": self.definition.area,
            "label": self.definition.label,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "shown": self.shown,
            "breakdown": dict(self.breakdown),
        }


def figures_of(counts: Counter, breakdowns: Optional[dict[str, Counter]] = None) -> list[Figure]:
    """Every figure from one unit's counts (keys named in `DEFINITIONS`)."""
    breakdowns = breakdowns or {}
    return [
        Figure(
            definition,
            counts.get(definition.numerator, 0),
            None if definition.denominator is None else counts.get(definition.denominator, 0),
            tuple(sorted(breakdowns.get(definition.key, Counter()).items())),
        )
        for definition in DEFINITIONS
    ]
