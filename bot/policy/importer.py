"""Turning published documents (any readable file) into knowledge-base YAML entries.

`import_tree` takes a file or a whole folder, recursively: every readable document becomes one
reviewable entry in `knowledge/policies/`, whatever its shape. The numbered structure is used
when the document has one (第一条, 一、, （一）, 1.); otherwise its paragraphs are its clauses
(cited as 第3段), and a 问：/答： or Q1/A1 interpretation becomes Q&A pairs. Metadata comes from
`bot.policy.metadata`, or from the command line for a single file.

Importing is idempotent by content: each entry records the SHA-256 of its source text, so an
unchanged file is left alone and a changed one is updated in place. Hand-written fields are
never overwritten: 解读材料 and 政策问答 are kept (new Q&A pairs found in the document are
added), and an entry marked `reviewed: true` keeps its metadata as well. Each file either
becomes a valid entry or gets one line saying why not; the rest of the batch goes on, and an
entry already in the library is only ever replaced by one that loads.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Optional

import yaml

from bot.documents import Document, Node, document_lines, parse_document
from bot.policy.loader import PolicyFileError, load_policy, squeezed
from bot.policy.metadata import ANSWER, QUESTION, Metadata, detect
from bot.policy.model import INTERPRETATION_FIELDS
from bot.policy.readers import UnreadableDocument, read_text_file

_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,80}$")
DEFAULT_MAX_FILE_BYTES = 20 * 2**20
MAX_QA_ANSWER = 200
_HEADER_FIELDS = ("content_sha", "source_file")
_KEPT_WHEN_REVIEWED = (
    "title", "doc_no", "issuer", "published", "effective", "expires", "url",
    "supersedes", "interprets", "kind",
)  # fmt: skip
_ADDRESSEES = re.compile(r"^[^。；]{2,80}[：:]$")
_SKIPPED_NAMES = re.compile(r"^(\.|~\$|README|LICENSE)", re.IGNORECASE)
_OLD_FORMATS = {
    ".doc": "old Word .doc format; save it as .docx",
    ".wps": "WPS format; save it as .docx",
    ".xls": "spreadsheet, not a document",
    ".xlsx": "spreadsheet, not a document",
    ".jpg": "image; run OCR on it first",
    ".jpeg": "image; run OCR on it first",
    ".png": "image; run OCR on it first",
    ".zip": "archive; unpack it first",
    ".rar": "archive; unpack it first",
}


class DocumentImportError(ValueError):
    """The document or the requested output cannot be imported as asked."""


@dataclass
class Outcome:
    """What happened to one file: imported, updated, unchanged, duplicate or failed."""

    source: Path
    status: str
    policy_id: str = ""
    reason: str = ""
    warnings: list[str] = field(default_factory=list)
    submitted: Any = None
    """What the review step returned for it (a `ReviewItem`), when it went for review."""

    def line(self) -> str:
        detail = self.reason or "; ".join(self.warnings)
        name = f"{self.source}" + (f" → {self.policy_id}" if self.policy_id else "")
        return f"{self.status}: {name}" + (f": {detail}" if detail else "")


def slug(name: str) -> str:
    """A file-name-safe policy id from `name`, or "" when nothing usable is left."""
    value = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return value[:80].strip("-")


def document_files(source: Path) -> Iterator[Path]:
    """`source` itself, or every file under it (recursively, sorted), hidden files skipped."""
    if source.is_file():
        yield source
        return
    for root, dirs, files in os.walk(source):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not _SKIPPED_NAMES.match(name):
                yield Path(root) / name


def document_metadata(document: Document) -> dict[str, Any]:
    """文号 and date stated in the heading area (title and preamble), if any."""
    lines = [document.title, *document.preamble.splitlines()]
    meta = detect([line for line in lines if line], date.today())
    found: dict[str, Any] = {}
    if meta.doc_no:
        found["doc_no"] = meta.doc_no
    if meta.published:
        found["published"] = meta.published
    return found


def policy_mapping(
    text: str,
    fmt: str,
    policy_id: str,
    *,
    today: Optional[date] = None,
    fallback_title: str = "",
    **given: Any,
) -> tuple[dict[str, Any], Metadata]:
    """The YAML mapping of a policy entry for a document's text, and what was detected."""
    lines = document_lines(text, fmt)
    meta = detect(lines, today or date.today(), fallback_title)
    document = parse_document(text, fmt)
    mapping: dict[str, Any] = {
        "id": policy_id,
        "title": given.get("title") or meta.title,
        "doc_no": given.get("doc_no") or meta.doc_no,
        "issuer": given.get("issuer") or meta.issuer or "未载明",
        "published": given.get("published") or meta.published,
        "effective": meta.effective,
        "expires": meta.expires,
        "url": given.get("url") or "",
        "sample": bool(given.get("sample")),
        "kind": meta.kind,
    }
    if meta.interprets:
        mapping["interprets"] = meta.interprets
    if meta.supersedes:
        mapping["supersedes"] = list(meta.supersedes)
    if document.notes_title:
        mapping["notes_title"] = document.notes_title
    used = {lines[i] for i in meta.used_lines} | {mapping["title"]}
    opening = [
        line
        for line in [document.title, *document.preamble.splitlines()]
        if line and line not in used and line not in mapping["title"]
    ]
    if opening and _ADDRESSEES.match(opening[0]):
        opening = opening[1:]
    structure, qa = _structure(opening, document.nodes)
    mapping["structure"] = structure
    mapping["interpretation"] = {name: [] for name in INTERPRETATION_FIELDS}
    mapping["qa"] = qa
    return mapping, meta


