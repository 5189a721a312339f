"""The client every front end relays citizens' messages to Rasa with."""

from __future__ import annotations

import asyncio

import pytest
from aiohttp import web

from bot.channels.rasa_client import REST_WEBHOOK, BotMessage, Button, RasaClient, RasaUnavailable


async def _rasa_stand_in(reply) -> tuple[web.AppRunner, str, list]:
    """A REST channel on a free loopback port: `reply(body)` answers; the peers it saw."""
    peers: list = []

    async def webhook(request: web.Request) -> web.StreamResponse:
        peers.append(request.transport.get_extra_info("peername"))
        return reply(await request.json())

    app = web.Application()
    app.router.add_post(REST_WEBHOOK, webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    return runner, f"http://127.0.0.1:{port}", peers


def test_replies_come_back_in_order_over_one_kept_connection():
    def echo(body):
        assert body["input_channel"] == "portal" and body["metadata"] == {}
        return web.json_response(
            [
                {"text": f"收到：{body['message']}"},
                {"text": "还有吗？", "buttons": [{"title": "没有了", "payload": "/deny"}, "坏"]},
            ]
        )

    async def chat():
        runner, url, peers = await _rasa_stand_in(echo)
        client = RasaClient(url)  # made outside any request, as the channels do at start
        try:
            replies = [await client.send("portal:1", t, input_channel="portal") for t in "甲乙"]
        finally:
            await client.aclose()
            await runner.cleanup()
        return replies, peers

    replies, peers = asyncio.run(chat())
    assert replies[1] == [
        BotMessage("收到：乙"),
        BotMessage("还有吗？", (Button("没有了", "/deny"),)),
    ]
    assert len(peers) == 2 and peers[0] == peers[1], "the second message reused the connection"


@pytest.mark.parametrize(
    "reply",
    [
        lambda body: web.Response(status=500, text="error"),
        lambda body: web.Response(text="<html>not json</html>"),
        lambda body: web.json_response({"not": "a list"}),
    ],
)
def test_anything_but_a_list_of_messages_is_rasa_unavailable(reply):
    async def chat():
        runner, url, _ = await _rasa_stand_in(reply)
        client = RasaClient(url)
        try:
            await client.send("portal:1", "你好")
        finally:
            await client.aclose()
            await runner.cleanup()

    with pytest.raises(RasaUnavailable):
        asyncio.run(chat())


def test_rasa_down_is_rasa_unavailable():
    async def chat():
        client = RasaClient("http://127.0.0.1:9", timeout=2)
        try:
            await client.send("portal:1", "你好")
        finally:
            await client.aclose()

    with pytest.raises(RasaUnavailable):
        asyncio.run(chat())
