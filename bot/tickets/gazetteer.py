"""Where a complaint is: places of Zhoushan and the jurisdiction each belongs to.

Loaded from `knowledge/gazetteer.yml`. `locate` returns the most specific place named in a text
(a road beats a street, a street beats a district), because the most specific place is the one
the citizen is complaining about; `chain` gives the jurisdictions to try, nearest first, when a
jurisdiction has no body of its own for a function.

`include` files (generated from the administrative divisions, scripts/build_gazetteer.py) add
places the hand-kept file does not name. A name in several jurisdictions is `ambiguous`: `resolve`
settles it only by another place named in the same text, and otherwise reports the candidates
(the citizen is asked, or an operator decides) rather than guessing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Optional

from bot.knowledge_files import GazetteerDivisionsFile, GazetteerFile, load_data
from bot.tickets.phrases import PhraseIndex

SPECIFICITY = {
    "landmark": 6,
    "road": 5,
    "village": 5,
    "community": 5,
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
    # jurisdictions an ambiguous name may be in (then `jurisdiction` is "")
    candidates: tuple[str, ...] = ()

    @property
    def specificity(self) -> int:
        return SPECIFICITY[self.kind]


@dataclass(frozen=True)
class Location:
    """Where a text is: the most specific place settled, the words that said so, and the
    ambiguous names no other place in the text settles."""

    place: Optional[Place] = None
    words: tuple[str, ...] = ()
    unsettled: tuple[Place, ...] = ()

    @property
    def candidates(self) -> tuple[str, ...]:
        """Jurisdictions the unsettled names may be in, when they are more specific than the
        settled place (a village named alone beats its district, but not a road in it)."""
        best = self.place.specificity if self.place else 0
        found: list[str] = []
        for place in self.unsettled:
            if place.specificity > best:
                found.extend(j for j in place.candidates if j not in found)
        return tuple(found)


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
        hand_kept = set(places)
        for raw in data.get("ambiguous") or ():
            _add_ambiguous(places, raw, known, path)
        for include in data.get("include") or ():
            _include(places, hand_kept, path.parent / str(include), known)
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

    def resolve(self, text: str) -> Location:
        """The most specific settled place named in `text` (then the longest name, then the
        first) with every name that points at its jurisdiction; an ambiguous name counts as
        settled when another place in the text lies in one of its candidate jurisdictions."""
        named = [(hit.phrase, hit.value) for hit in self._index.scan(text) if hit.value is not None]
        settled = [(w, p) for w, p in named if not p.candidates]
        near = {j for _, p in settled for j in self.chain(p.jurisdiction)}
        unsettled: list[Place] = []
        for word, place in named:
            if not place.candidates:
                continue
            inside = [j for j in place.candidates if j in near and j != "city"]
            if len(inside) == 1:
                settled.append((word, Place(place.name, place.kind, inside[0])))
            else:
                unsettled.append(place)
        best: Optional[Place] = None
        for _, place in settled:
            if best is None or (place.specificity, len(place.name)) > (
                best.specificity,
                len(best.name),
            ):
                best = place
        words: tuple[str, ...] = ()
        if best is not None:
            chain = set(self.chain(best.jurisdiction))
            words = tuple(dict.fromkeys(w for w, p in settled if p.jurisdiction in chain))
        return Location(best, words, tuple(unsettled))

    def without_places(self, text: str) -> str:
        """`text` with place names blanked, so 西码头 or 沈家门渔港 says where, not what."""
        parts, last = [], 0
        for hit in self._index.scan(text):
            if hit.value is not None:
                parts.append(text[last : hit.start] + " ")
                last = hit.end
        return "".join(parts) + text[last:]

    def locate(self, text: str) -> Optional[Place]:
        """The most specific settled place named in `text` (see `resolve`)."""
        return self.resolve(text).place


def _add_ambiguous(places: dict[str, Place], raw: dict, known: set[str], path: Path) -> None:
    candidates = tuple(str(j) for j in raw.get("jurisdictions") or ())
    if len(candidates) < 2 or set(candidates) - known or raw["kind"] not in SPECIFICITY:
        raise ValueError(f"{path}: bad ambiguous place {raw}")
    place = Place(str(raw["name"]), str(raw["kind"]), "", candidates)
    for name in (place.name, *(raw.get("aliases") or ())):
        places.setdefault(str(name), place)


def _include(places: dict[str, Place], hand_kept: set[str], path: Path, known: set[str]) -> None:
    """Places of a generated file; the hand-kept file wins where both name a place."""
    data = load_data(path, GazetteerDivisionsFile)
    for raw in data.get("places") or ():
        if raw["jurisdiction"] not in known or raw["kind"] not in SPECIFICITY:
            raise ValueError(f"{path}: bad place {raw}")
        place = Place(str(raw["name"]), str(raw["kind"]), str(raw["jurisdiction"]))
        for name in (place.name, *(raw.get("aliases") or ())):
            if str(name) not in hand_kept:
                places.setdefault(str(name), place)
    for raw in data.get("ambiguous") or ():
        if str(raw["name"]) not in hand_kept:
            _add_ambiguous(places, raw, known, path)
