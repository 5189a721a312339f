"""Chinese text analysis for retrieval: jieba words, character bigrams, stop words, synonyms.

Citizens ask in everyday words ("一把手", "要几天") while policies use official ones
("主要负责人", "时限"): `Synonyms` maps the first to the second before searching. Character
bigrams back up jieba when it segments a question differently from the policy text, and single
characters (weighted low) catch words neither jieba nor the synonyms know.

Loading jieba's full dictionary takes about two seconds, most of it for words no policy
contains. `Analyzer.build` therefore gives jieba a compact dictionary: the full dictionary's
entries that occur in the corpus or the synonym table, plus one filler entry that keeps the
total frequency unchanged, so the corpus is segmented exactly as with the full dictionary.
The compact dictionary is cached per corpus in `cache_dir`.
"""

from __future__ import annotations

import hashlib
import logging
import re
import tempfile
from pathlib import Path
from typing import Iterable, Optional, Sequence

import jieba
import yaml

from bot.policy.places import Regions

_RUNS = re.compile(r"[\u4e00-\u9fff]+")
_CHARS = re.compile(r"[\u4e00-\u9fff]")
_WORD = re.compile(r"^[\u4e00-\u9fffa-z0-9][\u4e00-\u9fffa-z0-9.+-]*$")
_SINGLE_CJK = re.compile(r"^[\u4e00-\u9fff]$")
_FILLER = "\ue000"
_ASPECT = frozenset("了完过着好")
"""Aspect particles that split a separable word in speech (献完血, 罚了款)."""
_LOCATIVE = frozenset("上里内中")
"""Place words a noun takes in speech without becoming another word (船上, 田里)."""
_MAX_WORD_CHARS = 12
_COMPACT_UP_TO_CHARS = 1_000_000
"""A larger library uses jieba's full dictionary: compacting would cost more than it saves."""


class DataFileError(ValueError):
    """A knowledge data file (synonyms, stop words) is malformed."""


class Synonyms:
    """Everyday wording → official wording, longest phrase first so 要几天 wins over 几天."""

    def __init__(self, targets: dict[str, list[str]] | None = None) -> None:
        """`targets` maps each everyday variant to the official terms it stands for."""
        ordered = sorted((targets or {}).items(), key=lambda item: -len(item[0]))
        self.variants = tuple((variant, tuple(canon)) for variant, canon in ordered)
        self._by_first: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
        for variant, canonicals in self.variants:
            self._by_first.setdefault(variant[0], []).append((variant, canonicals))

    @classmethod
    def load(cls, path: Path) -> Synonyms:
        """`canonical: [variant, ...]` groups; a variant may belong to several groups."""
        if not path.exists():
            return cls()
        try:
            root = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
        except yaml.YAMLError as error:
            raise DataFileError(f"{path}: {error}") from error
        if root is None:
            return cls()
        if not isinstance(root, yaml.MappingNode):
            raise DataFileError(f"{path}: expected 'official term: [everyday variants]' entries")
        targets: dict[str, list[str]] = {}
        seen: set[str] = set()
        for key, value in root.value:
            where = f"{path}:{key.start_mark.line + 1}"
            canonical = str(key.value).strip().lower()
            if canonical in seen:
                raise DataFileError(f"{where}: '{key.value}' is listed twice; merge its variants")
            seen.add(canonical)
            if not isinstance(value, yaml.SequenceNode) or not all(
                isinstance(item, yaml.ScalarNode) for item in value.value
            ):
                raise DataFileError(f"{where}: '{key.value}' must map to a list of variants")
            for item in value.value:
                variant = str(item.value).strip().lower()
                if variant:
                    targets.setdefault(variant, []).append(canonical)
        return cls(targets)

    def expand(self, text: str, words: Sequence[tuple[int, int]] = ()) -> dict[str, float]:
        """Official terms for the everyday phrases in `text` (not already in it), with shares.

        A phrase standing for several official terms splits its weight among them (share
        1/n), so one colloquial phrase does not outweigh the asker's own words. `words` are
        the (start, end) spans of the text's words: a phrase lying inside a longer word is not
        that phrase (媒体 in 新媒体, 网上 in 网上申请), so it is not expanded.
        """
        found: dict[str, float] = {}
        for _, _, canonicals in self.matches(text, words):
            for canonical in canonicals:
                if canonical not in text:
                    found[canonical] = max(found.get(canonical, 0.0), 1 / len(canonicals))
        return found

    def matches(
        self, text: str, words: Sequence[tuple[int, int]] = ()
    ) -> list[tuple[int, int, tuple[str, ...]]]:
        """The everyday phrases of `text` that `expand` reads: (start, end, their official
        terms), longest first; one lying inside a longer word or an overlapping longer phrase
        is not one."""
        matches = []
        for start, char in enumerate(text):
            for variant, canonicals in self._by_first.get(char, ()):
                if text.startswith(variant, start):
                    matches.append((-len(variant), start, canonicals))
        taken = [False] * len(text)
        found: list[tuple[int, int, tuple[str, ...]]] = []
        for negative_length, start, canonicals in sorted(matches, key=lambda m: (m[0], m[1])):
            end = start - negative_length
            if any(taken[start:end]) or any(
                s <= start and end <= e and e - s > end - start and not _located(text, s, e, start, end)
                for s, e in words
            ):
                continue
            taken[start:end] = [True] * (end - start)
            found.append((start, end, canonicals))
        return found

    def terms(self) -> set[str]:
        """Every variant and official term, for the jieba dictionary."""
        return {v for v, _ in self.variants} | {c for _, canon in self.variants for c in canon}


