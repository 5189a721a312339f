"""The opinion form's actions on recorded trackers, through the real consultation service and a
database holding the sample drafts, at fixed moments with 0, 1 and 2 drafts open and today.

The menu button (/give_opinion) and a message that names no draft must lead to a question about
which draft (several open), to the only draft (one open), or to "nothing open" with the public
list (none open); never to a clause being validated before a draft is chosen.
"""

from __future__ import annotations

from datetime import date

import pytest

import actions.consultation as opinion_actions
from actions.consultation import (
    ActionAskOpinionClause,
    ActionAskOpinionDraft,
    ValidateOpinionForm,
    clause_caption,
)
from bot.consultation import open_drafts
from bot.db import utcnow
from bot.services import Services
from tests.unit.consultation_fixtures import knowledge, synced  # noqa: F401
from tests.unit.recorded import action, loop, run, slot, slots_of, user

NONE_OPEN = date(2026, 8, 20)
ONE_OPEN = date(2026, 9, 15)
TWO_OPEN = date(2026, 11, 27)


@pytest.fixture
def chat(monkeypatch, settings, db, synced):  # noqa: F811 - pytest fixture
    """The actions see the test database, and `today` is what the test sets."""
    services = Services(settings)
    services.__dict__["db"] = db
    monkeypatch.setattr(opinion_actions, "services", lambda: services)

    def at(day: date) -> date:
        monkeypatch.setattr(opinion_actions, "_today", lambda: day)
        with db.session() as session:
            return len(open_drafts(session, day))

    return at


def start(message: str, intent: str = "give_opinion") -> tuple[list, list, list]:
    """The form's validation as Rasa calls it when it activates the form on a first message
    (no loop active yet; the form's execution just added); then, as the form goes on, the same
    validation with the loop active on what the opening set."""
    history = [action("action_listen"), user(message, intent), action("opinion_form")]
    said, returned = run(ValidateOpinionForm(), history)
    history += [loop("opinion_form"), *returned]
    validated_said, validated = run(ValidateOpinionForm(), history)
    return said + validated_said, returned, validated


@pytest.mark.parametrize("message", ["我想对正在征求意见的文件提点意见", "/give_opinion"])
def test_several_open_drafts_are_offered_as_buttons(chat, message):
    assert chat(TWO_OPEN) == 2
    said, returned, validated = start(message)
    assert said == []
    assert slots_of(returned)["opinion_route"] == "form"
    assert "opinion_draft" not in slots_of(returned)
    assert slots_of(validated).get("requested_slot") in (None, "opinion_draft")
    asked, _ = run(ActionAskOpinionDraft(), [user(message, "give_opinion")])
    assert len(asked[0]["buttons"]) == 2
    assert "停车管理办法" in asked[0]["text"] and "春节" in asked[0]["text"]


def test_the_only_open_draft_is_taken_and_its_clauses_show_their_titles(chat):
    assert chat(ONE_OPEN) == 1
    said, returned, validated = start("我想对正在征求意见的文件提点意见")
    draft_id = slots_of(returned)["opinion_draft"]
    assert draft_id and "垃圾分类" in said[0]["text"] and "/consultations/" in said[0]["text"]
    assert slots_of(validated)["opinion_draft"] == draft_id
    asked, _ = run(ActionAskOpinionClause(), [slot("opinion_draft", draft_id)])
    titles = [b["title"] for b in asked[0]["buttons"]]
    assert titles[0] == "整体意见"
    assert all(len(t) > len("第一条") for t in titles[1:]), titles


def test_nothing_open_says_so_with_the_public_list(chat):
    assert chat(NONE_OPEN) == 0
    said, returned, _ = start("/give_opinion")
    assert slots_of(returned)["opinion_route"] == "none"
    assert "requested_slot" in slots_of(returned) and slots_of(returned)["requested_slot"] is None, (
        "the form ends as it opens"
    )
    assert "目前没有正在公开征求意见的文件" in said[0]["text"]
    assert "/consultations" in said[0]["text"]


def test_today_the_menu_button_never_fails(chat):
    today = utcnow().date()
    count = chat(today)
    said, returned, validated = start("/give_opinion")
    route = slots_of(returned)["opinion_route"]
    assert route == ("none" if count == 0 else "form")
    if count == 1:
        assert slots_of(validated)["opinion_draft"]
    if count > 1:
        assert "opinion_draft" not in slots_of(returned)


def test_a_clause_before_a_draft_is_left_alone(chat):
    chat(TWO_OPEN)
    history = [user("第三条", "inform"), action("opinion_form"), loop("opinion_form")]
    history += [slot("opinion_clause", "第三条")]
    said, validated = run(ValidateOpinionForm(), history)
    assert said == [] and slots_of(validated)["opinion_clause"] is None


def test_clause_captions_are_short_and_keep_the_label():
    assert (
        clause_caption("第七条", "", "道路停车泊位实行分时段、差别化收费。")
        == "第七条 道路停车泊位实行分时段、差…"
    )
    assert clause_caption("第一条", "目的", "为加强") == "第一条 目的"
    assert clause_caption("第二条", "", "") == "第二条"


def test_the_chat_finds_and_checks_a_draft_without_counting_its_opinions(chat, db):
    """A popular draft holds tens of thousands of opinions: the form's steps read the drafts and
    their windows, never a COUNT over the opinions (the staff pages count them)."""
    from sqlalchemy import event

    chat(ONE_OPEN)
    statements: list[str] = []

    def seen(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement.lower())

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        said, returned, validated = start("我想对正在征求意见的文件提点意见")
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert slots_of(validated)["opinion_draft"] == slots_of(returned)["opinion_draft"]
    assert statements and not [s for s in statements if "count(" in s and "opinion" in s]
    with db.session() as session:
        listed = open_drafts(session, ONE_OPEN, counted=True)
        assert [d.opinion_count for d in listed] == [0] * len(listed)


def test_a_draft_named_outside_its_window_is_refused(chat):
    chat(ONE_OPEN)
    _, returned, _ = start("我想对正在征求意见的文件提点意见")
    draft_id = slots_of(returned)["opinion_draft"]
    chat(NONE_OPEN)  # the same draft, on a day outside its window
    history = [user(draft_id, "inform"), action("opinion_form"), loop("opinion_form")]
    history += [slot("opinion_draft", draft_id)]
    said, validated = run(ValidateOpinionForm(), history)
    assert slots_of(validated)["opinion_draft"] is None
    assert said and "征求意见" in said[0]["text"]


def test_a_form_that_ended_as_it_opened_has_nothing_to_submit(chat):
    """With nothing open the form ends at activation and Rasa's submit rule follows: the submit
    action then says nothing (no "已取消": nothing was started) and clears the form."""
    from actions.consultation import ActionSubmitOpinion

    chat(NONE_OPEN)
    said, returned = run(ActionSubmitOpinion(), [slot("opinion_route", "none")])
    assert said == []
    assert slots_of(returned)["opinion_route"] is None
