"""What the complaint form takes from a citizen's first message: phone and time, not addresses."""

from __future__ import annotations

import pytest

from actions.complaints import _TIME_WORDS, find_phone


@pytest.mark.parametrize(
    ("text", "time"),
    [
        ("普陀区沈家门渔港路18号那个工地昨天半夜还在打桩", "昨天"),
        ("住在5号楼，每晚10点以后还在吵", "10点"),
        ("小区3幢楼下天天有人烧烤", "天天"),
        ("3号晚上整栋楼停电", "3号"),
        ("环城南路108号门口的井盖没了", None),
    ],
)
def test_the_time_of_a_complaint_is_not_taken_from_its_address(text, time):
    found = _TIME_WORDS.search(text)
    assert (found.group(0) if found else None) == time


def test_a_mobile_number_is_found_with_or_without_separators():
    assert find_phone("电话 138-5701-2345，白天打") == "13857012345"
    assert find_phone("+86 13905801234") == "13905801234"
    assert find_phone("座机0580-2281234") is None
