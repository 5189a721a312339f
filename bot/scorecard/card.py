"""The scorecard of a month: city, district and department figures, a trend, and the records
behind a figure (drill-down)."""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.clock import now as clock_now
from bot.disclosure.models import DisclosureApplication
from bot.disclosure.rules import load_rules
from bot.scorecard import snapshot
from bot.scorecard.compute import (
    UNASSIGNED,
    MonthCounts,
    count_live_tickets,
    count_months,
    disclosure_conditions,
    month_bounds,
    months_back,
    ticket_conditions,
    today_month,
)
from bot.scorecard.figures import AREAS, BY_KEY, DEFINITIONS, Figure, figures_of
from bot.tickets.catalogue import Catalogue
from bot.tickets.gazetteer import Gazetteer
from bot.tickets.models import Ticket

CITY = "city"
TREND_MONTHS = 12
DRILL_LIMIT = 200


@dataclass(frozen=True)
class Unit:
    id: str
    name: str
    district: str


@dataclass(frozen=True)
class Names:
    """Department and district names from the catalogue and the gazetteer."""

    catalogue: Catalogue
    gazetteer: Gazetteer

    def unit(self, unit_id: str) -> Unit:
        body = None
        if unit_id != UNASSIGNED:
            try:
                body = self.catalogue.body(unit_id)
            except KeyError:
                body = self.catalogue.resolve(unit_id)
        if body is None:
            name = "（未派单）" if unit_id == UNASSIGNED else unit_id
            return Unit(unit_id, name, CITY)
        return Unit(unit_id, body.name, body.jurisdiction)

    def district(self, district_id: str) -> str:
        try:
            return self.gazetteer.jurisdiction(district_id).name
        except KeyError:
            return "舟山市（市本级）" if district_id == CITY else district_id


@lru_cache(maxsize=2)
def names_for(knowledge_dir: Path) -> Names:
    return Names(
        Catalogue.load(knowledge_dir / "departments.yml"),
        Gazetteer.load(knowledge_dir / "gazetteer.yml"),
    )


@lru_cache(maxsize=2)
def refusal_types(knowledge_dir: Path) -> dict[str, str]:
    """Reply types that refuse (in whole or part), with the label of their ground."""
    rules = load_rules(knowledge_dir)
    return {
        code: (kind.item_label or kind.label)
        for code, kind in rules.reply_types.items()
        if kind.refusal
    }


@dataclass(frozen=True)
class Scorecard:
    month: str
    as_of: datetime
    city: list[Figure]
    districts: list[tuple[str, str, list[Figure]]]
    departments: list[tuple[Unit, list[Figure]]]
    hotspots_available: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "month": self.month,
            "as_of": self.as_of.isoformat(timespec="seconds"),
            "areas": AREAS,
            "city": [figure.as_dict() for figure in self.city],
            "districts": [
                {"id": did, "name": name, "figures": [f.as_dict() for f in figures]}
                for did, name, figures in self.districts
            ],
            "departments": [
                {
                    "id": unit.id,
                    "name": unit.name,
                    "district": unit.district,
                    "figures": [f.as_dict() for f in figures],
                }
                for unit, figures in self.departments
            ],
        }


def build(
    session: Session,
    month: str,
    knowledge_dir: Path,
    as_of: Optional[datetime] = None,
    counted: Optional[MonthCounts] = None,
    detail: bool = True,
) -> Scorecard:
    """The month's figures; without `detail` only the city's (what a trend chart needs)."""
    as_of = as_of or clock_now()
    grounds = refusal_types(knowledge_dir)
    counts = counted or count_months(session, [month], as_of, grounds)[month]
    names = names_for(knowledge_dir)
    by_district: dict[str, Counter] = defaultdict(Counter)
    refusals_by_district: dict[str, Counter] = defaultdict(Counter)
    city, city_refusals = Counter(), Counter()
    departments = []
    if not detail:
        for unit_id, tally in counts.units.items():
            city.update(tally)
            city_refusals.update(_labelled(counts.refusals.get(unit_id), grounds))
        return Scorecard(
            month, as_of, _figures(city, city_refusals, counts.hotspots_available), [], [],
            counts.hotspots_available,
        )  # fmt: skip
    for unit_id in sorted(counts.units):
        unit = names.unit(unit_id)
        tally, refusals = counts.units[unit_id], _labelled(counts.refusals.get(unit_id), grounds)
        departments.append((unit, _figures(tally, refusals, counts.hotspots_available)))
        by_district[unit.district].update(tally)
        refusals_by_district[unit.district].update(refusals)
        city.update(tally)
        city_refusals.update(refusals)
    districts = [
        (did, names.district(did), _figures(tally, refusals_by_district[did], counts.hotspots_available))
        for did, tally in sorted(by_district.items())
    ]  # fmt: skip
    return Scorecard(
        month,
        as_of,
        _figures(city, city_refusals, counts.hotspots_available),
        districts,
        departments,
        counts.hotspots_available,
    )


