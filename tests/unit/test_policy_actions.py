"""What the chat says for each kind of policy answer (actions/policy.py), with the knowledge base
and the router stood in: an answer it is not sure of is marked so and names the office; a
matter outside the library gets no clause at all."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

import actions.policy as policy_actions
from actions.policy import ActionAnswerPolicy
from bot.policy import Answer, Result
from tests.unit.recorded import run, user

OFFICE = "舟山市医疗保障局"


def result(answer: str, score: float) -> Result:
    return Result(
        answer=answer,
        text=answer,
        kind="clause",
        policy_id="p",
        policy="浙江省医疗保障条例",
        clause_id="12",
        clause="第十二条",
        doc_no="",
        url="",
        score=score,
    )


@pytest.fixture
def answering(monkeypatch):
    def stand_in(answer: Answer) -> None:
        kb = SimpleNamespace(followup=lambda question, previous: answer)
        router = SimpleNamespace(route=lambda question: SimpleNamespace(department=OFFICE))
        services = SimpleNamespace(kb=kb, router=router)
        monkeypatch.setattr(policy_actions, "services", lambda: services)

    return stand_in


def test_an_answer_it_is_not_sure_of_is_marked_and_names_the_office(answering) -> None:
    answering(
        Answer(
            question="医保卡丢了去哪补办",
            results=(result("参保人员可以申领医保电子凭证。", 180.0),),
        )
    )
    said, returned = run(ActionAnswerPolicy(), [user("医保卡丢了去哪补办", "ask_policy")])
    text = said[0]["text"]
    assert text.startswith("这个问题我不太确定")
    assert f"这类事项一般由{OFFICE}负责" in text and "12345" in text
    assert returned == []  # an unsure answer sets no policy in context


def test_a_matter_outside_the_library_gets_the_office_and_no_clause(answering) -> None:
    answering(
        Answer(
            question="护照怎么办", results=(result("本人的有效护照；", 70.0),), out_of_library=True
        )
    )
    said, _ = run(ActionAnswerPolicy(), [user("护照怎么办", "ask_policy")])
    text = said[0]["text"]
    assert text.startswith("政策库里没有找到回答这个问题的政策文件")
    assert OFFICE in text and "《" not in text and "护照；" not in text
    assert [b["title"] for b in said[0]["buttons"]] == ["转人工", "提交咨询工单"]
