"""Rasa tokenizer for citizens' Chinese: jieba with our dictionary, minus jieba's quirks.

Rasa's `JiebaTokenizer` passes jieba's output through unchanged, so mixed Chinese/English text
("我的APP 登录不了 help") yields whitespace-only tokens, which break featurizers that expect
non-empty tokens. This subclass drops them, lower-cases Latin letters, and tokenizes the simplified
form of traditional characters (offsets are kept, since the conversion is character for character).
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.jieba_tokenizer import JiebaTokenizer
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.training_data.message import Message

from bot.text import to_simplified


def jieba_tokens(text: str) -> List[Token]:
    """Non-blank jieba tokens of `text` with offsets into the original string."""
    import jieba

    simplified = to_simplified(text)
    source = simplified if len(simplified) == len(text) else text
    tokens = []
    for word, start, end in jieba.tokenize(source):
        if not word.strip():
            continue
        tokens.append(Token(word.strip().lower(), start, end))
    return tokens


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=True)
class ZhoushanTokenizer(JiebaTokenizer):
    """`JiebaTokenizer` that never emits whitespace tokens (see module docstring)."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return JiebaTokenizer.get_default_config()

    def tokenize(self, message: Message, attribute: str) -> List[Token]:
        text = message.get(attribute) or ""
        return self._apply_token_pattern(jieba_tokens(text))
