"""Personal data never reaches the logs: a full complaint with a phone number, an ID-card number
and a name goes through every service, then every log file of the run is searched for them."""

from __future__ import annotations

import uuid

PHONE = "13966554433"
ID_CARD = "330902198807154417"
NAME = "王建国"


def test_phone_id_and_name_are_not_in_any_log(stack):
    citizen = f"privacy-{uuid.uuid4().hex[:10]}"
    stack.say(citizen, f"我叫{NAME}，身份证{ID_CARD}，定海区解放西路的路灯坏了一个礼拜了，昨晚还是不亮")
    stack.say(citizen, PHONE)
    assert "工单号" in stack.texts(citizen, "/affirm")
    stack.say(citizen, "转人工")
    logs = list((stack.settings.var_dir / "logs").glob("*.log"))
    assert logs
    for log in logs:
        text = log.read_text(encoding="utf-8", errors="replace")
        for secret in (PHONE, ID_CARD, NAME):
            assert secret not in text, f"{secret} found in {log.name}"
