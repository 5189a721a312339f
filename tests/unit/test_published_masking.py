"""Nothing computed from citizens' words and shown carries their personal data: grouping
keywords and the adoption summary built from them."""

from __future__ import annotations

import json

from sqlalchemy import select

from bot.consultation import group_opinions, submit_opinion
from bot.consultation.models import Draft, OpinionGroup
from bot.consultation.report import build_content
from bot.privacy import is_personal, without_personal_data
from tests.unit.consultation_fixtures import AFTER_CLOSE, NOW, PARKING

pytest_plugins = ("tests.unit.consultation_fixtures",)

PHONE, ID_CARD = "13812345678", "330902199001011234"


def test_personal_data_is_removed_not_just_masked():
    text = f"我叫张伟，电话{PHONE}，138 1234 5678，身份证{ID_CARD}，邮箱zw@example.com，建议降价"
    plain = without_personal_data(text)
    for secret in (PHONE, ID_CARD, "138 1234 5678", "zw@", "张伟", "1234", "5678"):
        assert secret not in plain
    assert "建议降价" in plain and "我叫" in plain
    assert is_personal(PHONE) and is_personal(ID_CARD) and is_personal("0580-2281234")
    assert not is_personal("停车") and not is_personal("5元")


def test_two_opinions_sharing_a_phone_number_publish_no_number(db, synced, people):
    draft_id = synced[PARKING]
    with db.session() as session:
        for text in (
            f"夜间停车位太少，建议增加。电话{PHONE}，身份证{ID_CARD}",
            f"收费标准太高了。联系电话{PHONE} 身份证号{ID_CARD}",
            f"我的电话{PHONE}，身份证{ID_CARD}，请尽快答复",
        ):
            submit_opinion(session, draft_id, "第七条", text, phone=PHONE, now=NOW)
        group_opinions(session, draft_id, actor=people["li"], now=AFTER_CLOSE)
        keywords = [g.keywords for g in session.execute(select(OpinionGroup)).scalars()]
        content = build_content(session, session.get(Draft, draft_id))
    assert keywords
    for words in keywords:
        assert not any(is_personal(word) for word in words.split("、")), words
    published = json.dumps(content, ensure_ascii=False)
    assert PHONE not in published and ID_CARD not in published
    assert "1234" not in "".join(keywords) and "5678" not in "".join(keywords)


def test_keywords_stored_before_the_fix_are_not_published(db, synced, people):
    draft_id = synced[PARKING]
    with db.session() as session:
        for text in ("收费标准太高，建议降低。", "停车收费太高，建议降低收费。"):
            submit_opinion(session, draft_id, "第七条", text, now=NOW)
        group_opinions(session, draft_id, actor=people["li"], now=AFTER_CLOSE)
        group = session.execute(select(OpinionGroup)).scalars().first()
        group.keywords = f"{PHONE}、收费、{ID_CARD}"
        session.flush()
        content = build_content(session, session.get(Draft, draft_id))
    published = [k for s in content["sections"] for g in s["groups"] for k in g["keywords"]]
    assert published == ["收费"]