def _located(text: str, word_start: int, word_end: int, start: int, end: int) -> bool:
    """Whether the word text[word_start:word_end] is the phrase text[start:end] followed by a
    place word (船上, 田里, 港内, 车中): such a word is still that phrase, so it is expanded."""
    return start == word_start and word_end - end == 1 and text[end] in _LOCATIVE


def read_word_list(path: Path) -> frozenset[str]:
    """One word a line; blank lines and lines starting with # are skipped."""
    if not path.exists():
        return frozenset()
    lines = (line.strip().lower() for line in path.read_text(encoding="utf-8").splitlines())
    return frozenset(line for line in lines if line and not line.startswith("#"))


class Analyzer:
    """Turns text into index terms: jieba search-mode words and CJK character bigrams."""

    _recipe: tuple = ()
    regions: Regions = Regions()
    """The places documents and questions name (bot/policy/places.py); set by the knowledge base."""

    def __init__(
        self, tokenizer: jieba.Tokenizer, stopwords: frozenset[str], synonyms: Synonyms
    ) -> None:
        self.tokenizer = tokenizer
        self.stopwords = stopwords
        self.synonyms = synonyms
        self._stop_chars = frozenset(w for w in stopwords if len(w) == 1)
        self._phrases = {
            phrase: (self.words(phrase), self.bigrams(phrase), self.unigrams(phrase))
            for _, canonicals in synonyms.variants
            for phrase in canonicals
        }

    @classmethod
    def build(
        cls,
        dictionary_dir: Path,
        stopwords_path: Path,
        synonyms_path: Path,
        corpus: Iterable[str],
        cache_dir: Optional[Path] = None,
        corpus_chars: Optional[int] = None,
    ) -> Analyzer:
        """An analyzer whose jieba knows every `*.txt` user dictionary in `dictionary_dir`.

        `corpus_chars`, when known, is the corpus's length: a corpus too long for the compact
        dictionary is then not read at all."""
        logging.getLogger("jieba").setLevel(logging.WARNING)
        synonyms = Synonyms.load(synonyms_path)
        user_dictionaries = sorted(dictionary_dir.glob("*.txt")) if dictionary_dir.is_dir() else []
        cache = cache_dir or Path(tempfile.gettempdir()) / "zhoushan-kb"
        cache.mkdir(parents=True, exist_ok=True)
        terms = sorted(synonyms.terms())
        too_long = corpus_chars is not None and (
            corpus_chars + sum(map(len, terms)) > _COMPACT_UP_TO_CHARS
        )
        texts = [] if too_long else [*corpus, *terms]
        if too_long or sum(map(len, texts)) > _COMPACT_UP_TO_CHARS:
            dictionary = str(Path(jieba.__file__).parent / "dict.txt")
        else:
            dictionary = str(compact_dictionary(texts, cache))
        recipe = (dictionary, str(cache), tuple(map(str, user_dictionaries)))
        analyzer = cls(_tokenizer(*recipe, synonyms), read_word_list(stopwords_path), synonyms)
        analyzer._recipe = recipe
        return analyzer

    def __getstate__(self) -> dict:
        """Pickled without jieba's tokenizer (it holds a lock); rebuilt from its dictionaries."""
        state = dict(self.__dict__)
        state.pop("tokenizer")
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self.tokenizer = _tokenizer(*state["_recipe"], state["synonyms"])

    def words(self, text: str) -> list[str]:
        """jieba words plus the dictionary words inside long ones (search mode), minus noise.

        Stop words are dropped before their parts are taken, so 有没有 does not leave 没有
        behind; punctuation and lone Chinese characters are dropped too (bigrams cover them).
        """
        return self._terms(self.tokenizer.cut(text.lower(), HMM=False))

    def analyse_question(self, text: str) -> tuple[list[str], dict[str, float]]:
        """The question's words, and the official terms of the everyday phrases in it."""
        text = text.lower()
        tokens = self.question_tokens(text)
        spans = [(start, end) for _, start, end in tokens if end - start > 1]
        return self._terms(token for token, _, _ in tokens), self.synonyms.expand(text, spans)

    def concepts(
        self, text: str, extra: Optional[dict[str, Sequence[str]]] = None
    ) -> list[list[tuple[frozenset[str], frozenset[str]]]]:
        """The question's everyday phrases with their official terms, each as its forms: the
        asker's own words there and each official term, as (words, character pairs). The forms
        of one phrase are alternatives, one piece of evidence however many of them a text holds
        (老人, 老年人: a text holding both is no more about old people than one holding either).
        `extra` adds forms of a word no phrase covers (its longer forms: 菜场 → 菜市场,
        KnowledgeBase._abbreviated). Words of the question in no phrase are not listed."""
        text = text.lower()
        tokens = self.question_tokens(text)
        spans = [(start, end) for _, start, end in tokens if end - start > 1]
        phrases: list[tuple[int, int, list[str]]] = [
            (start, end, [c for c in canonicals if c not in text])
            for start, end, canonicals in self.synonyms.matches(text, spans)
        ]
        for token, start, end in tokens:
            forms = [form for word in self._terms([token]) for form in (extra or {}).get(word, ())]
            if forms:
                phrases.append((start, end, forms))
        merged: list[tuple[int, int, list[str]]] = []
        for start, end, forms in sorted(phrases, key=lambda p: (p[0], -p[1])):
            if not forms:
                continue
            if merged and start < merged[-1][1]:
                last = merged[-1]
                merged[-1] = (last[0], max(last[1], end), last[2] + forms)
            else:
                merged.append((start, end, forms))
        concepts = []
        for start, end, forms in merged:
            # the asker's own words over the phrase's span (whole tokens) and its pairs
            first = min((s for _, s, e in tokens if e > start and s < end), default=start)
            last = max((e for _, s, e in tokens if e > start and s < end), default=end)
            own_words = self._terms(t for t, s, e in tokens if e > start and s < end)
            own = (frozenset(own_words), frozenset(self.bigrams(text[first:last])))
            # the question's words outside the phrase stay evidence of their own (台风这种灾害:
            # 灾害 counts beside 台风 → 自然灾害, not as one of its forms)
            rest = set(self._terms(t for t, s, e in tokens if e <= start or s >= end))
            rest.update(self.bigrams(text[:first]) + self.bigrams(text[last:]))
            alternatives = [own]
            for form in dict.fromkeys(forms):
                words, bigrams, _ = self.phrase(form)
                alternatives.append((frozenset(words) - rest, frozenset(bigrams) - rest))
            concepts.append(alternatives)
        return concepts

    def question_tokens(self, text: str) -> list[tuple[str, int, int]]:
        """jieba's tokens of a (lower-case) question, (token, start, end), with a separable
        word put back together: spoken Chinese splits a verb from its object with an aspect
        particle (献完血, 罚了款, 请过假, 离了婚), which rules never do (献血, 罚款, 请假, 离婚).
        Three single characters verb + particle + object make one token when verb and object
        are a dictionary word; the particle is dropped."""
        tokens = list(self.tokenizer.tokenize(text, HMM=False))
        joined: list[tuple[str, int, int]] = []
        i = 0
        while i < len(tokens):
            window = tokens[i : i + 3]
            if (
                len(window) == 3
                and window[1][0] in _ASPECT
                and all(_SINGLE_CJK.match(token) for token, _, _ in window)
                and window[0][0] + window[2][0] in self.tokenizer.FREQ
            ):
                joined.append((window[0][0] + window[2][0], window[0][1], window[2][2]))
                i += 3
                continue
            joined.append(tokens[i])
            i += 1
        return joined

    def _terms(self, tokens: Iterable[str]) -> list[str]:
        terms = []
        frequencies = self.tokenizer.FREQ
        for token in tokens:
            token = token.strip()
            if (
                not token
                or token in self.stopwords
                or not _WORD.match(token)
                or _SINGLE_CJK.match(token)
            ):
                continue
            for size in (2, 3):
                if len(token) > size:
                    terms.extend(
                        part
                        for part in (token[i : i + size] for i in range(len(token) - size + 1))
                        if frequencies.get(part) and part not in self.stopwords
                    )
            terms.append(token)
        return terms

    def phrase(self, phrase: str) -> tuple[list[str], list[str], list[str]]:
        """Words, bigrams and characters of an official synonym, analysed once at build time."""
        analysed = self._phrases.get(phrase)
        return analysed or (self.words(phrase), self.bigrams(phrase), self.unigrams(phrase))

    def bigrams(self, text: str) -> list[str]:
        """Overlapping pairs of Chinese characters, skipping pairs with a stop character."""
        pairs = []
        for run in _RUNS.findall(text):
            for i in range(len(run) - 1):
                pair = run[i : i + 2]
                if pair[0] not in self._stop_chars and pair[1] not in self._stop_chars:
                    pairs.append(pair)
        return pairs

    def unigrams(self, text: str) -> list[str]:
        """Chinese characters that are not stop characters: the last resort for unknown words
        such as 跑 in 跑好几趟 or 证 in 办个证."""
        return [char for char in _CHARS.findall(text) if char not in self._stop_chars]

    def has_chinese(self, text: str) -> bool:
        return bool(_RUNS.search(text))


