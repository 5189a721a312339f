"""Turning an official document (text, Markdown, HTML) into a knowledge-base YAML entry.

The structure comes from `bot.documents`; metadata comes from the command line, or from the
document's heading area when it states a 文号 or a date there. A number cited inside a clause
(e.g. another notice's 舟政办发〔2017〕80号) is never taken for the document's own. The output
has an empty 解读材料 template and no 政策问答: those are written by people.
"""

from __future__ import annotations

import re
import tempfile
from datetime import date
from pathlib import Path
from typing import Any, Optional

import yaml

from bot.documents import Document, Node, read_document
from bot.policy.loader import load_policy
from bot.policy.model import INTERPRETATION_FIELDS

_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,80}$")
_DOC_NO = re.compile(r"[\u4e00-\u9fff]{1,12}[〔\[［(（]\d{4}[〕\]］)）]\d{1,4}号")
_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")


class DocumentImportError(ValueError):
    """The document or the requested output cannot be imported as asked."""


def slug(name: str) -> str:
    """A file-name-safe policy id from `name`, or "" when nothing usable is left."""
    value = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return value[:80].strip("-")


def document_metadata(document: Document) -> dict[str, Any]:
    """文号 and date stated in the heading area (title and preamble), if any."""
    head = f"{document.title}\n{document.preamble}"
    found = {}
    doc_no = _DOC_NO.search(head)
    if doc_no:
        found["doc_no"] = doc_no.group(0)
    when = _DATE.search(head)
    if when:
        try:
            found["published"] = date(*(int(part) for part in when.groups()))
        except ValueError:
            pass
    return found


def policy_mapping(
    document: Document,
    policy_id: str,
    *,
    title: str = "",
    doc_no: str = "",
    issuer: str = "",
    published: Optional[date] = None,
    url: str = "",
    sample: bool = False,
) -> dict[str, Any]:
    """The YAML mapping of a policy entry for `document` (see knowledge/policies/)."""
    stated = document_metadata(document)
    mapping: dict[str, Any] = {
        "id": policy_id,
        "title": title or document.title,
        "doc_no": doc_no or stated.get("doc_no", ""),
        "issuer": issuer,
        "published": published or stated.get("published"),
        "effective": None,
        "expires": None,
        "url": url,
        "sample": sample,
    }
    if document.notes_title:
        mapping["notes_title"] = document.notes_title
    taken: set[str] = set()
    mapping["structure"] = [_node_mapping(node, "", taken) for node in document.nodes]
    mapping["interpretation"] = {name: [] for name in INTERPRETATION_FIELDS}
    mapping["qa"] = []
    return mapping


def import_document(
    source: Path,
    out_dir: Path,
    *,
    policy_id: str = "",
    overwrite: bool = False,
    **metadata: Any,
) -> Path:
    """Write `<out_dir>/<policy_id>.yml` for the document at `source`; returns its path.

    The id defaults to the source file's name. It may only contain a-z, 0-9 and '-', so the
    output can never land outside `out_dir`; an existing entry is kept unless `overwrite`.
    """
    policy_id = policy_id or slug(source.stem)
    if not _ID.match(policy_id):
        raise DocumentImportError(
            f"policy id {policy_id!r} must be lowercase letters, digits and '-'; pass --id"
        )
    if not source.is_file():
        raise DocumentImportError(f"{source}: no such file")
    document = read_document(source)
    if not document.nodes:
        raise DocumentImportError(
            f"{source}: no numbered sections found (第一条, 一、, （一）, 1.)"
        )
    out_root = out_dir.resolve()
    target = (out_root / f"{policy_id}.yml").resolve()
    if target.parent != out_root:
        raise DocumentImportError(f"refusing to write outside {out_root}: {target}")
    if target.exists() and not overwrite:
        raise DocumentImportError(
            f"{target} exists (it may hold reviewed 解读 and 问答); pass --force to replace it"
        )
    mapping = policy_mapping(document, policy_id, **metadata)
    if not mapping["title"]:
        raise DocumentImportError(f"{source}: no title found; pass --title")
    if not mapping["issuer"]:
        raise DocumentImportError("the issuing body is not in the document; pass --issuer")
    header = (
        f"# Imported from {' '.join(source.name.split())} by `python -m bot kb import`.\n"
        "# Check the structure against the original, then write 解读材料 (interpretation) and 政策问答 (qa).\n"
    )
    text = header + dump_yaml(mapping)
    with tempfile.TemporaryDirectory() as scratch:
        draft = Path(scratch) / target.name
        draft.write_text(text, encoding="utf-8")
        load_policy(draft)
    out_root.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return target


class _Dumper(yaml.SafeDumper):
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
