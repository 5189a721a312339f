"""Citizen-facing wording is data: the files load, every key the actions use exists, every
`action_ask_*` in the domain has a class, and mistakes are reported with file, line and field."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rasa_sdk import Action
from rasa_sdk.executor import ActionExecutor

import actions.prompts
from actions.wording import MESSAGES_FILE, WordingError, load, messages, prompts, text
from tests.unit.recorded import domain

ACTIONS = Path(actions.prompts.__file__).parent
USED_KEY = re.compile(
    r"""(?:say\(\s*dispatcher,\s*|text\(\s*|(?:cancelled|refused|not_saved)=)"(\w+)\""""
)


def test_every_key_the_actions_use_is_in_messages_yml():
    used = set()
    for module in ACTIONS.glob("*.py"):
        used |= set(USED_KEY.findall(module.read_text(encoding="utf-8")))
    assert used, "the pattern finds the uses"
    assert used <= messages().keys(), used - messages().keys()


def test_every_ask_action_of_the_domain_is_registered_and_each_prompt_has_a_class():
    executor = ActionExecutor()
    executor.register_package("actions")
    names = [a if isinstance(a, str) else next(iter(a)) for a in domain()["actions"]]
    asked = {a for a in names if a.startswith("action_ask_")}
    assert asked <= set(executor.actions), asked - set(executor.actions)
    defined = {
        cls().name()
        for cls in vars(actions.prompts).values()
        if isinstance(cls, type) and issubclass(cls, Action) and getattr(cls, "slot", "")
    }
    assert defined == {f"action_ask_{slot}" for slot in prompts()}


def test_fields_are_filled_and_missing_ones_named():
    assert (
        text("opinion_text_too_long", length=2345) == "意见最多2000字，您写了2345字，请精简后再发。"
    )
    with pytest.raises(
        WordingError, match=r"messages\.yml:\d+: opinion_text_too_long\.text needs length"
    ):
        text("opinion_text_too_long")


@pytest.mark.parametrize(
    "content, message",
    [
        ("a:\n  txt: hello\n", r"bad\.yml:2: a: unknown field txt"),
        ("a:\n  text: hi\nb:\n  buttons: []\n", r"bad\.yml:4: b\.text is missing"),
        ("a:\n  text: hi\na:\n  text: again\n", r"bad\.yml:3: a is defined twice"),
        ("a:\n  text: hi\n  buttons:\n    - title: x\n", r"bad\.yml:4: a\.buttons"),
        ("a:\n  text: 'hi {name'\n", r"bad\.yml:2: a\.text"),
    ],
)
def test_mistakes_name_file_line_and_field(tmp_path, content, message):
    path = tmp_path / "bad.yml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(WordingError, match=message):
        load(path)


def test_the_shipped_files_load():
    assert load(MESSAGES_FILE)
    assert prompts()["opinion_named"].buttons
