"""Policy entries go public only through review and the register (先审查、后公开, 一事一审).

- `kb import` into the served library writes nothing the services read: each new or changed
  entry (a policy, a 解读, with its Q&A) is submitted for review (`submit_entry`; kind `policy`
  or `policy_interpretation`, the entry's YAML as content, the drafter named).
- Another person approves it with the 保密审查 checklist (`/staff/review` or `python -m bot
  review approve`), someone publishes it, and `bot.publishing.publish` appends the register
  record: that record is the published entry. A re-import that changes the text is the next
  version of the same subject.
- `sync` writes the newest registered version of every entry to `<var>/policies/<id>.yml`,
  headed by its register number and `published_version`. The services load only those files
  (a file there without `published_version` is not served) and the bundled library; a
  published entry replaces the bundled one of the same id. Every running service calls `sync`
  when it checks the library (`ZS_KB_RELOAD_SECONDS`), so a publication on one machine
  reaches every instance through the shared database.
- The bundled library (`knowledge/policies/`, already-public national, provincial and city
  documents that ship with the software) is recorded by `sync` as a seed publication the
  first time a service starts, and again when a release changes a bundled file: publisher
  `system:seed`, the checklist entry `bundled` and a note saying so.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any, Optional

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot import audit
from bot.clock import now as clock_now
from bot.numbering import allocate
from bot.policy.importer import dump_yaml
from bot.publishing.models import APPROVED, SUBMITTED, RegisterRecord, ReviewItem
from bot.publishing.publishers import DEFAULT_UNIT, policy_reference
from bot.publishing.review import NUMBER_PREFIX, sha256, submit

POLICY_KINDS = ("policy", "policy_interpretation")
SEED_ACTOR = "system:seed"
SEED_NOTE = (
    "随软件发布的已公开文件（国家、省、市原发布机关已公开），首次启动时登记为种子发布；"
    "未经本地审查，更新须经 kb import 送审"
)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def published_dir(var_dir: Path) -> Path:
    """Where the services read the entries published through review."""
    return var_dir / "policies"


def subject(mapping: dict[str, Any]) -> tuple[str, str]:
    """(register kind, reference) of an entry: a 解读 under the policy it interprets, so the
    scorecard sees whether it came out with the policy (同步发布)."""
    policy_id = str(mapping["id"])
    interprets = mapping.get("interprets")
    if mapping.get("kind") == "interpretation" and interprets:
        return "policy_interpretation", f"{policy_reference(str(interprets))}/{policy_id}"
    return "policy", policy_reference(policy_id)


def entry_id(reference: str) -> str:
    """The entry (file) id of a policy subject: `policy:x` → x, `policy:x/y` → y."""
    return reference.split(":", 1)[-1].rsplit("/", 1)[-1]


def submit_entry(
    session: Session,
    mapping: dict[str, Any],
    *,
    drafter: str,
    unit: str = DEFAULT_UNIT,
    now: Optional[datetime] = None,
) -> ReviewItem:
    """Send an imported entry for review; nothing of it is served before it is published."""
    kind, reference = subject(mapping)
    return submit(
        session,
        kind,
        reference,
        dump_yaml(mapping),
        unit or DEFAULT_UNIT,
        drafter,
        title=str(mapping.get("title") or mapping["id"]),
        now=now,
    )


def pending_drafts(session: Session) -> list[tuple[str, str]]:
    """(entry id, YAML) of every entry waiting for review or publication."""
    rows = session.execute(
        select(ReviewItem.reference, ReviewItem.content).where(
            ReviewItem.kind.in_(POLICY_KINDS), ReviewItem.state.in_((SUBMITTED, APPROVED))
        )
    ).all()
    return [(entry_id(row.reference), row.content) for row in rows]


def sync(
    session: Session,
    knowledge_dir: Path,
    var_dir: Path,
    now: Optional[datetime] = None,
    seed: bool = True,
) -> dict:
    """Record the bundled library in the register where it is not yet (seed publication), then
    write every entry published through review to `<var>/policies`. Idempotent; two processes
    racing on the same seed version make one of them fail with IntegrityError (retry later)."""
    seeded = record_seed(session, knowledge_dir / "policies", now) if seed else 0
    written = write_published(session, published_dir(var_dir))
    return {"seeded": seeded, "written": written}


def record_seed(session: Session, folder: Path, now: Optional[datetime] = None) -> int:
    """A seed publication for each bundled entry with no register record, or whose text
    changed since its last seed record (not once an entry was published through review)."""
    latest = _latest(session)
    now = now or clock_now()
    added = 0
    for path in (
        sorted([*folder.rglob("*.yml"), *folder.rglob("*.yaml")]) if folder.is_dir() else []
    ):
        try:
            text = path.read_text(encoding="utf-8")
            mapping = yaml.load(text, Loader=_LOADER)
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue
        if not isinstance(mapping, dict) or not mapping.get("id"):
            continue
        kind, reference = subject(mapping)
        digest = sha256(text)
        previous = latest.get((kind, reference))
        if previous is not None and (
            previous.publisher != SEED_ACTOR or previous.content_hash == digest
        ):
            continue
        version = (previous.version if previous else 0) + 1
        _append_seed(session, kind, reference, version, mapping, text, digest, now)
        added += 1
    return added


def _append_seed(
    session: Session, kind: str, reference: str, version: int, mapping: dict, text: str,
    digest: str, now: datetime,
) -> None:  # fmt: skip
    issuer = str(mapping.get("issuer") or "未载明")
    record = RegisterRecord(
        number=allocate(session, NUMBER_PREFIX, now),
        kind=kind,
        reference=reference,
        version=version,
        title=str(mapping.get("title") or mapping["id"])[:200],
        unit=DEFAULT_UNIT,
        content=text,
        content_hash=digest,
        drafter=f"原发布机关:{issuer}"[:120],
        reviewer=SEED_ACTOR,
        checklist={"bundled": True, "note": SEED_NOTE},
        publisher=SEED_ACTOR,
        published_at=now,
        channels=["web"],
    )
    session.add(record)
    session.flush()
    audit.record(
        session,
        actor=SEED_ACTOR,
        action="publishing.seed_registered",
        entity_type="publication_register",
        entity_id=str(record.id),
        detail={"number": record.number, "version": version, "hash": digest},
        at=now,
    )


def write_published(session: Session, folder: Path) -> list[str]:
    """Write the newest registered version of each reviewed entry whose file is missing or older;
    the ids written."""
    written = []
    for record in _latest(session).values():
        if record.publisher == SEED_ACTOR:
            continue
        policy_id = entry_id(record.reference)
        target = folder / f"{policy_id}.yml"
        if _file_version(target) == (record.number, record.version):
            continue
        content = session.execute(
            select(RegisterRecord.content).where(RegisterRecord.id == record.id)
        ).scalar_one()
        try:
            mapping = yaml.load(content, Loader=_LOADER)
        except yaml.YAMLError:
            continue
        if not isinstance(mapping, dict) or str(mapping.get("id")) != policy_id:
            continue  # a register record of a policy that is not a library entry
        _write(target, _published_text(record, content))
        written.append(policy_id)
    return written


def last_change(session: Session) -> Any:
    """Changes whenever a policy entry is registered (cheap to ask every reload check)."""
    return session.execute(
        select(func.max(RegisterRecord.id)).where(RegisterRecord.kind.in_(POLICY_KINDS))
    ).scalar_one()


def _published_text(record: Any, content: str) -> str:
    return (
        f"# 已发布：登记号 {record.number}，第{record.version}版。由发布登记簿写出"
        "（python -m bot register show 登记号），请勿手工修改：更新请 kb import 送审。\n"
        f"register: {record.number}\n"
        f"published_version: {record.version}\n" + content
    )


def _file_version(path: Path) -> tuple[str, int]:
    number, version = "", 0
    with contextlib.suppress(OSError, UnicodeDecodeError, ValueError):
        with path.open(encoding="utf-8") as handle:
            for _, line in zip(range(5), handle, strict=False):
                name, _, value = line.partition(":")
                if name == "register":
                    number = value.strip()
                elif name == "published_version":
                    version = int(value)
    return number, version


def _write(target: Path, text: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, staged = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(text)
    Path(staged).replace(target)


def _latest(session: Session) -> dict[tuple[str, str], Any]:
    """The newest register row (without content) of every policy subject."""
    rows = session.execute(
        select(
            RegisterRecord.id, RegisterRecord.number, RegisterRecord.kind,
            RegisterRecord.reference, RegisterRecord.version, RegisterRecord.content_hash,
            RegisterRecord.publisher,
        )
        .where(RegisterRecord.kind.in_(POLICY_KINDS))
        .order_by(RegisterRecord.version)
    ).all()  # fmt: skip
    return {(row.kind, row.reference): row for row in rows}
