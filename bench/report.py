"""The README's measurements table, written from `bench/results.json` (what `make bench` made).

Everything between `<!-- bench:start -->` and `<!-- bench:end -->` in README.md is replaced; a
benchmark missing from the results leaves its row out rather than keeping an old figure.
Usage: python -m bench.report [--results bench/results.json] [--readme README.md]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

ROOT = Path(__file__).resolve().parent.parent
START, END = "<!-- bench:start -->", "<!-- bench:end -->"

Row = tuple[str, str, str]


def _pct(rate: Optional[float]) -> str:
    return "n/a" if rate is None else f"{rate:.1%}"


def _ms(value: float) -> str:
    return f"{value:.0f}" if value >= 100 else f"{value:.1f}" if value >= 10 else f"{value:.2f}"


def _accuracy_rows(acc: dict[str, Any]) -> Iterator[Row]:
    nlu = [acc[k] for k in ("nlu_holdout", "nlu_holdout2") if k in acc]
    if nlu:
        yield (
            "Intent classification, held-out sets never trained on ("
            + " and ".join(str(n["examples"]) for n in nlu)
            + " messages)",
            "macro-F1 "
            + " and ".join(f"**{n['macro_f1']:.3f}**" for n in nlu)
            + " (accuracy "
            + ", ".join(f"{n['accuracy']:.3f}" for n in nlu)
            + ")",
            "`python -m bot eval nlu [FILE]`",
        )
    if "training_s" in acc:
        yield ("Training time (NLU + rules)", f"{acc['training_s']:.0f} s", "`make train`")
    for key, label in (
        ("policy_qa", "own questions (tuned on them; without their own asked questions)"),
        ("rules_qa_unseen", "paraphrases of the rules written blind (studied; leave-one-writer-out)"),
        ("rules_qa_unseen2", "paraphrases of the rules by a second blind writer (studied in session 11; leave-one-writer-out)"),
        ("rules_qa_unseen3", "paraphrases of the rules by a third blind writer (studied in session 11; leave-one-writer-out)"),
        ("rules_qa_unseen4", "paraphrases of the rules by a fourth blind writer (never tuned on; first sight 0.688 / 0.863 / 0.625)"),
    ):
        if key in acc:
            qa = acc[key]
            yield (
                f"Policy Q&A, {qa['questions']} {label}",
                f"hit@1 {qa['hit@1']:.3f}, hit@3 {qa['hit@3']:.3f}, MRR {qa['mrr']:.3f}, concise "
                f"answer right first {qa['answer_hit@1']:.3f}; {qa['out_of_scope']} out-of-scope "
                f"questions, {qa['out_of_scope_confident']} answered with confidence",
                f"`python -m bot eval qa {qa['file']}"
                + "".join(f" --leave-out {source}" for source in qa.get("left_out", []))
                + "`",
            )
    for key, label in (
        ("routing", "tuned on them"),
        ("routing_unseen", "by a separate writer, never trained on; first-sight score below"),
    ):
        if key in acc:
            r, a = acc[key], acc[key]["accuracy"]
            yield (
                f"Complaint routing, {r['cases']} labelled complaints ({label})",
                f"department **{_pct(a['department']['rate'])}**, jurisdiction "
                f"{_pct(a['jurisdiction']['rate'])}, type **{_pct(a['type']['rate'])}**, "
                f"emergencies {a['emergency']['correct']}/{a['emergency']['total']} decided right",
                f"`python -m bot eval routing {r['file']}`",
            )
    if "routing_emergencies" in acc:
        r = acc["routing_emergencies"]
        a = r["accuracy"]["emergency"]
        yield (
            f"Emergency probes, {r['cases']} emergencies and near misses",
            f"{a['correct']}/{a['total']} decisions right",
            f"`python -m bot eval routing {r['file']}`",
        )


def _chat_rows(chat: dict[str, Any]) -> Iterator[Row]:
    stock, dev, prod, ratios = (
        chat["stock"],
        chat["ours_sqlite"],
        chat["ours_production"],
        chat["ratios"],
    )
    command = "`python -m bench.bench_chat`"
    for level in ("c1", "c32"):
        n = stock[level]["concurrency"]
        yield (
            f"Reply latency, {n} conversation{'s' if n > 1 else ''}, p50 / p95 / p99: "
            "stock `rasa init` · ours SQLite · ours production",
            " · ".join(
                "/".join(_ms(run[level][p]) for p in ("p50_ms", "p95_ms", "p99_ms"))
                for run in (stock, dev, prod)
            )
            + f" ms → p95 **{ratios[f'sqlite_p95_{level}_vs_stock']}×** and "
            f"**{ratios[f'production_p95_{level}_vs_stock']}×** stock",
            command,
        )
    yield (
        "Throughput at 32 conversations: stock · SQLite · production profile",
        f"{stock['c32']['throughput_msg_s']} · {dev['c32']['throughput_msg_s']} · "
        f"{prod['c32']['throughput_msg_s']} msg/s → production "
        f"**{ratios['production_throughput_c32_vs_stock']}×** stock",
        command,
    )
    yield (
        "Ready after start: stock · ours SQLite · ours production",
        f"{stock['ready_s']} · {dev['ready_s']} · {prod['ready_s']} s",
        command,
    )


def _cpu(per_service: dict[str, float]) -> str:
    return ", ".join(f"{name} {ms}" for name, ms in per_service.items())


def _mixed_rows(mixed: dict[str, Any]) -> Iterator[Row]:
    stock, ratios = mixed["stock_greetings"], mixed["ratios"]
    profiles = [p for p in ("sqlite", "postgres") if p in mixed]
    command = "`python -m bench.bench_mixed`"
    for level in ("c1", "c32"):
        n = stock[level]["concurrency"]
        yield (
            f"Citizens' mix through the portal, {n} conversation{'s' if n > 1 else ''}, "
            "p50 / p95 / p99: stock `rasa init` (greetings) · ours " + " · ours ".join(profiles),
            " · ".join(
                "/".join(_ms(run[level][p]) for p in ("p50_ms", "p95_ms", "p99_ms"))
                for run in [stock] + [mixed[p]["mixed"] for p in profiles]
            )
            + " ms → p95 "
            + " and ".join(f"**{ratios[f'{p}_mixed_p95_{level}_vs_stock']}×**" for p in profiles)
            + " stock (greetings only: "
            + " and ".join(f"{ratios[f'{p}_greetings_p95_{level}_vs_stock']}×" for p in profiles)
            + f"); errors {sum(mixed[p]['mixed'][level]['errors'] for p in profiles)}",
            command,
        )
    for profile in profiles:
        yield (
            f"CPU per message of the mix at 32 conversations, {profile}",
            _cpu(mixed[profile]["cpu_ms_per_message_c32"]) + " ms",
            command,
        )


def _instances_rows(front: dict[str, Any]) -> Iterator[Row]:
    one, many = front["one"], front["many"]
    yield (
        f"{many['instances']} instances of every service behind nginx against 1, "
        f"{front['conversations']} conversations of the mix",
        f"throughput {one['throughput_msg_s']} → {many['throughput_msg_s']} msg/s "
        f"(**{front['throughput_many_vs_one']}×**), p95 {_ms(one['p95_ms'])} → "
        f"{_ms(many['p95_ms'])} ms, errors {one['errors']} and {many['errors']}; CPU ms per "
        f"message: {_cpu(many['cpu_ms_per_message'])}",
        "`python -m bench.bench_instances`",
    )


def _soak_rows(soak: dict[str, Any]) -> Iterator[Row]:
    think = soak.get("think_seconds") or 0
    pacing = f"citizens pausing {think:g} s on average before each message" if think else (
        "each message sent the moment the last reply arrived"
    )
    yield (
        f"Soak: {soak['minutes']} minutes at {soak['conversations']} conversations, "
        f"production profile, {pacing}",
        f"**{soak['errors']} errors** in {soak['messages']:,} messages; tickets confirmed "
        f"{soak['tickets_confirmed']}, stored {soak['tickets_stored']}, duplicated "
        f"{soak['duplicates']}; opinion receipts {soak.get('opinions_confirmed', 0)} given, "
        f"{soak.get('opinions_stored', 0)} stored; p50/p95/p99 {_ms(soak['p50_ms'])}/{_ms(soak['p95_ms'])}/"
        f"{_ms(soak['p99_ms'])} ms, {soak['throughput_msg_s']} msg/s"
        + (f"; CPU ms per message: {_cpu(cpu)}" if (cpu := soak.get("cpu_ms_per_message")) else ""),
        f"`python bench/soak.py{f' --think {think:g}' if think else ''}`",
    )


def _kb_rows(kb: dict[str, Any]) -> Iterator[Row]:
    ours, ratio = kb["ours"], kb["ratios_p95"]["cpu"]
    yield (
        f"Policy search, {kb['passages']:,} passages",
        f"scoring p95 {_ms(ours['score']['cpu']['p95_ms'])} ms; whole `ask` p95 "
        f"{_ms(ours['ask']['cpu']['p95_ms'])} ms CPU; rank-bm25 scoring p95 "
        f"{_ms(kb['rank_bm25']['score']['cpu']['p95_ms'])} ms "
        f"({ratio['rank_bm25_score_over_ours']}× slower); index build "
        f"{ours['index_build']['wall_s']:.1f} s",
        "`python bench/bench_kb.py`",
    )


def _library_rows(library: dict[str, Any]) -> Iterator[Row]:
    ours, bm25s = library["ours"], library["bm25s"]
    more = library.get("incremental", {})
    yield (
        f"Policy library, {library['documents']:,} documents ({library['passages']:,} passages); "
        "beside it jieba + bm25s over three-sentence windows of the same files",
        f"import + index {library['import_and_index_s']:.0f} s (CPU {library['import_cpu_s']:.0f} + "
        f"{library['index_cpu_s']:.0f} s; target 300 s) · bm25s {bm25s.get('import_s', 0):.0f} s; "
        f"{more.get('documents', 0)} more documents {more.get('wall_s', 0):.0f} s; "
        f"ready {library['ready_s']:.1f} s (target 15 s) · bm25s {bm25s.get('ready_s', 0):.1f} s; "
        f"`ask` p95 {_ms(ours['cpu']['p95_ms'])} ms CPU (target 10 ms) · bm25s retrieve "
        f"{_ms(bm25s['cpu']['p95_ms'])} ms; RSS {library['rss_mb']:.0f} MB loaded · bm25s "
        f"{bm25s.get('rss_mb', 0):.0f} MB, {library['build_rss_mb']:.0f} MB importing "
        "(target 1,536 MB)",
        "`python bench/bench_library.py`",
    )


def _routing_rows(routing: dict[str, Any]) -> Iterator[Row]:
    yield (
        f"Routing latency ({routing['calls']:,} calls)",
        f"p50 {_ms(routing['wall']['p50_ms'])} ms, **p95 {_ms(routing['wall']['p95_ms'])} ms**, "
        f"p99 {_ms(routing['wall']['p99_ms'])} ms (target p95 < {routing['target_p95_ms']:g} ms);"
        f" a 5,000-character text {_ms(routing['text_5000_chars_ms'])} ms",
        "`python bench/bench_routing.py`",
    )


def _inbox_rows(inbox: dict[str, Any]) -> Iterator[Row]:
    first, overdue = inbox["queries"]["inbox_first_page"], inbox["queries"]["inbox_overdue"]
    yield (
        f"Department inbox among {inbox['rows']:,} tickets (PostgreSQL {inbox['postgres'].split()[0]})",
        f"whole call p95 **{_ms(first['client']['p95_ms'])} ms** (overdue filter "
        f"{_ms(overdue['client']['p95_ms'])} ms); PostgreSQL's own time p95 "
        f"{_ms(first['server']['p95_ms'])} ms (target {inbox['target_p95_ms']:g} ms)",
        "`python bench/bench_inbox.py`",
    )


def _consultation_rows(c: dict[str, Any]) -> Iterator[Row]:
    summary = c["summary"]
    yield (
        f"Consultation: {c['opinions']:,} opinions on one draft",
        f"grouped in {c['group_opinions']['wall_s']:.1f} s (ARI "
        f"{c['grouping_quality']['ari']} on the synthetic topics); summary rendered in "
        f"{summary['build_content']['wall_s'] + summary['render_html']['wall_s']:.1f} s",
        "`python bench/bench_consultation.py`",
    )


def _door_rows(door: dict[str, Any]) -> Iterator[Row]:
    rest, busy, attack = door["at_rest_ms"], door["under_attack_ms"], door["attack"]
    yield (
        f"Citizens' replies through the portal relay while one address sends "
        f"{attack['one_megabyte_messages']} messages of 1 MB and {attack['logins']} wrong logins "
        f"({door['citizens']} citizens, {door['profile']})",
        f"p50/p95 at rest {rest['p50']:.0f}/{rest['p95']:.0f} ms, under attack "
        f"{busy['p50']:.0f}/{busy['p95']:.0f} ms → p95 **{door['p95_ratio']}×** "
        f"(target ≤ {door['target_ratio']}×)",
        "`python bench/bench_door.py`",
    )


def _hotspots_rows(h: dict[str, Any]) -> Iterator[Row]:
    replay, page = h["replay"], h["topics_page"]
    yield (
        f"舆情 replay: {replay['messages']:,} generated messages over {h['stream_days']} days",
        f"**{replay['messages_per_s']:,} msg/s** ({replay['messages_per_cpu_s']:,} per CPU-second; "
        f"target {h['target_messages_per_s']:,}); {h['replay_over_parse_time']}× the time of only "
        f"parsing the lines; at most {replay['peak_open_topics']:,} open topics, peak RSS "
        f"{h['peak_rss_mib']} MiB",
        "`python bench/bench_hotspots.py`",
    )
    yield (
        f"舆情 staff topics page with {page['open_topics']:,} open topics",
        f"p50/p95 {page['p50_ms']}/{page['p95_ms']} ms (CPU p95 {page['cpu_p95_ms']} ms; "
        f"target p95 {h['target_page_p95_ms']} ms)",
        "`python bench/bench_hotspots.py`",
    )


ROWS: tuple[tuple[str, Callable[[dict[str, Any]], Iterator[Row]]], ...] = (
    ("accuracy", _accuracy_rows),
    ("chat", _chat_rows),
    ("mixed", _mixed_rows),
    ("instances", _instances_rows),
    ("soak", _soak_rows),
    ("soak_paced", _soak_rows),
    ("kb", _kb_rows),
    ("library", _library_rows),
    ("routing", _routing_rows),
    ("inbox", _inbox_rows),
    ("consultation", _consultation_rows),
    ("door", _door_rows),
    ("hotspots", _hotspots_rows),
)
"""Each benchmark's rows, in the table's order; a benchmark without results gives none."""


def render(report: dict[str, Any]) -> str:
    machine = report.get("machine") or {}
    results = report.get("results") or {}
    lines = [
        f"Machine: {machine.get('cores')} cores ({machine.get('cpu')}), "
        f"{machine.get('memory_gib')} GiB, Python {machine.get('python')}; "
        f"load average {machine.get('load_average_at_start')} at the start; "
        f"measured {machine.get('date')} by `make bench`.",
        "",
        "| what | figure | command |",
        "| --- | --- | --- |",
    ]
    for name, rows in ROWS:
        if results.get(name):
            lines.extend(f"| {w} | {f} | {c} |" for w, f, c in rows(results[name]))
    return "\n".join(lines)


def update_readme(readme: Path, table: str) -> None:
    text = readme.read_text(encoding="utf-8")
    head, found, rest = text.partition(START)
    _, closed, tail = rest.partition(END)
    if not (found and closed):
        raise ValueError(f"{readme}: no {START} … {END} section")
    readme.write_text(f"{head}{START}\n{table}\n{END}{tail}", encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "results.json")
    parser.add_argument("--readme", type=Path, default=ROOT / "README.md")
    args = parser.parse_args()
    update_readme(args.readme, render(json.loads(args.results.read_text(encoding="utf-8"))))
    print(f"{args.readme}: measurements table written from {args.results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
