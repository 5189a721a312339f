"""`python -m bot kb search|list|import|validate` and `python -m bot eval qa`."""

from __future__ import annotations

import argparse
import getpass
import json
import shutil
import sys
import tempfile
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Optional

import yaml
from tqdm import tqdm

from bot.cli import read_inputs
from bot.config import Settings
from bot.policy.analysis import DataFileError
from bot.policy.answers import REASONS, Answer
from bot.policy.evaluation import EvalFileError, calibrate, evaluate, load_eval
from bot.policy.importer import DocumentImportError, import_document, import_tree
from bot.policy.kb import KnowledgeBase
from bot.policy.library_eval import LibraryEvalError, evaluate_corpus
from bot.policy.loader import PolicyFileError, load_policies

tqdm.monitor_interval = 0  # no monitor thread: a single-threaded import may fork its workers

SEARCH_FIELDS = (
    "answer", "text", "policy", "clause", "doc_no", "url", "score", "confident", "policy_id", "title",
)  # fmt: skip
"""The contract of `kb search --json`: the first eight as before, then the policy's id and title."""


def load_kb(settings: Settings) -> KnowledgeBase:
    """The library as the services serve it: the bundled entries and those published through
    review (`bot.policy.publication`)."""
    from bot.policy.publication import published_dir

    return KnowledgeBase.load(
        settings.knowledge_dir,
        cache_dir=settings.var_dir / "cache",
        published_dir=published_dir(settings.var_dir),
    )


def _open_kb(settings: Settings) -> Optional[KnowledgeBase]:
    """The knowledge base, or None after printing why it cannot be loaded."""
    try:
        return load_kb(settings)
    except (PolicyFileError, DataFileError) as error:
        print(error, file=sys.stderr)
        return None


def search_record(question: str, answer: Answer) -> dict:
    """The `kb search --json` line: the question and its results with exactly SEARCH_FIELDS."""
    results = [{key: result.to_dict()[key] for key in SEARCH_FIELDS} for result in answer.results]
    return {"question": question, "results": results}


def _search(args: argparse.Namespace, settings: Settings) -> int:
    questions = read_inputs(args.question, args.file)
    if not questions:
        print("kb search: give a question or --file", file=sys.stderr)
        return 2
    kb = _open_kb(settings)
    if kb is None:
        return 1
    for question in questions:
        answer = kb.ask(question, top_k=args.top)
        if args.json:
            print(json.dumps(search_record(question, answer), ensure_ascii=False))
        else:
            print(_listing(question, answer))
    return 0


def _listing(question: str, answer: Answer) -> str:
    lines = [f"问：{question}"]
    if answer.reason:
        lines.append(f"  （{answer.reason}）{REASONS.get(answer.reason, '')}")
    for number, result in enumerate(answer.results, 1):
        mark = "可信" if result.confident else "待定"
        lines.append(f"  {number}. [{mark} {result.score:.2f}] {result.answer}")
        source = f"《{result.policy}》{result.clause}"
        if result.doc_no:
            source += f" {result.doc_no}"
        flags = [flag for flag, on in (("已失效", result.expired), ("示例", result.sample)) if on]
        lines.append(f"     来源：{source}{'（' + '、'.join(flags) + '）' if flags else ''}")
    return "\n".join(lines) + "\n"


def _list(args: argparse.Namespace, settings: Settings) -> int:
    kb = _open_kb(settings)
    if kb is None:
        return 1
    today = date.today()
    for policy in kb.policies:
        flags = [
            flag
            for flag, on in (("已失效", policy.is_expired(today)), ("示例", policy.sample))
            if on
        ]
        print(
            f"{policy.id}\t《{policy.title}》\t{policy.doc_no or '无文号'}\t{policy.issuer}\t"
            f"条款 {len(policy.clauses)}，问答 {len(policy.qa)}，解读 {len(policy.interpretation)}"
            + (f"，问法 {len(policy.asked)}" if policy.asked else "")
            + (f"\t{'、'.join(flags)}" if flags else "")
        )
    return 0


