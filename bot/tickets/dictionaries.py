"""jieba user dictionaries derived from the gazetteer and the catalogue.

`knowledge/dictionary/places.txt` and `departments.txt` (format `word freq tag`) let the NLU
pipeline keep 沈家门街道 or 舟山市生态环境局定海分局 in one token. They are generated from the
YAML files, never edited by hand: `python -m bot departments dictionaries` rewrites them, and a
unit test fails when they fall out of step.
"""

from __future__ import annotations

from pathlib import Path

from bot.tickets.catalogue import Catalogue
from bot.tickets.gazetteer import Gazetteer

PLACE_TAG = "ns"
ORGANISATION_TAG = "nt"
FREQUENCY = 2000


def place_lines(gazetteer: Gazetteer) -> list[str]:
    words = {name for name, _ in gazetteer.names()}
    words.update(j.full_name for j in gazetteer.jurisdictions)
    return [f"{w} {FREQUENCY} {PLACE_TAG}" for w in sorted(words) if " " not in w]


def department_lines(catalogue: Catalogue) -> list[str]:
    words = {name for body in catalogue.bodies() for name in (body.name, *body.aliases)}
    return [f"{w} {FREQUENCY} {ORGANISATION_TAG}" for w in sorted(words) if " " not in w]


def render(knowledge_dir: Path) -> dict[Path, str]:
    """The contents each dictionary file should have, by path."""
    knowledge_dir = Path(knowledge_dir)
    gazetteer = Gazetteer.load(knowledge_dir / "gazetteer.yml")
    catalogue = Catalogue.load(knowledge_dir / "departments.yml")
    folder = knowledge_dir / "dictionary"
    return {
        folder / "places.txt": "\n".join(place_lines(gazetteer)) + "\n",
        folder / "departments.txt": "\n".join(department_lines(catalogue)) + "\n",
    }


def write(knowledge_dir: Path) -> list[Path]:
    written = []
    for path, content in render(knowledge_dir).items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
        written.append(path)
    return written