def _structure(opening: list[str], nodes: list[Node]) -> tuple[list[dict], list[dict]]:
    """Clauses (paragraphs, Q&A pairs, then numbered nodes) and the Q&A entries resting on them."""
    structure: list[dict] = []
    qa: list[dict] = []
    for kind, first, rest in _qa_runs(opening):
        if kind == "paragraph":
            number = sum(1 for node in structure if node["id"].startswith("p")) + 1
            structure.append({"id": f"p{number}", "label": f"第{number}段", "text": first})
        else:
            number = len(qa) + 1
            answer = "\n".join(rest) or "（原文未给出答复）"
            structure.append(
                {"id": f"q{number}", "label": f"问{number}", "title": first, "text": answer}
            )
            qa.append({"q": first, "a": _concise(answer), "clause": f"q{number}"})
    taken: set[str] = {node["id"] for node in structure}
    for node in nodes:
        structure.append(_node_mapping(node, "", taken))
    for node in _walk(structure):
        question = node.get("title", "")
        if question.endswith(("？", "?")) and node.get("text") and not node["id"].startswith("q"):
            qa.append({"q": question, "a": _concise(node["text"]), "clause": node["id"]})
    if not structure:
        structure.append({"id": "p1", "label": "第1段", "text": "（正文为空）"})
    return structure, qa


def _qa_runs(lines: list[str]) -> Iterator[tuple[str, str, list[str]]]:
    """("paragraph", line, []) or ("qa", question, answer lines), in document order."""
    question: Optional[str] = None
    answer: list[str] = []
    for line in lines:
        asked = QUESTION.match(line)
        if asked or (line.endswith(("？", "?")) and len(line) <= 80 and not ANSWER.match(line)):
            if question is not None:
                yield "qa", question, answer
            question, answer = (asked.group("text") if asked else line), []
            continue
        if question is not None:
            replied = ANSWER.match(line)
            answer.append(replied.group("text") if replied else line)
            continue
        yield "paragraph", line, []
    if question is not None:
        yield "qa", question, answer


def _concise(text: str) -> str:
    flat = text.replace("\n", "")
    if len(flat) <= MAX_QA_ANSWER:
        return flat
    cut = flat[: MAX_QA_ANSWER - 1]
    end = max(cut.rfind("。"), cut.rfind("；"))
    return (cut[: end + 1] if end >= MAX_QA_ANSWER // 2 else cut) + (
        "" if end >= MAX_QA_ANSWER // 2 else "…"
    )