def _validate(args: argparse.Namespace, settings: Settings) -> int:
    kb = _open_kb(settings)
    if kb is None:
        return 1
    pairs = sum(len(p.qa) for p in kb.policies)
    asked = sum(len(p.asked) for p in kb.policies)
    print(
        f"ok: {len(kb.policies)} policies, {len(kb.passages)} passages, {pairs} Q&A pairs"
        + (f", {asked} asked questions" if asked else "")
    )
    return 0


def _asked(args: argparse.Namespace, settings: Settings) -> int:
    """Write a policy's asked questions (问法) from labelled files and/or the suggestions
    12345 operators used as they were (bot/policy/asked.py)."""
    from bot.policy import asked

    if not args.labelled and not args.feedback:
        print("kb asked: give --labelled FILE... and/or --feedback", file=sys.stderr)
        return 2
    try:
        policies = {p.id: p for p in load_policies(settings.knowledge_dir / "policies")}
    except PolicyFileError as error:
        print(error, file=sys.stderr)
        return 1
    policy = policies.get(args.policy)
    if policy is None or policy.source is None:
        print(f"kb asked: no policy '{args.policy}' in {settings.knowledge_dir / 'policies'}", file=sys.stderr)
        return 1
    new: list[asked.AskedEntry] = []
    replaced: set[str] = set()
    if args.labelled:
        try:
            new += asked.from_labelled(policy, [Path(f) for f in args.labelled])
        except (OSError, yaml.YAMLError) as error:
            print(f"kb asked: {error}", file=sys.stderr)
            return 1
        replaced |= {entry.source for entry in new}
    if args.feedback:
        new += asked.from_feedback(policy, _used_suggestions(settings, policy.id))
    entries = asked.merged(policy, new, replaced)
    added = len(entries) - len(policy.asked)
    print(f"{policy.id}: {len(entries)} asked questions ({added:+d}); {len(new)} offered")
    if args.dry_run:
        before = {pair.question for pair in policy.asked}
        for entry in entries:
            if entry.question not in before:
                print(f"  + [{entry.clause}] {entry.question} → {entry.answer[:40]}")
        return 0
    try:
        asked.write(policy.source, entries)
    except (PolicyFileError, ValueError) as error:
        print(f"kb asked: {error}", file=sys.stderr)
        return 1
    print(f"written to {policy.source}; review the diff before committing it")
    return 0


def _used_suggestions(settings: Settings, policy_id: str) -> list[tuple[str, Optional[str], str]]:
    """(question, clause id, suggestion) of the suggestions of `policy_id` operators used as
    they were, oldest first (questions were masked when stored)."""
    from sqlalchemy import select

    from bot.db import Database
    from bot.web.models import SuggestionFeedback

    database = Database(settings.database_url)
    try:
        with database.session() as session:
            rows = session.execute(
                select(
                    SuggestionFeedback.question,
                    SuggestionFeedback.clause_id,
                    SuggestionFeedback.suggestion,
                )
                .where(SuggestionFeedback.policy_id == policy_id, SuggestionFeedback.action == "used")
                .order_by(SuggestionFeedback.id)
            ).all()
    finally:
        database.dispose()
    return [(row.question, row.clause_id, row.suggestion) for row in rows]


