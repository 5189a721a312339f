"""`python -m bot hotspots detect` replays a stream offline; `python -m bot hotspots monitor` runs
the live monitor (`bot.hotspots.worker`); `python -m bot eval hotspots` scores the grouping and the
alerts on a labelled stream."""

from __future__ import annotations

import argparse
import io
import json
import logging
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import IO, Optional

from bot.config import Settings as AppSettings
from bot.hotspots.assess import assess
from bot.hotspots.detect import Detector, Settings, StreamError, Topic
from bot.hotspots.evaluation import report, score
from bot.hotspots.stream import read_lines, topic_record
from bot.tickets.routing import Router


def settings_path(settings: AppSettings) -> Path:
    return settings.knowledge_dir / "hotspots.yml"


def run(
    stream: IO[str],
    app_settings: AppSettings,
    out: Optional[IO[str]] = None,
    errors: IO[str] = sys.stderr,
) -> tuple[list[Topic], dict[str, tuple[str, datetime]], int]:
    """Replay `stream`; write each topic's line to `out` as it closes; the closed topics (kept
    only when there is no `out`), the labels read and the number of refused lines."""
    router = Router.load(app_settings.knowledge_dir)
    settings = Settings.load(settings_path(app_settings))
    kept: list[Topic] = []

    def closed(topic: Topic) -> None:
        if out is None:
            kept.append(topic)
            return
        assessment = assess(router, settings, topic) if topic.alert_at else None
        out.write(json.dumps(topic_record(topic, router, assessment), ensure_ascii=False) + "\n")

    detector = Detector(settings, router.gazetteer, on_close=closed)
    labels: dict[str, tuple[str, datetime]] = {}
    refused = 0
    for line in read_lines(stream):
        if line.message is None:
            refused += 1
            errors.write(f"第{line.number}行：{line.error}\n")
            continue
        try:
            detector.add(line.message)
        except StreamError as error:
            refused += 1
            errors.write(f"第{line.number}行（id {line.message.id}）：{error}\n")
            continue
        if line.label:
            labels[line.message.id] = (line.label, line.message.time)
    detector.close_all()
    return kept, labels, refused


def _detect(args: argparse.Namespace, settings: AppSettings) -> int:
    stream = sys.stdin if args.file == "-" else open(args.file, encoding="utf-8")
    with stream:
        if args.json:
            _, _, refused = run(stream, settings, out=sys.stdout)
        else:
            topics, _, refused = run(stream, settings)
            alerted = [t for t in topics if t.alert_at]
            print(f"话题 {len(topics)} 个，预警 {len(alerted)} 个，拒收 {refused} 行")
            for topic in sorted(alerted, key=lambda t: t.alert_at):
                print(f"  {topic.alert_at:%m-%d %H:%M}  {topic.size:>4} 条  {topic.texts[0][:40]}")
    return 0


def _evaluate(args: argparse.Namespace, settings: AppSettings) -> int:
    with open(args.file, encoding="utf-8") as stream:
        topics, labels, refused = run(stream, settings, errors=io.StringIO())
    result = score(topics, labels)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        print(report(result, refused))
    return 0


def _monitor(args: argparse.Namespace, app_settings: AppSettings) -> int:
    import asyncio

    from bot.hotspots.worker import serve
    from bot.keys import refuse_unsafe_production

    refuse_unsafe_production(app_settings)
    loop = asyncio.new_event_loop()
    code = 1
    try:
        loop.run_until_complete(serve(app_settings, args.ready_file))
        code = 0
    except Exception:  # noqa: BLE001 - told, then the supervisor sees the exit code
        logging.getLogger(__name__).exception("hotspot monitor failed")
    finally:
        # Stopped (SIGTERM): the lease is given up and the ready file gone. A start-up step
        # still running on a worker thread (loading the router, replaying 48 hours) holds no
        # state of its own, so the process leaves now instead of joining it, as a supervisor
        # stopping everything expects (its state is all in the database).
        logging.shutdown()
        sys.stdout.flush()
        os._exit(code)


def register(commands) -> None:
    hotspots = commands.top.add_parser("hotspots", help="政务舆情: group messages, alert on hot topics")
    sub = hotspots.add_subparsers(dest="hotspots_command", metavar="ACTION")
    sub.required = True
    detect = sub.add_parser("detect", help="replay a stream of messages (JSON lines) offline")
    detect.add_argument("--file", required=True, help="the stream, one JSON object a line (- for stdin)")
    detect.add_argument("--json", action="store_true", help="one topic a line, as JSON")
    detect.set_defaults(handler=_detect)

    monitor = sub.add_parser("monitor", help="run the live monitor (make run starts it)")
    monitor.add_argument("--ready-file", type=Path, help="write this process's pid here once running")
    monitor.set_defaults(handler=_monitor)

    evaluate = commands.eval.add_parser("hotspots", help="score grouping and alerts on a labelled stream")
    evaluate.add_argument("file", help='a stream whose lines carry "label" (burst:…, decoy:…, single)')
    evaluate.add_argument("--json", action="store_true")
    evaluate.set_defaults(handler=_evaluate)
