"""Citizen-facing wording as data: the sentences the actions say live in `messages.yml` and the
form questions in `prompts.yml`, so a civil servant can reword them without touching Python.

Each entry is `key: {text: "...", buttons: [{title, payload}, ...]}`; `{name}` fields in a text
are filled by the action. A mistake in a file is reported with its file, line and field.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Dict, List, Optional

import yaml
from rasa_sdk.executor import CollectingDispatcher

HERE = Path(__file__).parent
MESSAGES_FILE = HERE / "messages.yml"
PROMPTS_FILE = HERE / "prompts.yml"


class WordingError(ValueError):
    """A wording file or a use of it is wrong; the message names file, line and field."""


@dataclass(frozen=True)
class Wording:
    key: str
    text: str
    buttons: tuple[dict, ...]
    where: str
    fields: frozenset[str]

    def format(self, **values: Any) -> str:
        missing = self.fields - values.keys()
        if missing:
            raise WordingError(f"{self.where}: {self.key}.text needs {', '.join(sorted(missing))}")
        return self.text.format(**values) if self.fields else self.text


def _where(path: Path, node: yaml.Node) -> str:
    return f"{path.name}:{node.start_mark.line + 1}"


def _scalar(path: Path, node: yaml.Node, field: str) -> str:
    if not isinstance(node, yaml.ScalarNode) or not str(node.value).strip():
        raise WordingError(f"{_where(path, node)}: {field} must be non-empty text")
    return str(node.value)


def _buttons(path: Path, node: yaml.Node, key: str) -> tuple[dict, ...]:
    if not isinstance(node, yaml.SequenceNode):
        raise WordingError(f"{_where(path, node)}: {key}.buttons must be a list")
    buttons = []
    for item in node.value:
        if not isinstance(item, yaml.MappingNode):
            raise WordingError(f"{_where(path, item)}: {key}.buttons: each needs title and payload")
        fields = {k.value: v for k, v in item.value}
        unknown = fields.keys() - {"title", "payload"}
        if unknown or len(fields) != 2:
            raise WordingError(f"{_where(path, item)}: {key}.buttons: each needs title and payload")
        buttons.append(
            {name: _scalar(path, value, f"{key}.buttons.{name}") for name, value in fields.items()}
        )
    return tuple(buttons)


def _fields(path: Path, node: yaml.Node, key: str, text: str) -> frozenset[str]:
    try:
        return frozenset(name for _, name, _, _ in string.Formatter().parse(text) if name)
    except ValueError as error:
        raise WordingError(f"{_where(path, node)}: {key}.text: {error}") from None


def load(path: Path) -> Dict[str, Wording]:
    """Every entry of a wording file, checked."""
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise WordingError(f"{path.name}: {error}") from None
    if not isinstance(root, yaml.MappingNode):
        raise WordingError(f"{path.name}:1: the file must map keys to entries")
    entries: Dict[str, Wording] = {}
    for key_node, value in root.value:
        key = key_node.value
        if key in entries:
            raise WordingError(f"{_where(path, key_node)}: {key} is defined twice")
        if not isinstance(value, yaml.MappingNode):
            raise WordingError(f"{_where(path, value)}: {key} must have a text")
        fields = {k.value: v for k, v in value.value}
        unknown = fields.keys() - {"text", "buttons"}
        if unknown:
            raise WordingError(f"{_where(path, value)}: {key}: unknown field {sorted(unknown)[0]}")
        if "text" not in fields:
            raise WordingError(f"{_where(path, value)}: {key}.text is missing")
        text = _scalar(path, fields["text"], f"{key}.text")
        entries[key] = Wording(
            key=key,
            text=text,
            buttons=_buttons(path, fields["buttons"], key) if "buttons" in fields else (),
            where=_where(path, fields["text"]),
            fields=_fields(path, fields["text"], key, text),
        )
    return entries


@cache
def messages() -> Dict[str, Wording]:
    return load(MESSAGES_FILE)


@cache
def prompts() -> Dict[str, Wording]:
    return load(PROMPTS_FILE)


def text(key: str, **values: Any) -> str:
    """The sentence `key` of messages.yml with its fields filled."""
    try:
        wording = messages()[key]
    except KeyError:
        raise WordingError(f"{MESSAGES_FILE.name}: no entry {key}") from None
    return wording.format(**values)


def say(
    dispatcher: CollectingDispatcher,
    key: str,
    buttons: Optional[List[dict]] = None,
    **values: Any,
) -> None:
    """Send the sentence `key` (with its own buttons unless `buttons` are given)."""
    wording = messages().get(key)
    if wording is None:
        raise WordingError(f"{MESSAGES_FILE.name}: no entry {key}")
    chosen = list(wording.buttons) if buttons is None else buttons
    dispatcher.utter_message(text=wording.format(**values), buttons=chosen)
