"""Input cleaning decodes entities before it strips tags, so encoded markup is never stored."""

from __future__ import annotations

import pytest

from bot.text import clean


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("&lt;img src=x onerror=alert(1)&gt;路灯坏了", "路灯坏了"),
        ("&amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt;噪音", "alert(1) 噪音"),
        ("&#60;svg onload=alert(1)&#62;占道", "占道"),
        ("<b>投诉</b> 甲 &amp; 乙", "投诉 甲 & 乙"),
        ("井盖丢了 <img src=x onerror=alert(1)", "井盖丢了"),
        ("收费 3 &lt; 5 元", "收费 3 < 5 元"),
    ],
)
def test_encoded_markup_is_decoded_then_removed(typed, stored):
    assert clean(typed) == stored
