"""Questions typed by voice input or a pinyin keyboard with a wrong character of the same sound
(bot/policy/sounds.py): the library's word is read, anything else stays as typed. The
questions are written for these tests (none is in knowledge/eval)."""

from __future__ import annotations

from pathlib import Path

from bot.policy import KnowledgeBase
from bot.policy.sounds import Sounds, respelled

pytest_plugins = ("tests.unit.policy_fixtures",)

READINGS = {
    "新": ["xin"], "闻": ["wen"], "发": ["fa"], "法": ["fa"], "布": ["bu"], "会": ["hui", "kuai"],
    "听": ["ting"], "证": ["zheng"], "正": ["zheng"], "档": ["dang"], "案": ["an"], "按": ["an"],
    "馆": ["guan"], "关": ["guan"], "系": ["xi"], "因": ["yin"], "为": ["wei"], "未": ["wei"],
    "公": ["gong"], "开": ["kai"],
}
LIBRARY = {"新闻发布会": 5, "听证会": 3, "档案馆": 2, "未公开": 1, "关系": 4}


def read(text: str, tokens=()) -> str:
    sounds = Sounds(READINGS)
    return respelled(
        text,
        sounds,
        sounds.by_sound(LIBRARY),
        held=lambda part: part in LIBRARY,
        frequency=lambda word: LIBRARY.get(word, 0),
        known=lambda word: 1 if word in {"因为", "关系"} else 0,
        tokens=tokens,
        common=lambda char: char in "的是",
    )


def test_a_run_sounding_as_a_library_word_is_read_as_it() -> None:
    assert read("新闻法布会") == "新闻发布会"
    assert read("听正会") == "听证会"
    assert read("档按馆") == "档案馆"


def test_a_word_or_a_run_sharing_a_character_with_a_word_outside_stays() -> None:
    assert read("档案关系") == "档案关系"  # 关 belongs to 关系, not to 档案馆
    assert read("因为公开") == "因为公开"  # 为 belongs to 因为
    assert read("新闻发布会") == "新闻发布会"


def test_readings_load_from_the_generated_table(tmp_path: Path) -> None:
    path = tmp_path / "pinyin.tsv"
    path.write_text("# comment\n发\tfa\n大\tda,dai\n", encoding="utf-8")
    sounds = Sounds.load(path)
    assert sounds.keys("发大") == [("fa", "da"), ("fa", "dai")]
    assert not Sounds.load(tmp_path / "missing.tsv")


def test_the_rules_are_found_through_a_voice_input_typo(real_kb: KnowledgeBase) -> None:
    answer = real_kb.ask("县长一年要上几回新闻法布会")
    assert answer.question == "县长一年要上几回新闻法布会"  # as typed
    assert "1次" in answer.best.answer
    assert real_kb.heard("重大决策要开听正会吗") == "重大决策要开听证会吗"
    assert real_kb.heard("因为公开信息被告了") == "因为公开信息被告了"