def _import(args: argparse.Namespace, settings: Settings) -> int:
    out_dir = Path(args.out) if args.out else settings.knowledge_dir / "policies"
    try:
        published = date.fromisoformat(args.date) if args.date else None
    except ValueError:
        print(f"kb import: --date must look like 2017-09-30, got {args.date!r}", file=sys.stderr)
        return 2
    source = Path(args.path)
    if _served(out_dir, settings):
        return _import_for_review(args, settings, source, published)
    given = {
        "title": args.title or "",
        "doc_no": args.doc_no or "",
        "issuer": args.issuer or "",
        "published": published,
        "url": args.url or "",
        "sample": args.sample,
    }
    if source.is_file() and (args.id or args.force):
        try:
            path = import_document(
                source, out_dir, policy_id=args.id or "", overwrite=args.force, **given
            )
        except (DocumentImportError, PolicyFileError, OSError) as error:
            print(f"kb import: {error}", file=sys.stderr)
            return 1
        print(path)
        return 0
    if args.id or args.force:
        print("kb import: --id and --force apply to a single file", file=sys.stderr)
        return 2
    try:
        outcomes = import_tree(
            source,
            out_dir,
            dry_run=args.dry_run,
            max_bytes=settings.kb_max_file_mb * 2**20,
            progress=lambda files: tqdm(
                files, desc="kb import", unit="file", file=sys.stderr, disable=None
            ),
            **{key: value for key, value in given.items() if value},
        )
    except DocumentImportError as error:
        print(f"kb import: {error}", file=sys.stderr)
        return 1
    for outcome in outcomes:
        if outcome.status != "unchanged" and (outcome.reason or outcome.warnings or args.verbose):
            print(outcome.line(), file=sys.stderr if outcome.status == "failed" else sys.stdout)
    counts = Counter(outcome.status for outcome in outcomes)
    changed = counts["imported"] + counts["updated"]
    if changed and not args.dry_run and out_dir.resolve() == (settings.knowledge_dir / "policies").resolve():
        if _open_kb(settings) is not None:
            print("index rebuilt; running services pick it up within ZS_KB_RELOAD_SECONDS")
    prefix = "dry run, nothing written: " if args.dry_run else ""
    print(
        f"{prefix}imported {counts['imported']}, updated {counts['updated']}, "
        f"unchanged {counts['unchanged']}, duplicates {counts['duplicate']}, "
        f"failed {counts['failed']} (of {len(outcomes)} files) into {out_dir}"
    )
    return 1 if counts["failed"] and counts["failed"] == len(outcomes) else 0


def _served(out_dir: Path, settings: Settings) -> bool:
    """Whether `out_dir` is (inside) the library the services read."""
    served = (settings.knowledge_dir / "policies").resolve()
    target = out_dir.resolve()
    return target == served or served in target.parents


def _import_for_review(
    args: argparse.Namespace, settings: Settings, source: Path, published: Optional[date]
) -> int:
    """`kb import` into the served library: every new or changed entry goes for review."""
    from bot.db import session_scope
    from bot.policy.importer import Library
    from bot.policy.publication import pending_drafts, published_dir, submit_entry

    if args.force:
        print("kb import: --force would bypass review; re-import goes through review", file=sys.stderr)
        return 2
    drafter = args.drafter or ("" if settings.profile == "production" else getpass.getuser())
    if not drafter:
        print("kb import: --drafter NAME is required (先审查、后公开: the drafter never reviews)",
              file=sys.stderr)  # fmt: skip
        return 2
    given = {
        "title": args.title or "", "doc_no": args.doc_no or "", "issuer": args.issuer or "",
        "published": published, "url": args.url or "", "sample": args.sample,
        "policy_id": args.id or "",
    }  # fmt: skip
    with session_scope(settings.database_url) as session:
        library = Library(
            settings.knowledge_dir / "policies",
            published_dir(settings.var_dir),
            drafts=pending_drafts(session),
        )
        try:
            outcomes = import_tree(
                source,
                settings.knowledge_dir / "policies",
                dry_run=args.dry_run,
                max_bytes=settings.kb_max_file_mb * 2**20,
                library=library,
                submit=lambda mapping: submit_entry(
                    session, mapping, drafter=drafter, unit=args.unit
                ).id,
                **{key: value for key, value in given.items() if value},
            )
        except DocumentImportError as error:
            print(f"kb import: {error}", file=sys.stderr)
            return 1
    for outcome in outcomes:
        if outcome.status != "unchanged" and (outcome.reason or outcome.warnings or args.verbose):
            print(outcome.line(), file=sys.stderr if outcome.status == "failed" else sys.stdout)
        if outcome.submitted is not None:
            print(f"送审 #{outcome.submitted}: {outcome.policy_id}")
    counts = Counter(outcome.status for outcome in outcomes)
    submitted = sum(outcome.submitted is not None for outcome in outcomes)
    prefix = "dry run, nothing submitted: " if args.dry_run else ""
    print(
        f"{prefix}submitted for review {submitted} (new {counts['imported']}, changed "
        f"{counts['updated']}), unchanged {counts['unchanged']}, duplicates {counts['duplicate']}, "
        f"failed {counts['failed']} (of {len(outcomes)} files). Nothing is served before another "
        "person approves it: /staff/review or python -m bot review approve"
    )
    return 1 if counts["failed"] and counts["failed"] == len(outcomes) else 0


