"""Normalising what citizens type before anything else reads it.

Input arrives from chat widgets, Telegram and pasted documents: it may be empty, huge, full of
control characters, in traditional characters or wrapped in HTML. `clean` turns all of it into
plain simplified Chinese text of bounded length; nothing downstream has to worry again.
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

MAX_MESSAGE_CHARS = 2000

_TAG = re.compile(r"<[^>]{0,500}>")
_UNCLOSED_TAG = re.compile(r"<[A-Za-z/!?][^<>]*$")
_DECODE_ROUNDS = 3
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")
_SPACES = re.compile(r"[ \t\r\f\v\u3000\xa0]+")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_WORDLIKE = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")


@lru_cache(maxsize=1)
def _t2s():
    import opencc  # opencc-python-reimplemented: pure Python, tables shipped in the package

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional → simplified Chinese (繁體 → 繁体); other scripts pass through."""
    if not _CJK.search(text):
        return text
    return _t2s().convert(text)


def strip_html(text: str) -> str:
    """Plain text: entities decoded first (also doubly encoded ones, `&amp;lt;`), then tags
    removed, so an encoded `&lt;img onerror=…&gt;` cannot come out as markup."""
    for _ in range(_DECODE_ROUNDS):
        decoded = html.unescape(text)
        if decoded == text:
            break
        text = decoded
    return _UNCLOSED_TAG.sub(" ", _TAG.sub(" ", text))


def clean(text: object, max_chars: int = MAX_MESSAGE_CHARS) -> str:
    """Plain, simplified, single-spaced text of at most `max_chars` characters."""
    if text is None:
        return ""
    value = str(text)
    if len(value) > max_chars * 4:
        value = value[: max_chars * 4]
    value = unicodedata.normalize("NFC", value)
    value = strip_html(value)
    value = _CONTROL.sub("", value)
    value = _SPACES.sub(" ", value)
    value = re.sub(r"\s*\n\s*", "\n", value).strip()
    value = to_simplified(value)
    return value[:max_chars]


def has_content(text: str) -> bool:
    """True when the text has at least one letter, digit or Chinese character (not only emoji)."""
    return bool(_WORDLIKE.search(text or ""))