def trend(
    session: Session, month: str, knowledge_dir: Path, as_of: Optional[datetime] = None
) -> list[Scorecard]:
    """The last twelve months (each area counted in one pass over the year): city figures for
    each, and every level for `month`, the last."""
    as_of = as_of or clock_now()
    months = months_back(month, TREND_MONTHS)
    counted = count_months(session, months, as_of, refusal_types(knowledge_dir))
    return [
        build(session, each, knowledge_dir, as_of, counted[each], detail=each == month)
        for each in months
    ]


def refresh_past_months(session: Session, as_of: Optional[datetime] = None) -> int:
    """Store the ticket counts of the twelve months before the current one (cron)."""
    as_of = as_of or clock_now()
    months = months_back(today_month(as_of), TREND_MONTHS + 1)[:-1]
    return snapshot.refresh(session, months, count_live_tickets(session, months, as_of), as_of)


def _figures(tally: Counter, refusals: Counter, hotspots_available: bool) -> list[Figure]:
    figures = figures_of(tally, {"refused": refusals})
    if hotspots_available:
        return figures
    return [Figure(f.definition, 0, 0) if f.definition.area == "hotspots" else f for f in figures]


def _labelled(refusals: Optional[Counter], grounds: dict[str, str]) -> Counter:
    return Counter({grounds.get(code, code): n for code, n in (refusals or {}).items()})


def to_csv(card: Scorecard) -> str:
    """One row per unit and figure: level, unit, area, figure, numerator, denominator, shown."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["month", "level", "unit_id", "unit", "area", "figure", "numerator",
                     "denominator", "shown"])  # fmt: skip
    rows = [("city", CITY, "舟山市", card.city)]
    rows += [("district", did, name, figures) for did, name, figures in card.districts]
    rows += [("department", unit.id, unit.name, figures) for unit, figures in card.departments]
    for level, unit_id, name, figures in rows:
        for figure in figures:
            writer.writerow([
                card.month, level, unit_id, name, AREAS[figure.definition.area],
                figure.definition.label, figure.numerator,
                "" if figure.denominator is None else figure.denominator, figure.shown,
            ])  # fmt: skip
    return out.getvalue()


def drill_down(
    session: Session,
    month: str,
    key: str,
    part: str,
    knowledge_dir: Path,
    unit: str = "",
    as_of: Optional[datetime] = None,
) -> list[dict[str, Any]]:
    """The records counted in a figure's numerator or denominator (`part`), at most 200.

    Tickets and 依申请公开 applications are listed by number; other areas link to their pages.
    """
    definition = BY_KEY.get(key)
    if definition is None or part not in ("numerator", "denominator"):
        return []
    count_name = getattr(definition, part)
    if count_name is None:
        return []
    as_of = as_of or clock_now()
    start, end = month_bounds(month)
    if definition.area == "tickets":
        model, conditions = Ticket, ticket_conditions(as_of)
    elif definition.area == "disclosure":
        model = DisclosureApplication
        conditions = disclosure_conditions(as_of, refusal_types(knowledge_dir))
    else:
        return []
    statement = select(model.number, model.department_id, model.status, model.created_at).where(
        model.created_at >= start, model.created_at < end, conditions[count_name]
    )
    if unit:
        statement = statement.where(
            model.department_id.is_(None) if unit == UNASSIGNED else model.department_id == unit
        )
    rows = session.execute(statement.order_by(model.created_at).limit(DRILL_LIMIT))
    return [
        {"number": number, "unit": department or UNASSIGNED, "status": status, "received": received}
        for number, department, status, received in rows
    ]


__all__ = ["DEFINITIONS", "Scorecard", "build", "drill_down", "to_csv", "trend"]
