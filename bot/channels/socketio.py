"""Rasa's socket.io input channel, with the portal's conversations kept across reconnects.

Rasa 3.6 calls `AsyncServer.enter_room` without awaiting it; since python-socketio 5.10 that is a
coroutine, so with `session_persistence` the socket never joins its session's room and every
reply of the assistant is lost. This subclass answers `session_request` the same way but waits
for the room to be joined. credentials.yml names it instead of the built-in `socketio` channel;
its name, events and URL are unchanged.
"""

from __future__ import annotations

import inspect
import uuid
from typing import Any, Awaitable, Callable, Optional

from rasa.core.channels import socketio
from rasa.core.channels.channel import UserMessage
from sanic import Blueprint


class SocketIOInput(socketio.SocketIOInput):
    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(on_new_message)
        server = self.sio

        @server.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: Optional[dict]) -> None:
            data = data or {}
            if not data.get("session_id"):
                data["session_id"] = uuid.uuid4().hex
            if self.session_persistence:
                joined = server.enter_room(sid, data["session_id"])
                if inspect.isawaitable(joined):
                    await joined
            await server.emit("session_confirm", data["session_id"], room=sid)

        return blueprint