def _walk(nodes: list[dict]) -> Iterator[dict]:
    for node in nodes:
        yield node
        yield from _walk(node.get("children", []))


class Library:
    """The entries already in policy folders (later folders override earlier ones) and drafts
    waiting for review: id, source file and content hash of each.

    Read from the head of each file (the fields `kb import` writes first), so a folder of
    thousands of entries is scanned in well under a second.
    """

    def __init__(self, folder: Path, *more: Path, drafts: Iterable[tuple[str, str]] = ()) -> None:
        self.folder = folder
        self.by_source: dict[str, str] = {}
        self.by_sha: dict[str, str] = {}
        self.ids: set[str] = set()
        self.paths: dict[str, Path] = {}
        for each in (folder, *more):
            for path in sorted(each.rglob("*.y*ml")) if each.is_dir() else []:
                self.paths[path.stem] = path
                with contextlib.suppress(OSError, UnicodeDecodeError):
                    with path.open(encoding="utf-8") as handle:
                        self._add(path.stem, _head_fields(zip(range(40), handle, strict=False)))
        for policy_id, text in drafts:
            self._add(policy_id, _head_fields(enumerate(text.splitlines()[:40])))

    def _add(self, policy_id: str, head: dict[str, str]) -> None:
        self.ids.add(policy_id)
        if "source_file" in head:
            self.by_source[head["source_file"]] = policy_id
        if "content_sha" in head:
            self.by_sha.setdefault(head["content_sha"], policy_id)

    def path(self, policy_id: str) -> Path:
        return self.paths.get(policy_id) or self.folder / f"{policy_id}.yml"

    def new_id(self, source: Path, key: str) -> str:
        base = slug(source.stem)
        if len(base) < 3 or not _ID.match(base):
            base = "doc-" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:10]
        candidate, number = base, 2
        while candidate in self.ids:
            candidate, number = f"{base}-{number}", number + 1
        return candidate


