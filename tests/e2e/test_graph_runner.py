"""Rasa's model graph run without dask (`bot.rasa_server.SequentialGraphRunner`) gives what dask
gives: the same parse of every message and the same prediction after each, on the trained model;
and the featurizers' and the classifier's matrices built directly (`side_by_side`,
`classifier_input`) give the same parses as scipy's block assembly."""

from __future__ import annotations

import asyncio

import pytest
from rasa.core.agent import load_agent
from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.core.events import ActionExecuted, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.training_data.features import Features

from bot.rasa_server import SequentialGraphRunner, classifier_input, combine_sparse_features

MESSAGES = [
    "你好", "医保怎么报销", "我要投诉楼下噪音", "谢谢", "查询工单进度 ZS20261207001",
    "我想对草案提意见", "转人工", "再见", "公积金提取需要什么材料", "小区门口垃圾没人清理",
    "？？？", "hello", "我要申请政府信息公开", "13900001111", "定海区临城街道",
]


@pytest.fixture(scope="module")
def agent(model_path):
    return asyncio.run(load_agent(model_path=str(model_path)))


def run_both(agent, call):
    runner = agent.processor.graph_runner
    outputs = []
    for kind in (DaskGraphRunner, SequentialGraphRunner):
        runner.__class__ = kind
        outputs.append(call())
    runner.__class__ = DaskGraphRunner
    return outputs


def test_every_message_parses_the_same(agent) -> None:
    for text in MESSAGES:
        dask, ours = run_both(agent, lambda text=text: asyncio.run(agent.parse_message(text)))
        assert ours == dask, text


def test_every_prediction_along_a_conversation_is_the_same(agent) -> None:
    tracker = DialogueStateTracker.from_events(
        "graph-runner",
        [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")],
        agent.domain.slots,
    )
    for text in MESSAGES:
        parsed = asyncio.run(agent.parse_message(text))
        tracker.update(UserUttered(parsed["text"], parsed["intent"], parsed["entities"], parse_data=parsed))
        dask, ours = run_both(agent, lambda: agent.processor._predict_next_with_tracker(tracker))
        assert ours.probabilities == dask.probabilities, text
        assert (ours.policy_name, ours.events, ours.is_end_to_end_prediction) == (
            dask.policy_name, dask.events, dask.is_end_to_end_prediction)
        action = agent.domain.action_names_or_texts[ours.max_confidence_index]
        tracker.update(ActionExecuted(action))
        if action != "action_listen":
            tracker.update(ActionExecuted("action_listen"))


def test_an_input_named_like_a_node_is_refused_as_rasa_refuses_it(agent) -> None:
    runner = agent.processor.graph_runner
    node = next(iter(runner._graph_schema.nodes))
    for kind in (DaskGraphRunner, SequentialGraphRunner):
        runner.__class__ = kind
        with pytest.raises(GraphRunError, match="clashes with a node name"):
            runner.run(inputs={"__message__": node}, targets=[agent.processor.model_metadata.nlu_target])
    runner.__class__ = DaskGraphRunner


def test_every_message_parses_the_same_with_matrices_built_directly(agent, monkeypatch) -> None:
    stock = [asyncio.run(agent.parse_message(text)) for text in MESSAGES]
    monkeypatch.setattr(Features, "_combine_sparse_features", combine_sparse_features)
    monkeypatch.setattr(LogisticRegressionClassifier, "_create_X", classifier_input)
    for text, expected in zip(MESSAGES, stock, strict=False):
        assert asyncio.run(agent.parse_message(text)) == expected, text


PAYLOADS = [
    "/affirm", "/deny", "  /affirm ", "/ask_policy", "/greet", "/check_status",
    '/check_status{"ticket_no": "ZS20261207001"}', '/inform{"satisfaction": "满意"}',
    '/affirm{"no_such_entity": 1}', "/affirm@0.5", "/affirm 多余的话", "/no_such_intent", "/",
    "/ 你好", "//affirm", "你好", "我要投诉楼下噪音",
]


def test_a_payload_parses_as_the_graph_parses_it_without_the_pipeline(agent, monkeypatch) -> None:
    """`parse_payload` gives what the whole graph gives (its last node, `RegexMessageHandler`,
    answers a payload from the text and the domain alone), and runs the graph only for a text
    that node would leave as it is."""
    from rasa.core.channels.channel import UserMessage
    from rasa.core.processor import MessageProcessor

    from bot.rasa_server import parse_payload

    processor = agent.processor
    stock = MessageProcessor._parse_message_with_graph
    runs: list[str] = []
    real_run = processor.graph_runner.run

    def counted(*args, **kwargs):
        runs.append("graph")
        return real_run(*args, **kwargs)

    monkeypatch.setattr(processor.graph_runner, "run", counted)
    tracker = DialogueStateTracker.from_events("payloads", [], agent.domain.slots)
    for text in PAYLOADS:
        for only_output in (True, False):
            message = UserMessage(text, sender_id="payloads", message_id="m1", metadata={"a": 1})
            expected = stock(processor, message, tracker, only_output)
            runs.clear()
            assert parse_payload(processor, message, tracker, only_output) == expected, text
            handled = expected["intent"]["name"] is not None and text.strip().startswith("/")
            handled = handled and expected.get("intent_ranking") == [expected["intent"]]
            assert runs == ([] if handled else ["graph"]), text
