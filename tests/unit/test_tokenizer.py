"""Our Rasa tokenizer: no whitespace tokens on mixed Chinese/English text, traditional read as
simplified, offsets into the original text, and it runs inside Rasa's graph like the stock one."""

from __future__ import annotations

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.tokenizers.jieba_tokenizer import JiebaTokenizer
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.tokenizer import ZhoushanTokenizer

MIXED = "我的APP 登录不了 help me  沈家门"


@pytest.fixture
def tokenizer(tmp_path):
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), "test")
    config = {**ZhoushanTokenizer.get_default_config(), "dictionary_path": "knowledge/dictionary"}
    return ZhoushanTokenizer.create(config, storage, Resource("tokenizer"), context)


def test_stock_jieba_tokenizer_emits_whitespace_tokens(tmp_path):
    storage = LocalModelStorage(tmp_path)
    stock = JiebaTokenizer.create(
        JiebaTokenizer.get_default_config(), storage, Resource("stock"),
        ExecutionContext(GraphSchema({}), "test"),
    )
    tokens = stock.tokenize(Message(data={"text": MIXED}), "text")
    assert any(not t.text.strip() for t in tokens), "the bug this tokenizer exists to fix"


def test_no_whitespace_tokens_and_offsets_point_into_the_text(tokenizer):
    tokens = tokenizer.tokenize(Message(data={"text": MIXED}), "text")
    assert tokens and all(t.text.strip() for t in tokens)
    for token in tokens:
        assert MIXED[token.start : token.end].lower() == token.text
    assert "沈家门" in [t.text for t in tokens]


def test_traditional_characters_are_read_as_simplified(tokenizer):
    tokens = tokenizer.tokenize(Message(data={"text": "舊城區的路燈壞了"}), "text")
    assert "路灯" in [t.text for t in tokens]


@pytest.mark.parametrize("text", ["", "   ", "😀😀", "\x00\x01", "a" * 5000])
def test_odd_text_never_crashes(tokenizer, text):
    message = Message(data={"text": text})
    tokenizer.process_training_data(TrainingData([message]))
    assert all(t.text.strip() for t in message.get("text_tokens", []))