def _head_fields(lines: Iterable[tuple[int, str]]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for _, line in lines:
        name, _, value = line.partition(":")
        if name in _HEADER_FIELDS:
            fields[name] = value.strip().strip("'\"")
    return fields


def import_tree(
    source: Path,
    out_dir: Path,
    *,
    dry_run: bool = False,
    max_bytes: int = DEFAULT_MAX_FILE_BYTES,
    today: Optional[date] = None,
    progress: Callable[[Iterable[Path]], Iterable[Path]] = lambda files: files,
    library: Optional[Library] = None,
    submit: Optional[Callable[[dict[str, Any]], Any]] = None,
    **given: Any,
) -> list[Outcome]:
    """Import every document under `source` into `out_dir`; one `Outcome` per file.

    With `submit`, a new or changed entry is not written: it is checked, then handed to
    `submit(mapping)` (the review step of `bot.policy.publication`), and its outcome records
    what `submit` returned (`Outcome.submitted`)."""
    if not source.exists():
        raise DocumentImportError(f"{source}: no such file or folder")
    library = library or Library(out_dir)
    files = list(document_files(source))
    base = source if source.is_dir() else source.parent
    outcomes = []
    for path in progress(files):
        outcomes.append(_import_one(path, base, library, dry_run, max_bytes, today, given, submit))
    return outcomes


def _import_one(
    path: Path,
    base: Path,
    library: Library,
    dry_run: bool,
    max_bytes: int,
    today: Optional[date],
    given: dict[str, Any],
    submit: Optional[Callable[[dict[str, Any]], Any]] = None,
) -> Outcome:
    reason = _OLD_FORMATS.get(path.suffix.lower())
    if reason:
        return Outcome(path, "failed", reason=reason)
    try:
        text, fmt = read_text_file(path, max_bytes)
    except UnreadableDocument as error:
        return Outcome(path, "failed", reason=str(error))
    except OSError as error:
        return Outcome(path, "failed", reason=f"cannot read: {error.strerror or error}")
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    key = (
        str(path.resolve().relative_to(base.resolve()))
        if base in path.parents or path == base
        else path.name
    )
    policy_id = given.pop("policy_id", "") or library.by_source.get(key, "")
    same = library.by_sha.get(sha)
    if same and same != policy_id and library.by_source.get(key) != same:
        return Outcome(path, "duplicate", same, reason=f"same text as {same}; skipped")
    if same and same == policy_id:
        return Outcome(path, "unchanged", policy_id)
    status = "updated" if policy_id and policy_id in library.ids else "imported"
    policy_id = policy_id or library.new_id(path, key)
    if not _ID.match(policy_id):
        return Outcome(
            path,
            "failed",
            reason=f"policy id {policy_id!r} must be lowercase letters, digits and '-'",
        )
    try:
        mapping, meta = policy_mapping(
            text, fmt, policy_id, today=today, fallback_title=path.stem, **given
        )
    except (ValueError, RecursionError) as error:
        return Outcome(path, "failed", reason=f"cannot parse: {error}")
    mapping = {"content_sha": sha, "source_file": key, **mapping}
    target = library.path(policy_id)
    if status == "updated":
        mapping = keep_reviewed(target, mapping)
    outcome = Outcome(path, status, policy_id, warnings=list(meta.problems))
    try:
        if submit is None:
            write_entry(target, library.folder, mapping, path.name, dry_run)
        else:
            checked_text(mapping, path.name, policy_id)
            outcome.submitted = None if dry_run else submit(mapping)
    except (DocumentImportError, PolicyFileError) as error:
        return Outcome(path, "failed", policy_id, reason=str(error).splitlines()[0])
    library.ids.add(policy_id)
    library.paths[policy_id] = target
    library.by_source[key] = policy_id
    library.by_sha[sha] = policy_id
    return outcome


def keep_reviewed(target: Path, mapping: dict[str, Any]) -> dict[str, Any]:
    """`mapping` with the hand-written parts of the entry at `target` kept (see module doc)."""
    try:
        old = yaml.safe_load(target.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return mapping
    if not isinstance(old, dict):
        return mapping
    merged = dict(mapping)
    if old.get("reviewed"):
        merged["reviewed"] = True
        for name in _KEPT_WHEN_REVIEWED:
            if name in old:
                merged[name] = old[name]
    interpretation = old.get("interpretation")
    if isinstance(interpretation, dict) and any(interpretation.values()):
        merged["interpretation"] = interpretation
    old_qa = [item for item in old.get("qa") or [] if isinstance(item, dict)]
    asked = {item.get("q") for item in old_qa}
    merged["qa"] = old_qa + [item for item in mapping["qa"] if item["q"] not in asked]
    texts = _clause_texts(mapping.get("structure") or [])
    kept = [
        item
        for item in old.get("asked") or []
        if isinstance(item, dict)
        and squeezed(str(item.get("a", ""))) in texts.get(str(item.get("clause")), "\0")
    ]  # an asked question whose answer the new text no longer holds is dropped, not kept wrong
    if kept:
        merged["asked"] = kept
    return merged


def _clause_texts(nodes: list) -> dict[str, str]:
    """Each clause id of a mapping's structure with its title and text, spaces removed."""
    texts: dict[str, str] = {}
    for node in nodes:
        if isinstance(node, dict):
            if node.get("id") is not None:
                texts[str(node["id"])] = squeezed(
                    f"{node.get('title') or ''}。{node.get('text') or ''}"
                )
            texts.update(_clause_texts(node.get("children") or []))
    return texts


def write_entry(
    target: Path, folder: Path, mapping: dict[str, Any], source_name: str, dry_run: bool = False
) -> None:
    """Write `mapping` to `target` atomically, only once it loads as a valid entry."""
    out_root = folder.resolve()
    resolved = target.resolve()
    if out_root not in resolved.parents:
        raise DocumentImportError(f"refusing to write outside {out_root}: {resolved}")
    text = checked_text(mapping, source_name, target)
    if dry_run:
        return
    resolved.parent.mkdir(parents=True, exist_ok=True)
    handle, staged = tempfile.mkstemp(dir=resolved.parent, suffix=".tmp")
    with open(handle, "w", encoding="utf-8") as out:
        out.write(text)
    Path(staged).replace(resolved)


def checked_text(mapping: dict[str, Any], source_name: str, target: Path | str) -> str:
    """The entry file's text for `mapping`, once it loads as a valid entry (checked in memory,
    as the file `target`, or `<target>.yml` when given a policy id)."""
    header = (
        f"# Imported from {' '.join(source_name.split())} by `python -m bot kb import`.\n"
        "# Check it against the original; 解读材料 (interpretation) and 政策问答 (qa) are kept on re-import.\n"
    )
    text = header + dump_yaml(mapping)
    path = Path(target)
    load_policy(path if path.suffix else path.with_suffix(".yml"), text)
    return text


def import_document(
    source: Path,
    out_dir: Path,
    *,
    policy_id: str = "",
    overwrite: bool = False,
    **metadata: Any,
) -> Path:
    """Write `<out_dir>/<policy_id>.yml` for the single document at `source`; returns its path.

    The id defaults to the source file's name. It may only contain a-z, 0-9 and '-', so the
    output can never land outside `out_dir`. Without `overwrite` an existing entry is updated
    as a re-import would (hand-written parts kept); with it, replaced outright.
    """
    if policy_id and not _ID.match(policy_id):
        raise DocumentImportError(
            f"policy id {policy_id!r} must be lowercase letters, digits and '-'; pass --id"
        )
    if not source.is_file():
        raise DocumentImportError(f"{source}: no such file")
    out_root = out_dir.resolve()
    if policy_id:
        target = out_root / f"{policy_id}.yml"
        if target.is_symlink() and out_root not in target.resolve().parents:
            raise DocumentImportError(f"refusing to write outside {out_root}: {target.resolve()}")
        if overwrite and target.exists():
            target.unlink()
    elif overwrite:
        raise DocumentImportError("--force needs --id")
    given = {key: value for key, value in metadata.items() if value}
    if not policy_id:
        policy_id = slug(source.stem)
        if len(policy_id) < 3:
            policy_id = ""
        elif (
            policy_id in Library(out_dir).ids
            and Library(out_dir).by_source.get(source.name) != policy_id
        ):
            raise DocumentImportError(
                f"policy id {policy_id!r} is taken by another document; pass --id"
            )
    outcome = _import_one(
        source, source.parent, Library(out_dir), False, DEFAULT_MAX_FILE_BYTES, None,
        {"policy_id": policy_id, **given},
    )  # fmt: skip
    if outcome.status in {"failed", "duplicate"}:
        raise DocumentImportError(f"{source}: {outcome.reason}")
    return Library(out_dir).path(outcome.policy_id).resolve()


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """Block scalars for multi-line text, no line folding, no aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def dump_yaml(data: Any) -> str:
    return yaml.dump(
        data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100000, indent=2
    )


def _node_mapping(node: Node, parent_id: str, taken: set[str]) -> dict[str, Any]:
    own = str(node.number) if node.number is not None else node.label
    node_id = f"{parent_id}.{own}" if parent_id else own
    candidate, suffix = node_id, 2
    while candidate in taken:
        candidate, suffix = f"{node_id}-{suffix}", suffix + 1
    taken.add(candidate)
    mapping: dict[str, Any] = {"id": candidate, "label": node.label}
    if node.title and node.kind != "labelled":
        mapping["title"] = node.title
    if node.text:
        mapping["text"] = node.text
    if node.notes:
        mapping["notes"] = list(node.notes)
    if node.children:
        mapping["children"] = [_node_mapping(child, candidate, taken) for child in node.children]
    return mapping
