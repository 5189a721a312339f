"""Rasa's REST channel, never silent: a citizen always gets an answer, even when a part is down.

When the action server is unreachable Rasa logs the failure and carries on without the action's
messages, and when the tracker store is down it raises: either way the citizen would see nothing.
This channel (same URL, `/webhooks/rest/webhook`) adds an apology when a turn produced no message,
so the citizen knows nothing was done and can try again.

It is reached on loopback only, by our web service; still, a request without a usable sender
(`null`, a number, an empty or overlong string) is refused with 400 instead of landing in Rasa's
shared `default` conversation.
"""

from __future__ import annotations

import logging
import re
from typing import Awaitable, Callable, Optional

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint
from sanic.exceptions import InvalidUsage
from sanic.request import Request

from bot.text import MAX_MESSAGE_CHARS

logger = logging.getLogger(__name__)

SENDER = re.compile(r"[^\x00-\x20\x7f]{1,128}")
APOLOGY = "抱歉，系统暂时繁忙，刚才的消息没有处理成功，也没有提交任何内容。请稍后再发一次，或拨打12345政务服务热线。"


class ResilientRestInput(RestInput):
    """`RestInput` that answers with an apology when a turn yields no message."""

    async def _extract_sender(self, req: Request) -> Optional[str]:
        body = req.json if isinstance(req.json, dict) else {}
        sender = body.get("sender")
        if not isinstance(sender, str) or not SENDER.fullmatch(sender):
            raise InvalidUsage("sender must be 1-128 printable characters without spaces")
        return sender

    def _extract_message(self, req: Request) -> Optional[str]:
        """The message, cut to what a citizen may send (the web service refuses longer ones
        before they get here): a long text on this loopback channel cannot tie up the NLU."""
        message = super()._extract_message(req)
        return message[:MAX_MESSAGE_CHARS] if isinstance(message, str) else message

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        async def answered(message: UserMessage) -> None:
            output = message.output_channel
            before = len(output.messages) if isinstance(output, CollectingOutputChannel) else None
            try:
                await on_new_message(message)
            except Exception:  # noqa: BLE001 - the turn failed: say so instead of staying silent
                logger.exception("处理消息失败（sender %s）", message.sender_id)
            if before is not None and len(output.messages) == before:
                await output.send_text_message(message.sender_id, APOLOGY)

        return super().blueprint(answered)
