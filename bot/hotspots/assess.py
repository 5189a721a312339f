"""What an alerted topic is, how serious, where, whose, and by when (实施细则 items 8, 9 and 11).

- Kind (item 9): the kind whose words the topic's messages use most; 社会关切 otherwise.
- Level: by the messages within the alert window, one level up for 突发事件 and at least 重大
  when casualties are named; 重大 and 特别重大 wait for a person's confirmation.
- District and first responder (item 8, 属地管理、分级负责、谁主管谁负责): a matter in one
  district goes to that district's body for the function the router finds; a matter in several
  places, or in none, to the city's body; the router's co-handlers are named too.
- Clocks (item 11): for 重大/特别重大 突发事件 authoritative information within 5 hours and a press
  conference within 24; otherwise a response within 24 hours, from the alert.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any, Optional

from bot.hotspots.detect import Settings, Topic
from bot.tickets.routing import CITY, Router

TITLE_CHARS = 36


@dataclass(frozen=True)
class Assessment:
    title: str
    kind: str
    kind_name: str
    level: str
    needs_confirmation: bool
    district: Optional[str]
    district_name: Optional[str]
    category: Optional[str]
    responsible: Optional[str]
    responsible_id: Optional[str]
    co_responsible: list[str] = field(default_factory=list)
    respond_by: Optional[datetime] = None
    press_conference_by: Optional[datetime] = None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("respond_by", "press_conference_by"):
            data[key] = data[key].isoformat() if data[key] else None
        return data


def title(topic: Topic) -> str:
    """Where and what: the most named place and problem words, else the first message."""
    place = topic.places.most_common(1)[0][0] if topic.places else ""
    text = topic.texts[0] if topic.texts else ""
    head = text.replace("\n", " ")
    if place and place not in head[:TITLE_CHARS]:
        head = f"{place}：{head}"
    return head if len(head) <= TITLE_CHARS else head[: TITLE_CHARS - 1] + "…"


def kind_of(settings: Settings, topic: Topic) -> tuple[str, str]:
    counts: Counter = Counter()
    for text in topic.texts:
        for kind, _, words in settings.kinds:
            if any(word in text for word in words):
                counts[kind] += 1
    order = [kind for kind, _, _ in settings.kinds]
    names = {kind: name for kind, name, _ in settings.kinds}
    if counts:
        best = max(counts, key=lambda kind: (counts[kind], -order.index(kind)))
        return best, names[best]
    fallback = settings.kinds[-1]
    return fallback[0], fallback[1]


def level_of(settings: Settings, topic: Topic, kind: str) -> str:
    names = [level for level, _ in settings.levels]
    index = max(i for i, (_, least) in enumerate(settings.levels) if topic.peak >= least)
    if kind in settings.raise_kinds:
        index = min(index + 1, len(names) - 1)
    if any(word in text for text in topic.texts for word in settings.casualty_words):
        index = max(index, names.index("重大") if "重大" in names else index)
    return names[index]


def district_of(router: Router, topic: Topic) -> Optional[str]:
    """The one district or county the topic's places are in; CITY when several; None when none."""
    districts = Counter()
    for jurisdiction, count in topic.jurisdictions.items():
        chain = router.gazetteer.chain(jurisdiction)
        top = next(
            (j for j in chain if router.gazetteer.jurisdiction(j).level in ("district", "county")),
            None,
        )
        if top:
            districts[top] += count
    if not districts:
        return None
    if len(districts) == 1:
        return next(iter(districts))
    (first, n1), (_, n2) = districts.most_common(2)
    return first if n1 >= 3 * n2 else CITY


def assess(router: Router, settings: Settings, topic: Topic) -> Assessment:
    kind, kind_name = kind_of(settings, topic)
    level = level_of(settings, topic, kind)
    district = district_of(router, topic)
    representative = next(
        (text for text in topic.texts if router.gazetteer.locate(text)), topic.texts[0]
    )
    routed = router.route(representative, now=topic.alert_at or topic.last_seen)
    category = routed.category
    lead_name, lead_id, co = routed.department, routed.department_id, routed.co_departments
    if category and district in (None, CITY):
        body = router.catalogue.body_for(category, CITY)
        if body:
            lead_name, lead_id = body.name, body.id
    started = topic.alert_at or topic.last_seen
    major = level in ("重大", "特别重大") and kind in settings.raise_kinds
    hours = settings.information_hours if major else settings.response_hours
    return Assessment(
        title=title(topic),
        kind=kind,
        kind_name=kind_name,
        level=level,
        needs_confirmation=level in settings.confirm_levels,
        district=district,
        district_name=router.gazetteer.jurisdiction(district).name if district else None,
        category=category,
        responsible=lead_name,
        responsible_id=lead_id,
        co_responsible=list(co),
        respond_by=started + timedelta(hours=hours) if topic.alert_at else None,
        press_conference_by=(
            started + timedelta(hours=settings.press_conference_hours)
            if major and topic.alert_at
            else None
        ),
    )
