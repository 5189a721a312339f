"""What a citizen's words are about, in the operators' Chinese: the assistant's intent (from
Rasa's own NLU, the same model that answered the citizen), the channel they came through, and
whether the words describe a matter to file a ticket for.

The operator console uses it to label the hand-over queue and to pre-fill a ticket only for
complaint-like words; a policy question gets the policy suggestions instead.
"""

from __future__ import annotations

import logging
from typing import Optional

import httpx
from sanic import Sanic

log = logging.getLogger(__name__)

INTENT_LABELS = {
    "greet": "问候",
    "goodbye": "告别",
    "thank": "致谢",
    "affirm": "确认",
    "deny": "否定",
    "bot_challenge": "询问是否机器人",
    "out_of_scope": "其他事项",
    "request_human": "要求人工服务",
    "ask_policy": "政策咨询",
    "give_opinion": "对征求意见稿提意见",
    "file_complaint": "反映问题（投诉/求助/举报/建议）",
    "check_status": "查询办理进度",
    "inform": "反映问题（投诉/求助/举报/建议）",
    "apply_disclosure": "申请政府信息公开",
    "check_disclosure": "查询信息公开申请进度",
}
COMPLAINT_INTENTS = frozenset({"file_complaint", "inform"})
"""Intents whose words are a matter for a department: only these pre-fill a ticket."""
CHANNEL_LABELS = {
    "socketio": "网站在线咨询",
    "rest": "网站在线咨询",
    "portal": "网站在线咨询",
    "telegram": "Telegram",
    "wechat": "微信公众号",
    "hotline": "12345 热线电话",
}
MAX_REMEMBERED = 2000
NOT_A_TOPIC = frozenset({"request_human", "greet", "goodbye", "thank", "affirm", "deny"})
"""Intents that say how the citizen talks, not what about ("转人工", "谢谢")."""
LINE_SEPARATOR = " / "
"""How the hand-over joins the citizen's last lines (actions/handoff.py)."""


def channel_label(channel: Optional[str]) -> str:
    return CHANNEL_LABELS.get(channel or "", "其他渠道")


def intent_label(intent: Optional[str]) -> str:
    return INTENT_LABELS.get(intent or "", "未识别")


async def intent_of(app: Sanic, text: str) -> Optional[str]:
    """The intent Rasa's NLU gives `text`, or None when the text is empty or Rasa cannot say."""
    if not text.strip():
        return None
    settings = app.ctx.settings
    try:
        reply = await app.ctx.http.post(
            f"{settings.rasa_url}/model/parse",
            params={"token": settings.rasa_token},
            json={"text": text[:2000]},
        )
        reply.raise_for_status()
        return ((reply.json() or {}).get("intent") or {}).get("name")
    except (httpx.HTTPError, ValueError):
        log.warning("intent of an operator's text unavailable from Rasa")
        return None


async def topic_intent(app: Sanic, text: str) -> Optional[str]:
    """The intent of the citizen's last lines that says what they are about: the latest line
    that is not "转人工" or a greeting; else the latest line's."""
    lines = [line for line in text.split(LINE_SEPARATOR) if line.strip()]
    latest = None
    for line in reversed(lines):
        intent = await intent_of(app, line)
        latest = latest or intent
        if intent and intent not in NOT_A_TOPIC:
            return intent
    return latest


async def remembered_intent(app: Sanic, key: str, text: str) -> Optional[str]:
    """`intent_of(text)`, asked once per `key` (the queue refreshes every few seconds)."""
    known: dict[str, Optional[str]] = app.ctx.__dict__.setdefault("topic_intents", {})
    if key not in known:
        intent = await topic_intent(app, text)
        if intent is None:
            return None
        if len(known) >= MAX_REMEMBERED:
            known.clear()
        known[key] = intent
    return known[key]
