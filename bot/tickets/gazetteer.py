"""Where a complaint is: places of Zhoushan and the jurisdiction each belongs to.

Loaded from `knowledge/gazetteer.yml`. `locate` returns the most specific place named in a text
(a road beats a street, a street beats a district), because the most specific place is the one
the citizen is complaining about; `chain` gives the jurisdictions to try, nearest first, when a
jurisdiction has no body of its own for a function.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Optional

from bot.knowledge_files import GazetteerFile, load_data
from bot.tickets.phrases import PhraseIndex

SPECIFICITY = {
    "landmark": 6,
    "road": 5,
    "street": 4,
    "town": 4,
    "township": 4,
    "island": 4,
    "zone": 3,
    "district": 2,
    "county": 2,
    "city": 1,
}


@dataclass(frozen=True)
class Jurisdiction:
    id: str
    name: str
    level: str
    parent: Optional[str] = None
    full_name: str = ""


@dataclass(frozen=True)
class Place:
    name: str
    kind: str
    jurisdiction: str

    @property
    def specificity(self) -> int:
        return SPECIFICITY[self.kind]


class Gazetteer:
    """Jurisdictions and the places in them."""

    def __init__(
        self,
        jurisdictions: list[Jurisdiction],
        places: dict[str, Place],
        ignore: Iterable[str] = (),
    ):
        self._jurisdictions = {j.id: j for j in jurisdictions}
        self._places = places
        index: dict[str, Optional[Place]] = dict(places)
        index.update({phrase: None for phrase in ignore})
        self._index = PhraseIndex(index)

    @classmethod
    def load(cls, path: Path) -> Gazetteer:
        data = load_data(path, GazetteerFile)
        jurisdictions: list[Jurisdiction] = []
        places: dict[str, Place] = {}
        for raw in data["jurisdictions"]:
            jurisdiction = Jurisdiction(
                id=str(raw["id"]),
                name=str(raw["name"]),
                level=str(raw["level"]),
                parent=raw.get("parent"),
                full_name=str(raw.get("full_name") or raw["name"]),
            )
            jurisdictions.append(jurisdiction)
            place = Place(jurisdiction.name, jurisdiction.level, jurisdiction.id)
            for name in (jurisdiction.name, *(raw.get("aliases") or ())):
                places[str(name)] = place
        known = {j.id for j in jurisdictions}
        for raw in data["places"]:
            if raw["jurisdiction"] not in known or raw["kind"] not in SPECIFICITY:
                raise ValueError(f"{path}: bad place {raw}")
            place = Place(str(raw["name"]), str(raw["kind"]), str(raw["jurisdiction"]))
            for name in (place.name, *(raw.get("aliases") or ())):
                if str(name) in places:
                    raise ValueError(f"{path}: {name} is named twice")
                places[str(name)] = place
        return cls(jurisdictions, places, data.get("not_places") or ())

    def jurisdiction(self, jurisdiction_id: str) -> Jurisdiction:
        return self._jurisdictions[jurisdiction_id]

    @property
    def jurisdictions(self) -> list[Jurisdiction]:
        return list(self._jurisdictions.values())

    def chain(self, jurisdiction_id: str) -> list[str]:
        """`jurisdiction_id` and its ancestors, nearest first (新城 → 定海区 → 舟山市)."""
        chain: list[str] = []
        current: Optional[str] = jurisdiction_id
        while current and current not in chain:
            chain.append(current)
            current = self._jurisdictions[current].parent
        return chain

    def names(self) -> Iterator[tuple[str, Place]]:
        """Every name and alias with its place, for building word lists."""
        return iter(self._places.items())

    def places_in(self, text: str) -> list[Place]:
        return [hit.value for hit in self._index.scan(text) if hit.value is not None]

    def without_places(self, text: str) -> str:
        """`text` with place names blanked, so 西码头 or 沈家门渔港 says where, not what."""
        parts, last = [], 0
        for hit in self._index.scan(text):
            if hit.value is not None:
                parts.append(text[last : hit.start] + " ")
                last = hit.end
        return "".join(parts) + text[last:]

    def locate(self, text: str) -> Optional[Place]:
        """The most specific place named in `text` (then the longest name, then the first)."""
        best: Optional[Place] = None
        for place in self.places_in(text):
            if best is None or (place.specificity, len(place.name)) > (
                best.specificity,
                len(best.name),
            ):
                best = place
        return best
