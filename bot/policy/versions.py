"""Versions of a policy: which document replaces which, which 解读 explains which, what changed.

A newer document names what it replaces ("原《…》同时废止", or `supersedes:` in its entry, by
title, 文号 or id); a revision carries the old title with an edition mark ("（2023年修订）"),
so two entries with the same base title are versions of one policy, the later one in force.
A 解读 names its policy in its title (关于《…》的解读) or in `interprets:`.
"""

from __future__ import annotations

import difflib
from datetime import date
from typing import Iterable, Optional, Sequence

from bot.documents import sentences
from bot.policy.metadata import base_title
from bot.policy.model import Policy

_MIN_BASE_TITLE = 8


def supersessions(policies: Sequence[Policy]) -> dict[str, str]:
    """Id of each replaced policy → id of the policy replacing it."""
    by_name: dict[str, list[Policy]] = {}
    for policy in policies:
        for name in {policy.id, policy.title, policy.doc_no, base_title(policy.title)} - {""}:
            by_name.setdefault(name, []).append(policy)
    replaced: dict[str, str] = {}
    for policy in policies:
        for name in policy.supersedes:
            for old in by_name.get(name, []) + by_name.get(base_title(name), []):
                if old.id != policy.id:
                    replaced.setdefault(old.id, policy.id)
    for versions in by_name.values():
        titled = [p for p in versions if p.kind == "policy"]
        if len(titled) < 2 or len(base_title(titled[0].title)) < _MIN_BASE_TITLE:
            continue
        if len({base_title(p.title) for p in titled}) != 1:
            continue
        ordered = sorted(titled, key=_issued)
        for old, new in zip(ordered, ordered[1:], strict=False):
            if _issued(old) < _issued(new):
                replaced.setdefault(old.id, new.id)
    return replaced


def _issued(policy: Policy) -> date:
    return policy.effective or policy.published or date.min


def interpretation_links(policies: Sequence[Policy]) -> dict[str, list[str]]:
    """Id of each policy → ids of the 解读 documents that explain it."""
    by_title: dict[str, str] = {}
    ids = {policy.id for policy in policies}
    for policy in policies:
        if policy.kind == "policy":
            by_title.setdefault(policy.title, policy.id)
            by_title.setdefault(base_title(policy.title), policy.id)
    links: dict[str, list[str]] = {}
    for policy in policies:
        target = policy.interprets and (
            by_title.get(policy.interprets) or by_title.get(base_title(policy.interprets))
        )
        if not target and policy.interprets in ids:
            target = policy.interprets
        if target and target != policy.id:
            links.setdefault(target, []).append(policy.id)
    return links


def differences(new: Policy, old: Optional[Policy], explained: Iterable[Policy] = ()) -> str:
    """新旧政策差异: from the 解读 when it states them, otherwise from comparing the texts."""
    for source in (new, *explained):
        stated = [entry.text for entry in source.interpretation if entry.field == "新旧政策差异"]
        if stated:
            return "\n".join(stated)
        for pair in source.qa:
            if any(cue in pair.question for cue in ("不同", "变化", "区别", "新旧", "调整")):
                return pair.answer
    if old is None:
        return ""
    before = [s for c in old.clauses for s in sentences(c.text or c.title)]
    after = [s for c in new.clauses for s in sentences(c.text or c.title)]
    changes = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag in {"replace", "insert"}:
            changes.extend(f"新：{s}" for s in after[j1:j2])
        if tag in {"replace", "delete"}:
            changes.extend(f"原：{s}" for s in before[i1:i2])
    return "\n".join(changes)
