"""The public policy listing (政策法规查询): search the whole library, filter, page.

Search runs through the same retrieval as the chat (`KnowledgeBase.ask`), so a citizen's words
find the policy whose clauses answer them, not only titles that contain them; filters are the
issuer, the year of publication and whether the policy is in force today.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Optional

from bot.policy.kb import KnowledgeBase
from bot.policy.model import Policy

PAGE_SIZE = 20
MAX_QUERY_CHARS = 100
STATUSES = {"in_force": "现行有效", "outdated": "已失效或已被替代", "": "全部"}
_SEARCH_DEPTH = 60


@dataclass(frozen=True)
class Filters:
    query: str = ""
    issuer: str = ""
    year: Optional[int] = None
    status: str = ""
    page: int = 1

    @classmethod
    def from_args(cls, args: dict[str, str]) -> Filters:
        """From query-string values; anything malformed is ignored rather than refused."""
        year = args.get("year", "")
        page = args.get("page", "")
        status = args.get("status", "")
        return cls(
            query=args.get("q", "").strip()[:MAX_QUERY_CHARS],
            issuer=args.get("issuer", "").strip()[:80],
            year=int(year) if year.isdigit() and 1949 <= int(year) <= 2100 else None,
            status=status if status in STATUSES else "",
            page=min(int(page), 10_000) if page.isdigit() and int(page) > 0 else 1,
        )


def in_force(kb: KnowledgeBase, policy: Policy, today: date) -> bool:
    return not (
        policy.is_expired(today) or policy.is_pending(today) or policy.id in kb.superseded_by
    )


def listing(
    kb: KnowledgeBase, filters: Filters, today: Optional[date] = None
) -> tuple[list[Policy], int]:
    """The policies on the requested page, and how many match in all."""
    today = today or date.today()
    if filters.query:
        answer = kb.ask(filters.query, top_k=_SEARCH_DEPTH, today=today)
        ids = list(dict.fromkeys(result.policy_id for result in answer.results))
        found = [p for p in (kb.policy(i) for i in ids) if p is not None]
    else:
        found = sorted(kb.policies, key=lambda p: p.published or date.min, reverse=True)
    matching = [
        policy
        for policy in found
        if (not filters.issuer or policy.issuer == filters.issuer)
        and (filters.year is None or (policy.published and policy.published.year == filters.year))
        and (not filters.status or (filters.status == "in_force") == in_force(kb, policy, today))
    ]
    start = (filters.page - 1) * PAGE_SIZE
    return matching[start : start + PAGE_SIZE], len(matching)


def facets(kb: KnowledgeBase) -> dict[str, list]:
    """Issuers (most documents first) and years on offer in the filters."""
    issuers = Counter(policy.issuer for policy in kb.policies)
    years = sorted({p.published.year for p in kb.policies if p.published}, reverse=True)
    return {"issuers": [name for name, _ in issuers.most_common(40)], "years": years}


def related(kb: KnowledgeBase, policy: Policy) -> dict[str, list[Policy]]:
    """解读 documents of a policy, the policy a 解读 explains, and the versions around it."""
    interpreted = [
        kb.policy(target) for target, ids in kb.interpretations.items() if policy.id in ids
    ]
    newer = kb.policy(kb.superseded_by.get(policy.id))
    older = [kb.policy(old) for old, new in kb.superseded_by.items() if new == policy.id]
    return {
        "interpretations": [kb.policy(i) for i in kb.interpretations.get(policy.id, [])],
        "interprets": [p for p in interpreted if p],
        "newer": [newer] if newer else [],
        "older": [p for p in older if p],
    }
