"""Questions typed by voice input or pinyin with a wrong character of the same sound.

Voice input and pinyin keyboards write a word as another of the same sound: 正务公开 for 政务公开,
新闻法布会 for 新闻发布会, 人打代表 for 人大代表, 听正会 for 听证会. Such a run of characters is
no word of the library or the dictionary, and a word of the library sounds as it does (tones
aside: 法 fǎ, 发 fā) and differs from it in one character. The question is read with that word
(`respelled`); anything else is left as typed. The readings are knowledge/pinyin.tsv
(scripts/build_pinyin.py); jieba's general dictionary tells which pairs are words.
"""

from __future__ import annotations

from functools import lru_cache
from itertools import product
from pathlib import Path
from typing import Callable, Iterable, Mapping, Sequence

_MAX_KEYS = 8
_LONGEST = 5


@lru_cache(maxsize=1)
def common_pairs(minimum: int = 3) -> frozenset[str]:
    """The two-character words of jieba's general dictionary (used at least `minimum` times
    there): 因为, 大赛, 回国 are words even where the library's own dictionary lacks them."""
    import jieba

    path = Path(jieba.__file__).parent / "dict.txt"
    pairs = set()
    try:
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                parts = line.split(" ", 2)
                if len(parts) >= 2 and len(parts[0]) == 2 and parts[1].isdigit():
                    if int(parts[1]) >= minimum:
                        pairs.add(parts[0])
    except OSError:
        return frozenset()
    return frozenset(pairs)


class Sounds:
    """Each common character's readings without tones (好: hao; 大: da, dai, tai)."""

    def __init__(self, readings: Mapping[str, Sequence[str]]) -> None:
        self.readings = {char: tuple(sounds) for char, sounds in readings.items() if sounds}

    @classmethod
    def load(cls, path: Path) -> Sounds:
        """From a tab-separated file (character, comma-separated readings); empty if missing."""
        readings: dict[str, list[str]] = {}
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                if not line or line.startswith("#") or "\t" not in line:
                    continue
                char, sounds = line.split("\t", 1)
                readings[char] = [s for s in sounds.split(",") if s]
        return cls(readings)

    def __bool__(self) -> bool:
        return bool(self.readings)

    def keys(self, word: str) -> list[tuple[str, ...]]:
        """The ways `word` may sound (one per combination of its characters' readings, at most
        a few); none when a character has no known reading."""
        options = [self.readings.get(char) for char in word]
        if not all(options):
            return []
        keys = []
        for key in product(*options):
            keys.append(key)
            if len(keys) >= _MAX_KEYS:
                break
        return keys

    def by_sound(self, words: Iterable[str]) -> dict[tuple[str, ...], list[str]]:
        """The words of `words` (two to five characters) by the ways they sound."""
        found: dict[tuple[str, ...], list[str]] = {}
        for word in words:
            if 2 <= len(word) <= _LONGEST and all("\u4e00" <= c <= "\u9fff" for c in word):
                for key in self.keys(word):
                    found.setdefault(key, []).append(word)
        return found


def respelled(
    text: str,
    sounds: Sounds,
    words: Mapping[tuple[str, ...], Sequence[str]],
    held: Callable[[str], bool],
    frequency: Callable[[str], int],
    known: Callable[[str], int],
    tokens: Sequence[tuple[int, int]] = (),
    kept: Callable[[int], bool] = lambda position: False,
    common: Callable[[str], bool] = lambda char: False,
    shortest: int = 3,
) -> str:
    """`text` with each run of three to five characters that sounds as a word of the library
    (`words`, by sound, tones aside) and differs from it in one character read as that word,
    the most frequent in the library (`frequency`) when several fit; longer words first
    (新闻法布会 → 新闻发布会, 人打代表 → 人大代表, 听正会 → 听证会, 档按馆 → 档案馆: the word's
    other characters vouch for it). The run must be no word itself (`held` by the library or
    `known` to its dictionary), the character changed no function word (`common`: 的, 是) and
    not part of a word with its neighbour outside the run (因为公开 is no typo of 未公开: 因为
    is a word; 档案关系 none of 档案馆). Positions `kept` (inside an everyday word the synonyms
    know) stay.

    Pairs (`shortest` 2: 鱼情 → 舆情, 解毒 → 解读) are measured and off: with nothing else to
    vouch for them, about one question in six of the evaluation sets was misread (是 → 市, 的 →
    地). A pair is then read so only when the library never holds it, it is the question's
    token (`tokens`, as (start, end)) or two characters standing alone, and the word is more
    frequent in the dictionary than the pair."""
    chars = list(text)
    spans = {}
    token_set = set(tokens)
    for start, end in tokens:
        for index in range(start, end):
            spans[index] = (start, end)

    def chinese(part: str) -> bool:
        return all("\u4e00" <= c <= "\u9fff" for c in part)

    def bound(pair: str) -> bool:  # a word or held: its characters belong together
        return (
            len(pair) == 2
            and chinese(pair)
            and (held(pair) or known(pair) > 0 or pair in common_pairs())
        )

    def alone_or_word(index: int) -> bool:
        if not tokens:
            return True
        first, second = spans.get(index), spans.get(index + 1)
        return first == (index, index + 2) or (
            first == (index, index + 1) and second == (index + 1, index + 2)
        )

    def fits(start: int, word: str) -> bool:
        window = "".join(chars[start : start + len(word)])
        changed = [i for i in range(len(word)) if word[i] != window[i]]
        if len(changed) != 1:
            return False
        at = start + changed[0]
        outside = []
        if changed[0] == 0 and at > 0:
            outside.append("".join(chars[at - 1 : at + 1]))
        if changed[0] == len(word) - 1:
            outside.append("".join(chars[at : at + 2]))
        if len(word) == 2:
            outside.append(
                "".join(chars[at - 1 : at + 1]) if changed[0] == 0 else "".join(chars[at : at + 2])
            )
        if common(window[changed[0]]) or any(
            bound(pair) or (at - 1, at + 1) in token_set or (at, at + 2) in token_set
            for pair in outside
            if len(pair) == 2
        ):
            return False
        return len(word) > 2 or known(word) > known(window)

    done = [False] * len(chars)
    for length in range(_LONGEST, shortest - 1, -1):
        for start in range(0, len(chars) - length + 1):
            window = "".join(chars[start : start + length])
            if any(done[start : start + length]) or not chinese(window):
                continue
            heard_as = [
                word for key in sounds.keys(window) for word in words.get(key, ()) if word != window
            ]
            if not heard_as:  # the cheap test first: most runs sound as no word of the library
                continue
            if held(window) or (length > 2 and known(window) > 0):
                continue
            if length == 2 and (not alone_or_word(start) or any(common(c) for c in window)):
                continue
            if any(kept(i) for i in range(start, start + length)):
                continue
            candidates = {word for word in heard_as if fits(start, word)}
            if not candidates:
                continue
            best = max(sorted(candidates), key=frequency)
            chars[start : start + length] = list(best)
            for i in range(start, start + length):
                done[i] = True
    return "".join(chars)