def _eval_qa(args: argparse.Namespace, settings: Settings) -> int:
    try:
        items = load_eval(Path(args.file))
    except (EvalFileError, OSError) as error:
        print(f"eval qa: {error}", file=sys.stderr)
        return 1
    if args.leave_out:
        with tempfile.TemporaryDirectory(prefix="eval-qa-") as scratch:
            try:
                kb = KnowledgeBase.load(
                    without_asked(settings.knowledge_dir, Path(scratch), set(args.leave_out)),
                    cache_dir=Path(scratch) / "cache",
                )
            except (PolicyFileError, DataFileError) as error:
                print(error, file=sys.stderr)
                return 1
            report = evaluate(kb, items, top_k=args.top)
    else:
        kb = _open_kb(settings)
        if kb is None:
            return 1
        report = evaluate(kb, items, top_k=args.top)
    summary = report.summary()
    if args.leave_out:
        summary["left_out"] = sorted(args.leave_out)
    if args.calibrate:
        summary["suggested_confidence"] = vars(calibrate(report))
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
        return 0
    print(
        f"questions {summary['questions']}  hit@1 {summary['hit@1']:.3f}  hit@3 {summary['hit@3']:.3f}  "
        f"MRR {summary['mrr']:.3f}  answer_hit@1 {summary['answer_hit@1']:.3f}"
    )
    print(
        f"confident {summary['confident']} (correct {summary['confident_correct']}); "
        f"out of scope {summary['out_of_scope']} (confident {summary['out_of_scope_confident']})"
    )
    for outcome in report.misses(1):
        top = outcome.top
        got = f"{top.clause}：{top.answer[:40]}" if top else "（无结果）"
        print(
            f"  miss@1 rank={outcome.rank}  {outcome.item.question}  want {list(outcome.item.facts)}  got {got}"
        )
    if args.calibrate:
        print(f"suggested confidence: {summary['suggested_confidence']}")
    return 0


