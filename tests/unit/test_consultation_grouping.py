"""Grouping similar opinions: measured quality, stance, scale, and regrouping around decisions."""

from __future__ import annotations

import random

from sqlalchemy import select

from bot.consultation import decide_group, group_opinions, grouping, submit_opinion
from bot.consultation.grouping import DEFAULT_THRESHOLD, cluster_opinions, evaluate, stance, terms
from bot.consultation.models import OpinionGroup
from tests.unit.consultation_fixtures import AFTER_CLOSE, LABELLED, NOW, PARKING

pytest_plugins = ("tests.unit.consultation_fixtures",)


def test_default_threshold_holds_on_the_labelled_set():
    opinions, groups, (score,) = evaluate(LABELLED, [DEFAULT_THRESHOLD])
    assert opinions >= 60 and groups >= 20
    assert score.ari >= 0.72 and score.precision >= 0.72 and score.recall >= 0.70, score


def test_terms_keep_negations_and_drop_filler():
    words = terms("我不同意第九条，建议取消新能源车免费停车，谢谢！").split()
    assert "不同意" in words and "同意" not in words
    assert "建议" not in words and "谢谢" not in words and "新能源" in words


def test_supporters_and_opponents_are_never_grouped_together():
    texts = [
        "支持新能源汽车首小时免费，鼓励绿色出行。",
        "赞成新能源汽车停车免费，很好的政策。",
        "反对新能源汽车免费停车，对燃油车不公平。",
        "新能源汽车免费停车不公平，建议取消。",
    ]
    clusters = cluster_opinions([terms(t) for t in texts], [stance(t) for t in texts])
    for cluster in clusters:
        assert len({stance(texts[i]) for i in cluster.members}) == 1


def test_many_opinions_from_a_few_templates_form_a_few_groups():
    rng = random.Random(3)
    templates = [
        ("码头短时停车15分钟太短，建议延长到30分钟", "码头"),
        ("夜间免费停车泊位太少，老小区停车难，请多划一些", "夜间"),
        ("停车收费标准太高，首小时5元太贵，建议降低收费", "收费"),
    ]
    openers = ["", "我认为", "作为市民，", "您好，", "个人建议"]
    closers = ["", "谢谢！", "望采纳。", "请考虑。"]
    places = ["定海", "普陀", "新城", "沈家门", "临城"]
    texts, truth = [], []
    for _ in range(1500):
        template, topic = rng.choice(templates)
        texts.append(
            f"{rng.choice(openers)}我住{rng.choice(places)}，{template}。{rng.choice(closers)}"
        )
        truth.append(topic)
    clusters = cluster_opinions([terms(t) for t in texts], [0] * len(texts))
    assert len(clusters) == 3
    for cluster in clusters:
        assert len({truth[i] for i in cluster.members}) == 1
        assert texts[cluster.representative] in [texts[i] for i in cluster.members]


def test_regrouping_keeps_decided_groups(db, synced, people):
    draft_id = synced[PARKING]
    fees = [
        "收费标准太高，首小时5元太贵，建议降低收费。",
        "停车收费太高了，首小时5元太贵，请降低收费标准。",
    ]
    with db.session() as session:
        for text in fees:
            submit_opinion(session, draft_id, "第七条", text, now=NOW)
        first = group_opinions(session, draft_id, actor=people["li"], now=AFTER_CLOSE)
        assert (first.opinions, first.groups, first.kept_groups) == (2, 1, 0)
        group = session.execute(select(OpinionGroup)).scalar_one()
        decide_group(
            session,
            group.id,
            "不予采纳",
            "收费标准已经过听证。",
            actor=people["li"],
            now=AFTER_CLOSE,
        )
        submit_opinion(session, draft_id, "第七条", "收费标准太高，建议降低首小时收费。", now=NOW)
        second = group_opinions(session, draft_id, actor=people["li"], now=AFTER_CLOSE)
        assert (second.opinions, second.groups, second.kept_groups) == (1, 1, 1)
        decided = session.get(OpinionGroup, group.id)
        assert decided.outcome == "not_adopted" and decided.size == 2


def test_opinions_beyond_the_group_limit_stay_on_their_own(monkeypatch):
    texts = [f"话题{i} 内容{i} 细节{i}" for i in range(8)]
    texts += [f"{text} 补充" for text in texts]
    pairs = [[i, i + 8] for i in range(8)]
    assert sorted(sorted(c.members) for c in cluster_opinions(texts, [0] * 16)) == pairs

    monkeypatch.setattr(grouping, "MAX_GROUPS", 3)
    clusters = sorted(sorted(c.members) for c in cluster_opinions(texts, [0] * 16))
    assert [c for c in clusters if len(c) > 1] == pairs[:3]
    assert sorted(i for c in clusters for i in c) == list(range(16)), "nobody is lost"
