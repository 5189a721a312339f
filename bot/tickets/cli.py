"""`python -m bot route`, `python -m bot eval routing` (and `routing-cv`) and
`python -m bot departments`."""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from typing import Any, Optional

from bot.cli import read_inputs
from bot.config import Settings
from bot.tickets.routing import Router, RoutingResult

# The first keys of every `route --json` line, in this order; the rest of the result follows.
ROUTE_KEYS = (
    "text",
    "type",
    "category",
    "location",
    "department",
    "co_departments",
    "due_at",
    "emergency",
)


def register(commands) -> None:
    route = commands.top.add_parser("route", help="classify and route 12345 complaints")
    route.add_argument("texts", nargs="*", metavar="TEXT")
    route.add_argument("--file", help="one complaint a line ('-' for stdin)")
    route.add_argument("--json", action="store_true", help="one JSON object a line")
    route.add_argument("--now", type=_timestamp, help="receipt time, ISO 8601 (default: now)")
    route.set_defaults(handler=_route)

    evaluation = commands.eval.add_parser("routing", help="accuracy of routing on a labelled file")
    evaluation.add_argument("file")
    evaluation.add_argument("--json", action="store_true")
    evaluation.set_defaults(handler=_evaluate)

    folds = commands.eval.add_parser(
        "routing-cv", help="cross-validated routing accuracy on the router's training file"
    )
    folds.add_argument("--folds", type=int, default=5)
    folds.add_argument("--seed", type=int, default=0, help="seed of the shuffle into folds")
    folds.add_argument(
        "--also",
        action="append",
        default=[],
        metavar="FILE",
        help="labelled file added to every fold's training data, never routed (repeatable)",
    )
    folds.add_argument(
        "--by-source",
        action="store_true",
        help="hold out each source (fresh batch) of the training file in turn instead of folds",
    )
    folds.add_argument("--json", action="store_true")
    folds.set_defaults(handler=_cross_validate)

    corrections = commands.top.add_parser(
        "routing-corrections", help="operators' corrections of the router (training examples)"
    )
    corrections_sub = corrections.add_subparsers(dest="corrections_command", metavar="ACTION")
    corrections_sub.required = True
    export = corrections_sub.add_parser(
        "export", help="write the corrections as routing_training.yml examples (YAML)"
    )
    export.add_argument("--since", type=_timestamp, help="only corrections from then on (ISO 8601)")
    export.add_argument("--out", help="file to write (default: stdout)")
    export.set_defaults(handler=_export_corrections)

    departments = commands.top.add_parser("departments", help="the department catalogue")
    sub = departments.add_subparsers(dest="departments_command", metavar="ACTION")
    sub.required = True
    listing = sub.add_parser("list", help="list bodies")
    listing.add_argument("--function", help="only bodies of this function id")
    listing.add_argument("--jurisdiction", help="only bodies of this jurisdiction id")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=_list_departments)
    sub.add_parser(
        "dictionaries", help="rewrite knowledge/dictionary/{places,departments}.txt"
    ).set_defaults(handler=_write_dictionaries)


def route_record(result: RoutingResult) -> dict[str, Any]:
    """The result as one `route --json` object: ROUTE_KEYS first, then everything else."""
    data = result.to_dict()
    return {**{key: data[key] for key in ROUTE_KEYS}, **data}


def _route(args: argparse.Namespace, settings: Settings) -> int:
    texts = read_inputs(args.texts, args.file)
    if not texts:
        print("nothing to route: give TEXT or --file")
        return 2
    router = Router.load(settings.knowledge_dir)
    for text in texts:
        result = router.route(text, now=args.now)
        if args.json:
            print(json.dumps(route_record(result), ensure_ascii=False))
        else:
            print(_describe(result))
    return 0


def _describe(result: RoutingResult) -> str:
    if result.emergency:
        return f"【紧急 {result.emergency}】{result.emergency_message}"
    if result.excluded:
        return f"【不予受理】{result.excluded_message}"
    if not result.type:
        return "【无内容】请描述您的诉求。"
    place = f"{result.location}（{result.jurisdiction_name}）" if result.location else "未指明地点"
    lead = result.department or "人工分拨"
    co = f"，协办：{'、'.join(result.co_departments)}" if result.co_departments else ""
    urgent = "【急】" if result.urgent else ""
    due = result.due_at.strftime("%Y-%m-%d %H:%M") if result.due_at else "-"
    return (
        f"{urgent}{result.type}｜{result.category_name or '未分类'}｜{place}｜"
        f"主办：{lead}{co}｜办结时限：{due}"
    )


def _evaluate(args: argparse.Namespace, settings: Settings) -> int:
    from bot.tickets.evaluation import evaluate, load_boards, load_cases

    report = evaluate(
        Router.load(settings.knowledge_dir),
        load_cases(args.file),
        boards=load_boards(settings.knowledge_dir),
    )
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(report.render())
    return 0


def _cross_validate(args: argparse.Namespace, settings: Settings) -> int:
    from bot.tickets.evaluation import cross_validate, cross_validate_by_source, load_cases

    if args.by_source:
        reports = cross_validate_by_source(settings.knowledge_dir)
        if args.json:
            data = {name: report.to_dict() for name, report in reports.items()}
            print(json.dumps(data, ensure_ascii=False, indent=2))
        else:
            for name, report in reports.items():
                print(f"held out: {name}\n{report.render(mismatches=False)}")
        return 0
    also = [case for path in args.also for case in load_cases(path)]
    report = cross_validate(settings.knowledge_dir, folds=args.folds, seed=args.seed, also=also)
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(report.render())
    return 0


def _export_corrections(args: argparse.Namespace, settings: Settings) -> int:
    import yaml

    from bot.db import Database
    from bot.tickets.corrections import training_examples

    database = Database(settings.database_url)
    try:
        with database.session() as session:
            examples = training_examples(session, since=args.since)
    finally:
        database.dispose()
    lines = [
        "# Operators' corrections of the router (python -m bot routing-corrections export):",
        "# review, then append to knowledge/routing_training.yml's examples.",
        "examples:",
    ]
    lines.extend(
        "  - " + yaml.safe_dump(e, allow_unicode=True, default_flow_style=True, width=10**6).strip()
        for e in examples
    )
    output = "\n".join(lines) + "\n"
    if args.out:
        with open(args.out, "w", encoding="utf-8") as handle:
            handle.write(output)
        print(f"wrote {len(examples)} examples to {args.out}")
    else:
        print(output, end="")
    return 0


def _list_departments(args: argparse.Namespace, settings: Settings) -> int:
    from bot.tickets.catalogue import Catalogue

    catalogue = Catalogue.load(settings.knowledge_dir / "departments.yml")
    bodies = catalogue.bodies(function=args.function, jurisdiction=args.jurisdiction)
    for body in bodies:
        if args.json:
            print(json.dumps(body.__dict__, ensure_ascii=False))
        else:
            print(f"{body.id:<34} {body.level:<8} {body.name}")
    return 0


def _write_dictionaries(args: argparse.Namespace, settings: Settings) -> int:
    from bot.tickets.dictionaries import write

    for path in write(settings.knowledge_dir):
        print(f"wrote {path}")
    return 0


def _timestamp(value: str) -> Optional[datetime]:
    try:
        return datetime.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 time: {value}") from exc