def without_asked(knowledge_dir: Path, scratch: Path, sources: set[str]) -> Path:
    """A copy of `knowledge_dir` (its evaluation sets aside) whose policies' asked questions
    from `sources` are left out: a labelled set measured as if its questions had never been
    asked (`eval qa --leave-out`)."""
    copy = scratch / "knowledge"
    shutil.copytree(knowledge_dir, copy, ignore=shutil.ignore_patterns("eval"))
    for path in sorted((copy / "policies").rglob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and isinstance(data.get("asked"), list):
            data["asked"] = [
                item
                for item in data["asked"]
                if not (isinstance(item, dict) and item.get("source") in sources)
            ]
            path.write_text(
                yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8"
            )
    return copy


def _eval_library(args: argparse.Namespace, settings: Settings) -> int:
    try:
        with tempfile.TemporaryDirectory(prefix="eval-library-") as scratch:
            corpus = Path(args.corpus)
            if args.also:
                # one library of several folders: each copied in as a subfolder (imports recurse)
                corpus = Path(scratch) / "corpus"
                for number, folder in enumerate([args.corpus, *args.also]):
                    shutil.copytree(folder, corpus / f"{number}-{Path(folder).name}")
            report = evaluate_corpus(
                corpus,
                Path(args.questions),
                settings.knowledge_dir,
                Path(args.out_of_scope) if args.out_of_scope else None,
                baseline=not args.no_baseline,
            )
    except (LibraryEvalError, OSError) as error:
        print(f"eval library: {error}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
        return 0
    print(f"documents {report['documents']}, imported {report['imported']}")
    for line in report["not_imported"]:
        print(f"  {line}")
    for name in ("library", "baseline"):
        for wording, figures in report.get(name, {}).items():
            print(
                f"{name:8} {wording:10} n={figures['questions']}  doc@1 {figures['doc@1']:.3f}  "
                f"span@3 {figures['span@3']:.3f}  answer@1 {figures['answer@1']:.3f}"
            )
    if "out_of_scope" in report:
        oos = report["out_of_scope"]
        print(f"out of scope: {oos['confident']} of {oos['questions']} answered confidently")
    if args.misses:
        for misses in report["misses"].values():
            for miss in misses:
                print(f"  miss doc@1 {miss}")
    return 0


def register(commands) -> None:
    kb = commands.top.add_parser("kb", help="policy knowledge base (政策解读)")
    sub = kb.add_subparsers(dest="kb_command", metavar="ACTION")
    sub.required = True

    search = sub.add_parser("search", help="answer questions from the knowledge base")
    search.add_argument("question", nargs="*", help="questions (or use --file)")
    search.add_argument("--file", help="one question a line; '-' for standard input")
    search.add_argument("--top", type=int, default=3, help="results per question (default 3)")
    search.add_argument("--json", action="store_true", help="one JSON object per question and line")
    search.set_defaults(handler=_search)

    sub.add_parser("list", help="list the policies").set_defaults(handler=_list)
    sub.add_parser("validate", help="check every knowledge file").set_defaults(handler=_validate)
    ask = sub.add_parser(
        "asked", help="write a policy's asked questions (问法) from labelled files or 12345 feedback"
    )
    ask.add_argument("policy", help="the policy id, e.g. zhoushan-open-government-rules")
    ask.add_argument("--labelled", nargs="+", metavar="FILE", help="labelled question files (eval qa format)")
    ask.add_argument(
        "--feedback", action="store_true", help="add the suggestions operators used as they were"
    )
    ask.add_argument("--dry-run", action="store_true", help="show what would be written")
    ask.set_defaults(handler=_asked)

    imp = sub.add_parser(
        "import",
        help="turn documents (a file or a folder: txt, md, html, docx, pdf) into policy entries",
    )
    imp.add_argument("path", help="a document, or a folder imported recursively")
    imp.add_argument("--dry-run", action="store_true", help="show what would happen, write nothing")
    imp.add_argument("--verbose", action="store_true", help="a line for every file")
    imp.add_argument("--out", help="output folder (default: <knowledge>/policies)")
    imp.add_argument("--id", help="policy id and file name (default: from the file name)")
    imp.add_argument("--title")
    imp.add_argument("--doc-no", help="文号, only if the document states one")
    imp.add_argument("--issuer")
    imp.add_argument("--date", help="publication date, YYYY-MM-DD")
    imp.add_argument("--url")
    imp.add_argument("--sample", action="store_true", help="mark as an example, not a real policy")
    imp.add_argument(
        "--force", action="store_true", help="replace the entry --id outright (hand-written parts too)"
    )
    imp.add_argument(
        "--drafter",
        help="who drafted the entries (required in production; dev: the login name); "
        "into the served library every new or changed entry goes for review by another person",
    )
    imp.add_argument("--unit", default="city.government_office", help="publishing unit")
    imp.set_defaults(handler=_import)

    qa = commands.eval.add_parser(
        "qa", help="hit@1, hit@3 and MRR of policy Q&A on a labelled file"
    )
    qa.add_argument("file")
    qa.add_argument("--top", type=int, default=3)
    qa.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    qa.add_argument("--calibrate", action="store_true", help="also suggest confidence thresholds")
    qa.add_argument(
        "--leave-out",
        action="append",
        default=[],
        metavar="SOURCE",
        help="leave out the asked questions from SOURCE (e.g. the file's own set) first",
    )
    qa.set_defaults(handler=_eval_qa)

    library = commands.eval.add_parser(
        "library", help="import a corpus, ask its questions: doc@1, span@3 vs jieba+BM25"
    )
    library.add_argument("corpus", help="folder of documents")
    library.add_argument("questions", help="JSON lines: id, doc, answer, wordings")
    library.add_argument(
        "--also",
        action="append",
        default=[],
        metavar="FOLDER",
        help="another folder of documents in the same library (repeatable)",
    )
    library.add_argument("--out-of-scope", help="JSON lines of questions no document answers")
    library.add_argument("--no-baseline", action="store_true", help="skip the jieba+BM25 baseline")
    library.add_argument("--misses", action="store_true", help="list the doc@1 misses")
    library.add_argument("--json", action="store_true")
    library.set_defaults(handler=_eval_library)
