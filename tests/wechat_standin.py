"""A stand-in of the WeChat Official Account platform, on 127.0.0.1.

`AccountApiStandIn` answers the account API the channel calls (access token, customer-service
and template messages, menu creation) and records every call; point `wechat_api_url` at its
`base_url`. `Platform` plays WeChat's side of the server endpoint: it signs (and in safe mode
encrypts) deliveries exactly as WeChat does, posts them, and opens the answers.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import random
import string
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Optional

import xmltodict
from aiohttp import web
from wechatpy.crypto import WeChatCrypto

from tests.telegram_standin import _Server

TOKEN = "e2e-wechat-token"
APP_ID = "wx0123456789abcdef"
APP_SECRET = "e2e-app-secret"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"  # 43 characters, as the console gives
ACCOUNT = "gh_zhoushan12345"


class AccountApiStandIn(_Server):
    """token, message/custom/send, message/template/send and menu/create."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.refuse_customer_service = False

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/cgi-bin/"

    def routes(self, app: web.Application) -> None:
        app.router.add_get("/cgi-bin/token", self._token)
        app.router.add_post("/cgi-bin/{path:.+}", self._call)

    def calls_to(self, path: str) -> list[dict[str, Any]]:
        with self._lock:
            return [body for name, body in self.calls if name == path]

    def wait_for(self, path: str, count: int = 1, timeout: float = 30) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while len(found := self.calls_to(path)) < count:
            assert time.monotonic() < deadline, f"{path}: {len(found)} of {count} calls"
            time.sleep(0.05)
        return found

    async def _token(self, request: web.Request) -> web.Response:
        if request.query.get("appid") != APP_ID or request.query.get("secret") != APP_SECRET:
            return web.json_response({"errcode": 40013, "errmsg": "invalid appid"})
        return web.json_response({"access_token": "STAND-IN-ACCESS-TOKEN", "expires_in": 7200})

    async def _call(self, request: web.Request) -> web.Response:
        if request.query.get("access_token") != "STAND-IN-ACCESS-TOKEN":
            return web.json_response({"errcode": 40014, "errmsg": "invalid access_token"})
        path = request.match_info["path"]
        body = json.loads(await request.read() or b"{}")
        with self._lock:
            self.calls.append((path, body))
        if path == "message/custom/send" and self.refuse_customer_service:
            return web.json_response({"errcode": 45015, "errmsg": "response out of time limit"})
        return web.json_response({"errcode": 0, "errmsg": "ok"})


def signature(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


class Platform:
    """WeChat's side of `/wechat`: signed, optionally encrypted deliveries from followers."""

    def __init__(self, url: str, token: str = TOKEN, encrypted: bool = False) -> None:
        self.url = url
        self.token = token
        self.encrypted = encrypted
        self.crypto = WeChatCrypto(TOKEN, AES_KEY, APP_ID)
        self._ids = itertools.count(random.randint(10**15, 10**16))

    def query(self, timestamp: Optional[int] = None, **extra: str) -> dict[str, str]:
        stamp = str(timestamp if timestamp is not None else int(time.time()))
        nonce = "".join(random.choices(string.digits, k=10))
        return {
            "signature": signature(self.token, stamp, nonce),
            "timestamp": stamp,
            "nonce": nonce,
            **extra,
        }

    def handshake(self, query: dict[str, str]) -> tuple[int, str]:
        return _http("GET", f"{self.url}?{urllib.parse.urlencode(query)}")

    def text(self, openid: str, content: str, msg_id: Optional[int] = None) -> dict[str, Any]:
        return {
            "ToUserName": ACCOUNT,
            "FromUserName": openid,
            "CreateTime": int(time.time()),
            "MsgType": "text",
            "Content": content,
            "MsgId": msg_id if msg_id is not None else next(self._ids),
        }

    def event(self, openid: str, event: str, key: str = "") -> dict[str, Any]:
        fields = {
            "ToUserName": ACCOUNT,
            "FromUserName": openid,
            "CreateTime": int(time.time()),
            "MsgType": "event",
            "Event": event,
        }
        if key:
            fields["EventKey"] = key
        return fields

    def image(self, openid: str) -> dict[str, Any]:
        return {
            "ToUserName": ACCOUNT,
            "FromUserName": openid,
            "CreateTime": int(time.time()),
            "MsgType": "image",
            "PicUrl": "http://127.0.0.1/none.jpg",
            "MediaId": "media",
            "MsgId": next(self._ids),
        }

    def post(self, message: dict[str, Any], query: Optional[dict[str, str]] = None) -> tuple[int, str]:
        """Deliver `message`; the HTTP status and the passive reply's text ("" for none)."""
        query = query or self.query()
        xml = xmltodict.unparse({"xml": message}, full_document=False)
        if self.encrypted:
            sealed = self.crypto.encrypt_message(xml, query["nonce"], query["timestamp"])
            envelope = xmltodict.parse(sealed)["xml"]
            query = {**query, "encrypt_type": "aes", "msg_signature": envelope["MsgSignature"]}
            xml = xmltodict.unparse(
                {"xml": {"ToUserName": ACCOUNT, "Encrypt": envelope["Encrypt"]}},
                full_document=False,
            )
        status, body = _http(
            "POST", f"{self.url}?{urllib.parse.urlencode(query)}", xml.encode(), "text/xml"
        )
        if status != 200 or body in ("", "success"):
            return status, "" if status == 200 else body
        if self.encrypted:
            sealed = xmltodict.parse(body)["xml"]
            body = self.crypto.decrypt_message(
                body, sealed["MsgSignature"], sealed["TimeStamp"], sealed["Nonce"]
            )
        reply = xmltodict.parse(body)["xml"]
        assert reply["ToUserName"] == message["FromUserName"], reply
        return status, reply["Content"]


def _http(
    method: str, url: str, body: Optional[bytes] = None, content_type: str = "text/xml"
) -> tuple[int, str]:
    request = urllib.request.Request(
        url, data=body, method=method, headers={"Content-Type": content_type}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
