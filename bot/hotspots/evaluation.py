"""Scoring a replay against a labelled stream, as the acceptance goals are stated.

Labels: `burst:<name>` (one event many citizens report), `decoy:<group>:<n>` (similar but separate
matters: every n is its own matter), `single`. For each burst the alerted topic holding most of
its messages is its alert: recall is the share of the burst in it, purity the share of it that is
the burst, and the delay runs from the burst's fifth message to the alert. A false alert is an
alerted topic that is no burst's alert; a decoy merge is a topic holding two matters of a group.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, timedelta
from typing import Any

from bot.hotspots.detect import Topic

GOAL_RECALL = 0.80
GOAL_PURITY = 0.90
GOAL_DELAY = timedelta(minutes=30)


def score(topics: list[Topic], labels: dict[str, tuple[str, datetime]]) -> dict[str, Any]:
    bursts: dict[str, list[tuple[datetime, str]]] = defaultdict(list)
    for message_id, (label, moment) in labels.items():
        if label.startswith("burst:"):
            bursts[label].append((moment, message_id))
    alerted = [t for t in topics if t.alert_at]
    claimed: set[int] = set()
    rows = []
    for label, members in sorted(bursts.items()):
        ids = {message_id for _, message_id in members}
        best = max(alerted, key=lambda t: len(ids & set(t.message_ids)), default=None)
        overlap = len(ids & set(best.message_ids)) if best else 0
        if not overlap:
            rows.append({"burst": label, "size": len(ids), "alerted": False})
            continue
        claimed.add(best.id)
        fifth = sorted(members)[min(4, len(members) - 1)][0]
        delay = best.alert_at - fifth
        rows.append(
            {
                "burst": label,
                "size": len(ids),
                "alerted": True,
                "recall": overlap / len(ids),
                "purity": overlap / best.size,
                "delay_minutes": round(delay.total_seconds() / 60, 1),
                "ok": overlap / len(ids) >= GOAL_RECALL
                and overlap / best.size >= GOAL_PURITY
                and delay <= GOAL_DELAY,
            }
        )
    false_alerts = [
        {"topic": t.id, "size": t.size, "text": t.texts[0][:60]}
        for t in alerted
        if t.id not in claimed
    ]
    merged = []
    for topic in topics:
        matters: dict[str, set[str]] = defaultdict(set)
        for message_id in topic.message_ids:
            label = labels.get(message_id, ("",))[0]
            if label.startswith("decoy:"):
                _, group, matter = (label.split(":", 2) + ["", ""])[:3]
                matters[group].add(matter)
        merged.extend(
            {"topic": topic.id, "group": group, "matters": sorted(found)}
            for group, found in matters.items()
            if len(found) > 1
        )
    times = sorted(moment for _, moment in labels.values())
    weeks = max((times[-1] - times[0]).total_seconds() / (7 * 86400), 1 / 7) if times else 1.0
    found = [r for r in rows if r["alerted"]]
    return {
        "bursts": len(rows),
        "bursts_alerted": len(found),
        "bursts_meeting_goals": sum(1 for r in rows if r.get("ok")),
        "mean_recall": _mean(r["recall"] for r in found),
        "mean_purity": _mean(r["purity"] for r in found),
        "max_delay_minutes": max((r["delay_minutes"] for r in found), default=None),
        "false_alerts": len(false_alerts),
        "false_alerts_per_week": round(len(false_alerts) / weeks, 2),
        "decoys_merged": len(merged),
        "topics": len(topics),
        "alerts": len(alerted),
        "rows": rows,
        "false_alert_topics": false_alerts,
        "merged_decoys": merged,
        "label_counts": dict(Counter(label.split(":")[0] for label, _ in labels.values())),
    }


def _mean(values) -> float:
    values = list(values)
    return round(sum(values) / len(values), 3) if values else 0.0


def report(result: dict[str, Any], refused: int = 0) -> str:
    lines = [
        f"突发聚集 {result['bursts']} 个：预警 {result['bursts_alerted']} 个，"
        f"达标（召回≥80%、纯度≥90%、第5条后30分钟内）{result['bursts_meeting_goals']} 个",
        f"平均召回 {result['mean_recall']:.3f}，平均纯度 {result['mean_purity']:.3f}，"
        f"最长延迟 {result['max_delay_minutes']} 分钟",
        f"误报 {result['false_alerts']} 个（每周 {result['false_alerts_per_week']}），"
        f"干扰项被合并 {result['decoys_merged']} 处；话题 {result['topics']} 个，拒收 {refused} 行",
    ]
    for row in result["rows"]:
        if not row["alerted"]:
            lines.append(f"  ✗ {row['burst']}（{row['size']} 条）未预警")
        elif not row["ok"]:
            lines.append(
                f"  ✗ {row['burst']}（{row['size']} 条）召回 {row['recall']:.2f} "
                f"纯度 {row['purity']:.2f} 延迟 {row['delay_minutes']} 分钟"
            )
    for topic in result["false_alert_topics"]:
        lines.append(f"  误报 话题{topic['topic']}（{topic['size']} 条）：{topic['text']}")
    for merge in result["merged_decoys"]:
        lines.append(f"  合并 话题{merge['topic']}：{merge['group']} {merge['matters']}")
    return "\n".join(lines)