def _tokenizer(
    dictionary: str, cache_dir: str, user_dictionaries: Sequence[str], synonyms: Synonyms
) -> jieba.Tokenizer:
    logging.getLogger("jieba").setLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer(dictionary)
    tokenizer.tmp_dir = cache_dir
    tokenizer.initialize()
    for path in user_dictionaries:
        tokenizer.load_userdict(path)
    for word in sorted(synonyms.terms()):
        if len(word) > 1 and word not in tokenizer.FREQ:
            tokenizer.add_word(word)
    return tokenizer


def compact_dictionary(texts: Iterable[str], cache_dir: Path) -> Path:
    """A jieba dictionary file holding only the entries that occur in `texts` (see module doc)."""
    texts = list(texts)
    digest = hashlib.sha1(jieba.__version__.encode())
    for text in texts:
        digest.update(text.encode("utf-8"))
        digest.update(b"\0")
    path = cache_dir / f"jieba-compact-{digest.hexdigest()[:16]}.txt"
    if path.exists():
        return path
    fragments = _substrings(texts)
    kept: list[str] = []
    total = kept_total = 0
    with jieba.get_dict_file() as handle:
        for raw in handle:
            parts = raw.decode("utf-8").split()
            if len(parts) < 2:
                continue
            freq = int(parts[1])
            total += freq
            if parts[0] in fragments:
                kept.append(" ".join(parts))
                kept_total += freq
    kept.append(f"{_FILLER} {max(total - kept_total, 1)}")
    handle, draft = tempfile.mkstemp(dir=cache_dir, suffix=".tmp")
    with open(handle, "w", encoding="utf-8") as out:
        out.write("\n".join(kept) + "\n")
    Path(draft).replace(path)
    return path


def _substrings(texts: Iterable[str]) -> set[str]:
    found: set[str] = set()
    for text in texts:
        for run in re.findall(r"[\u4e00-\u9fffA-Za-z0-9]+", text.lower()):
            for start in range(len(run)):
                for end in range(start + 1, min(len(run), start + _MAX_WORD_CHARS) + 1):
                    found.add(run[start:end])
    return found


def term_weights(
    terms: Iterable[str], weight: float = 1.0, into: Optional[dict] = None
) -> dict[str, float]:
    """Query term → weight; a repeated term keeps its highest weight rather than adding up."""
    weights: dict[str, float] = {} if into is None else into
    for term in terms:
        if weights.get(term, 0.0) < weight:
            weights[term] = weight
    return weights
