"""The persisted policy index: built from per-file segments, incremental, memory-mapped on load.

Whatever way the index is built (from the passages' token lists, from segments, after an
import of more files, read back from disk), it must be the same index: same postings, same
weights, same passages, so answers never depend on how the library came to be.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from bot.policy import KnowledgeBase
from bot.policy.importer import import_tree
from bot.policy.index import FieldedBM25
from bot.policy.segments import policy_paths
from tests.unit.policy_data import KNOWLEDGE

CORPUS = KNOWLEDGE / "eval" / "policy_library" / "corpus"


def postings(index: FieldedBM25) -> dict[tuple[str, str], tuple[list[int], list[float]]]:
    """Each (field, term) row's passages and weights, independent of row numbering."""
    rows = {}
    for key, row in index._rows.items():
        start, end = int(index._indptr[row]), int(index._indptr[row + 1])
        rows[key] = (index._indices[start:end].tolist(), index._data[start:end].tolist())
    return rows


def same_index(one: KnowledgeBase, other: KnowledgeBase) -> None:
    assert [p.id for p in one.policies] == [p.id for p in other.policies]
    assert len(one.passages) == len(other.passages)
    assert list(one.passages) == list(other.passages)
    for name in ("policy_number", "kinds", "keys", "types", "part", "sentence"):
        assert np.array_equal(getattr(one.passages, name), getattr(other.passages, name)), name
    assert np.array_equal(one._kind_weight, other._kind_weight)
    for attribute in ("index", "documents"):
        first, second = getattr(one, attribute), getattr(other, attribute)
        assert first.size == second.size
        assert postings(first) == postings(second), attribute


def library(tmp_path: Path, files: list[Path]) -> Path:
    root = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE / "dictionary", root / "dictionary")
    for name in ("synonyms.yml", "policy_stopwords.txt", "policy_retrieval.yml"):
        shutil.copy(KNOWLEDGE / name, root / name)
    source = tmp_path / "source"
    source.mkdir(exist_ok=True)
    for path in files:
        shutil.copy(path, source / path.name)
    import_tree(source, root / "policies")
    return root


def direct(root: Path) -> KnowledgeBase:
    """The index built from the passages' token lists, without segments."""
    built = KnowledgeBase.build(root, root.parent / "scratch-cache")
    return KnowledgeBase(built.policies, built.analyzer, built.params)


@pytest.fixture(scope="module")
def corpus_files() -> list[Path]:
    return sorted(CORPUS.iterdir())[:30]


def test_segments_give_the_index_built_from_tokens(tmp_path: Path, corpus_files) -> None:
    root = library(tmp_path, corpus_files)
    built = KnowledgeBase.build(root, tmp_path / "cache")
    same_index(built, direct(root))


def test_the_shipped_library_read_back_from_disk_is_the_same(tmp_path: Path) -> None:
    loaded = KnowledgeBase.load(KNOWLEDGE, cache_dir=tmp_path / "cache")
    again = KnowledgeBase.load(KNOWLEDGE, cache_dir=tmp_path / "cache")
    assert isinstance(again.index._data.base, np.memmap)
    assert isinstance(again.passages.keys.base, np.memmap)
    same_index(loaded, again)
    same_index(again, KnowledgeBase(again.policies, again.analyzer, again.params))
    question = "政府信息公开申请要多久答复"
    assert loaded.ask(question).to_dict() == again.ask(question).to_dict()


def test_an_import_adds_only_its_files_and_gives_a_fresh_build(
    tmp_path: Path, corpus_files, monkeypatch
) -> None:
    """With jieba's full dictionary (a library of over a million characters, made small here),
    the analyzer stays the same between imports, so only new and changed files are analysed.
    (A smaller library's compact dictionary changes with it: everything is analysed again.)"""
    monkeypatch.setattr("bot.policy.analysis._COMPACT_UP_TO_CHARS", 0)
    root = library(tmp_path, corpus_files[:20])
    cache = tmp_path / "cache"
    KnowledgeBase.load(root, cache_dir=cache)
    before = {p.name: p.stat().st_mtime_ns for p in (cache / "segments").glob("*.pickle")}
    assert len(before) == 20
    for path in corpus_files[20:]:
        shutil.copy(path, tmp_path / "source" / path.name)
    changed = tmp_path / "source" / corpus_files[0].name
    changed.write_text(
        changed.read_text(encoding="utf-8") + "\n本文件由市政府办公室负责解释。\n", encoding="utf-8"
    )
    outcomes = import_tree(tmp_path / "source", root / "policies")
    assert sorted(o.status for o in outcomes).count("updated") == 1
    updated = KnowledgeBase.load(root, cache_dir=cache)
    after = {p.name: p.stat().st_mtime_ns for p in (cache / "segments").glob("*.pickle")}
    rewritten = [name for name in after if before.get(name) != after[name]]
    assert len(after) == len(corpus_files)
    assert len(rewritten) == len(corpus_files) - 20 + 1
    assert len(policy_paths(root / "policies")) == len(corpus_files)
    same_index(updated, direct(root))


def test_a_removed_file_leaves_the_index(tmp_path: Path, corpus_files) -> None:
    root = library(tmp_path, corpus_files[:5])
    cache = tmp_path / "cache"
    first = KnowledgeBase.load(root, cache_dir=cache)
    gone = first.policies[0]
    Path(gone.source).unlink()
    second = KnowledgeBase.load(root, cache_dir=cache)
    assert gone.id not in {p.id for p in second.policies}
    assert len(list((cache / "segments").glob("*.pickle"))) == 4
    assert len(list(cache.glob("kb-*"))) == 1
    same_index(second, direct(root))


def test_a_broken_file_is_named_and_nothing_cached_is_lost(tmp_path: Path, corpus_files) -> None:
    from bot.policy.loader import PolicyFileError

    root = library(tmp_path, corpus_files[:3])
    cache = tmp_path / "cache"
    KnowledgeBase.load(root, cache_dir=cache)
    broken = root / "policies" / "broken.yml"
    broken.write_text("id: broken\ntitle: [\n", encoding="utf-8")
    with pytest.raises(PolicyFileError) as raised:
        KnowledgeBase.load(root, cache_dir=cache)
    assert "broken.yml" in str(raised.value)
    broken.unlink()
    assert len(KnowledgeBase.load(root, cache_dir=cache).policies) == 3


def test_a_process_with_other_threads_never_forks_workers(monkeypatch):
    """A service (Sanic and its threads) builds in-process: forking beside a thread that holds a
    lock can hang the child, and the service would never become ready."""
    import os
    import threading

    from bot.policy import segments

    monkeypatch.setattr(segments, "_cores", lambda: 2)
    items = list(range(segments._PARALLEL_FROM + 10))
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        pids = segments._map(_pid, items)
    finally:
        release.set()
        other.join()
    assert set(pids) == {os.getpid()}


def _pid(_item):
    import os

    return os.getpid()
