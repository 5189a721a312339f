"""The WeChat Official Account (公众号) channel: citizens chat with the assistant where they are.

WeChat POSTs each message to our web service (`bot/web/wechat.py`), signed with the token we set in
the account's console and, in safe mode, AES-encrypted. This module holds what does not depend on
the web framework: checking and opening a delivery, turning it into what Rasa is sent, turning
Rasa's replies into WeChat text, the account API (customer-service messages, template messages,
the custom menu) and the notices owed to WeChat followers.

A citizen is `wechat:<OpenID>`, the OpenID read from a delivery whose signature we checked: nothing
a client chooses. WeChat repeats a delivery it got no answer to within 5 seconds (three tries), so
every delivery is first claimed in `wechat_deliveries` by its `MsgId` (events: sender, event and
time): a repeat has no second effect. Text messages cannot carry buttons, so the assistant's
buttons become a numbered list, and a reply of just that number presses the button.

    python -m bot wechat set-menu     create the account's custom menu (knowledge/wechat_menu.yml)
    python -m bot wechat deliver      send pending notices (ticket answered, ...) to followers
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import time
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import AsyncIterator, Optional

import yaml
from sqlalchemy import Column, DateTime, String, Text
from sqlalchemy.exc import IntegrityError
from wechatpy import WeChatClient, parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import (
    InvalidAppIdException,
    InvalidSignatureException,
    WeChatClientException,
)
from wechatpy.messages import BaseMessage, TextMessage
from wechatpy.replies import TextReply
from wechatpy.utils import check_signature

from bot import notices
from bot.channels.rasa_client import BotMessage
from bot.config import Settings
from bot.db import Base, Database, utcnow
from bot.text import clean
from bot.threads import in_thread
from bot.tickets.models import UTCDateTime, as_utc

CHANNEL = "wechat"
WEBHOOK_PATH = "/wechat"
WECHAT_API_URL = "https://api.weixin.qq.com/cgi-bin/"
GREET_PAYLOAD = "/greet"
SERVICE_WINDOW = timedelta(hours=48)
"""WeChat accepts customer-service messages to a follower for 48 hours after they last wrote."""
MAX_SKEW_SECONDS = 300
"""A signed delivery older or newer than this is refused: a captured request cannot be replayed
later (within the window, `wechat_deliveries` stops a repeat)."""
MAX_REPLY_BYTES = 2000
"""WeChat's text messages take 2,048 bytes; longer replies go out in parts."""
MAX_BODY_BYTES = 64 * 1024
MAX_CHOICES = 9

UNSUPPORTED = "目前只能处理文字消息。请用文字描述您的问题，或拨打12345政务服务热线。"
ACKNOWLEDGED = "已收到，正在为您办理，请稍候……"
CHOOSE = "回复数字即可选择："
BUSY = "系统繁忙，请稍后再试，或拨打12345政务服务热线。"
TOO_FAST = "您发送得太快了，请{wait}后再发；急事请拨打12345政务服务热线。"

logger = logging.getLogger(__name__)


class WeChatDelivery(Base):
    """A delivery already taken on; claiming the same key again fails."""

    __tablename__ = "wechat_deliveries"

    key = Column(String(160), primary_key=True)
    received_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class WeChatFollower(Base):
    """What we keep of a follower: when they last wrote (the service window) and the buttons
    they were last offered, so that a reply "2" presses the second one."""

    __tablename__ = "wechat_followers"

    openid = Column(String(64), primary_key=True)
    last_seen_at = Column(UTCDateTime(), nullable=False, default=utcnow)
    choices = Column(Text)


class Forged(ValueError):
    """The delivery's signature, timestamp or encryption does not check out."""


@dataclass(frozen=True)
class MenuItem:
    name: str
    key: str
    payload: str


@dataclass(frozen=True)
class Menu:
    """The account's custom menu: at most 3 buttons, each a click or a group of at most 5."""

    groups: tuple[tuple[str, tuple[MenuItem, ...]], ...]

    @classmethod
    def load(cls, path: Path) -> Menu:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        buttons = data.get("buttons")
        if not isinstance(buttons, list) or not 1 <= len(buttons) <= 3:
            raise ValueError(f"{path}: buttons: 1 to 3 top-level buttons are allowed")
        groups = []
        for index, button in enumerate(buttons, 1):
            where = f"{path}: buttons[{index}]"
            if not isinstance(button, dict) or not button.get("name"):
                raise ValueError(f"{where}: every button needs a name")
            subs = button.get("sub_buttons")
            if subs is None:
                groups.append((str(button["name"]), (_item(button, where, 16),)))
                continue
            if not isinstance(subs, list) or not 1 <= len(subs) <= 5:
                raise ValueError(f"{where}.sub_buttons: 1 to 5 sub-buttons are allowed")
            _check_bytes(str(button["name"]), 16, f"{where}.name")
            items = tuple(
                _item(sub, f"{where}.sub_buttons[{n}]", 60) for n, sub in enumerate(subs, 1)
            )
            groups.append((str(button["name"]), items))
        return cls(tuple(groups))

    def payload(self, key: str) -> Optional[str]:
        for _, items in self.groups:
            for item in items:
                if item.key == key:
                    return item.payload
        return None

    def as_wechat(self) -> dict:
        """The body of WeChat's menu/create."""
        buttons = []
        for name, items in self.groups:
            clicks = [{"type": "click", "name": i.name, "key": i.key} for i in items]
            if len(items) == 1 and items[0].name == name:
                buttons.append(clicks[0])
            else:
                buttons.append({"name": name, "sub_button": clicks})
        return {"button": buttons}


def _item(raw: object, where: str, max_name_bytes: int) -> MenuItem:
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: expected name, key and payload")
    missing = [field for field in ("name", "key", "payload") if not raw.get(field)]
    if missing:
        raise ValueError(f"{where}: missing {', '.join(missing)}")
    item = MenuItem(str(raw["name"]), str(raw["key"]), str(raw["payload"]))
    _check_bytes(item.name, max_name_bytes, f"{where}.name")
    _check_bytes(item.key, 128, f"{where}.key")
    return item


def _check_bytes(value: str, limit: int, where: str) -> None:
    if len(value.encode()) > limit:
        raise ValueError(f"{where}: {value!r} is longer than WeChat's {limit} bytes")


def load_menu(settings: Settings) -> Menu:
    return Menu.load(settings.knowledge_dir / "wechat_menu.yml")


def sender_id(openid: str) -> str:
    return f"{CHANNEL}:{openid}"


def openid_of(sender: str) -> str:
    """The follower of a `wechat:<OpenID>` sender; ValueError for any other sender."""
    channel, _, openid = sender.partition(":")
    if channel != CHANNEL or not openid:
        raise ValueError(f"not a WeChat sender: {channel}")
    return openid


def enabled(settings: Settings) -> bool:
    return bool(settings.wechat_token)


def check_query(settings: Settings, args: dict[str, str], now: Optional[float] = None) -> None:
    """The `signature` WeChat puts on every request, and its timestamp; `Forged` otherwise."""
    signature, timestamp, nonce = (args.get(k, "") for k in ("signature", "timestamp", "nonce"))
    try:
        check_signature(settings.wechat_token, signature, timestamp, nonce)
    except InvalidSignatureException as error:
        raise Forged("signature") from error
    try:
        skew = abs((now or time.time()) - int(timestamp))
    except ValueError as error:
        raise Forged("timestamp") from error
    if skew > MAX_SKEW_SECONDS:
        raise Forged("timestamp out of range")


def crypto(settings: Settings) -> WeChatCrypto:
    return WeChatCrypto(settings.wechat_token, settings.wechat_aes_key, settings.wechat_app_id)


def open_delivery(settings: Settings, args: dict[str, str], body: bytes) -> BaseMessage:
    """The message in a POSTed delivery, decrypted in safe mode; `Forged` when it does not check
    out, ValueError when it is not a WeChat message."""
    check_query(settings, args)
    if len(body) > MAX_BODY_BYTES:
        raise ValueError("delivery too large")
    xml = body.decode("utf-8", errors="strict")
    if args.get("encrypt_type") == "aes":
        if not settings.wechat_aes_key:
            raise Forged("encrypted delivery but WECHAT_AES_KEY is not set")
        try:
            xml = crypto(settings).decrypt_message(
                xml, args.get("msg_signature", ""), args["timestamp"], args["nonce"]
            )
        except (InvalidSignatureException, InvalidAppIdException) as error:
            raise Forged("msg_signature") from error
        except Exception as error:  # noqa: BLE001 - malformed ciphertext in any of many ways
            raise ValueError(f"cannot decrypt: {type(error).__name__}") from error
    try:
        message = parse_message(xml)
    except Exception as error:  # noqa: BLE001 - xmltodict raises several kinds for bad XML
        raise ValueError(f"not a WeChat message: {type(error).__name__}") from error
    if not getattr(message, "source", None):
        raise ValueError("a WeChat message names its sender (FromUserName)")
    return message


def seal_reply(settings: Settings, args: dict[str, str], xml: str) -> str:
    """A passive reply as WeChat wants it back: encrypted when the delivery was."""
    if args.get("encrypt_type") != "aes":
        return xml
    return crypto(settings).encrypt_message(xml, args.get("nonce", ""), args.get("timestamp"))


def delivery_key(message: BaseMessage) -> str:
    """What makes two deliveries the same: WeChat's MsgId, or for events sender, event and time."""
    if getattr(message, "id", None):
        return f"msg:{message.id}"
    event = getattr(message, "event", message.type)
    return f"event:{message.source}:{event}:{int(message.time)}"


def claim(db: Database, key: str) -> bool:
    """Record a delivery as taken; False when it already was (WeChat retried it)."""
    try:
        with db.session() as session:
            session.add(WeChatDelivery(key=key))
    except IntegrityError:
        return False
    return True


def passive_reply(message: BaseMessage, text: str) -> str:
    return TextReply(message=message, content=text).render()


@dataclass(frozen=True)
class Incoming:
    """What a delivery asks of the assistant: a text for Rasa, or a fixed answer of ours."""

    text: Optional[str] = None
    answer: Optional[str] = None


def incoming(db: Database, menu: Menu, message: BaseMessage) -> Incoming:
    """A text for Rasa from a text message, a menu click or a new follower; else our answer.
    Records that the follower wrote (the customer-service window opens again)."""
    choices = _seen(db, message.source)
    if isinstance(message, TextMessage):
        typed = clean(message.content or "").strip()
        if typed.isdigit() and 1 <= int(typed) <= len(choices):
            return Incoming(text=choices[int(typed) - 1])
        typed = typed.lstrip("/").strip()
        return Incoming(text=typed) if typed else Incoming(answer=UNSUPPORTED)
    event = getattr(message, "event", None)
    if event in ("subscribe", "subscribe_scan"):
        return Incoming(text=GREET_PAYLOAD)
    if event == "click":
        payload = menu.payload(getattr(message, "key", "") or "")
        return Incoming(text=payload) if payload else Incoming(answer=UNSUPPORTED)
    if event is not None:
        return Incoming()  # unsubscribe, view, location reports: nothing to say
    return Incoming(answer=UNSUPPORTED)


def _seen(db: Database, openid: str) -> list[str]:
    with db.session() as session:
        follower = session.get(WeChatFollower, openid)
        if follower is None:
            session.add(WeChatFollower(openid=openid, last_seen_at=utcnow()))
            return []
        follower.last_seen_at = utcnow()
        return json.loads(follower.choices) if follower.choices else []


def remember_choices(db: Database, openid: str, payloads: list[str]) -> None:
    with db.session() as session:
        follower = session.get(WeChatFollower, openid)
        if follower is not None:
            follower.choices = json.dumps(payloads[:MAX_CHOICES], ensure_ascii=False)


def render(replies: list[BotMessage]) -> tuple[list[str], list[str]]:
    """Rasa's replies as WeChat texts (each within WeChat's size) and the button payloads in the
    order they are numbered."""
    lines: list[str] = []
    payloads: list[str] = []
    for reply in replies:
        if reply.text:
            lines.append(reply.text)
        buttons = reply.buttons[: MAX_CHOICES - len(payloads)]
        if buttons:
            start = len(payloads)
            lines.append(CHOOSE)
            lines.extend(f"{start + n}. {b.title or b.payload}" for n, b in enumerate(buttons, 1))
            payloads.extend(b.payload for b in buttons)
    return split_text("\n".join(lines)), payloads


def split_text(text: str, limit: int = MAX_REPLY_BYTES) -> list[str]:
    """`text` in parts of at most `limit` UTF-8 bytes, cut at line ends where possible."""
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if len(candidate.encode()) <= limit:
            current = candidate
            continue
        if current:
            parts.append(current)
        while len(line.encode()) > limit:
            cut = limit // 3
            parts.append(line[:cut])
            line = line[cut:]
        current = line
    if current:
        parts.append(current)
    return parts


class AccountClient(WeChatClient):
    """wechatpy's client on a configurable API base (a local stand-in in tests)."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings.wechat_app_id, settings.wechat_app_secret, timeout=10)
        self.API_BASE_URL = settings.wechat_api_url or WECHAT_API_URL

    def fetch_access_token(self) -> dict:
        return self._fetch_access_token(
            url=f"{self.API_BASE_URL}token",
            params={
                "grant_type": "client_credential",
                "appid": self.appid,
                "secret": self.secret,
            },
        )


def send_texts(client: AccountClient, openid: str, texts: list[str]) -> None:
    """Customer-service messages (客服消息), in order; `notices.NotDelivered` when WeChat refuses."""
    try:
        for text in texts:
            client.message.send_text(openid, text)
    except (WeChatClientException, OSError) as error:
        detail = f"WeChat: {type(error).__name__} {getattr(error, 'errcode', '')}"
        raise notices.NotDelivered(detail) from error


def send_notice(
    settings: Settings, db: Database, client: AccountClient, openid: str, text: str
) -> None:
    """A notice: a customer-service message while the follower's 48-hour window is open, else
    the account's template message; `notices.NotDelivered` when neither can be sent (it stays
    pending and is tried again)."""
    with db.session() as session:
        follower = session.get(WeChatFollower, openid)
        last_seen = follower.last_seen_at if follower else None
    if last_seen is not None and _within_window(last_seen):
        send_texts(client, openid, split_text(text))
        return
    if not settings.wechat_template_id:
        raise notices.NotDelivered("outside the 48-hour window and no WECHAT_TEMPLATE_ID")
    try:
        client.message.send_template(
            openid,
            settings.wechat_template_id,
            {"content": {"value": text[:200]}},
            url=settings.public_base_url,
        )
    except (WeChatClientException, OSError) as error:
        raise notices.NotDelivered(f"WeChat template: {type(error).__name__}") from error


def _within_window(moment: datetime) -> bool:
    return utcnow() - as_utc(moment) < SERVICE_WINDOW


@asynccontextmanager
async def open_sender(settings: Settings) -> AsyncIterator[notices.Send]:
    """The WeChat sender of the notice outbox: one account-API client per delivery run."""
    client = AccountClient(settings)
    db = Database(settings.database_url)
    try:

        async def send(recipient: str, text: str) -> None:
            try:
                openid = openid_of(recipient)
            except ValueError as error:
                raise notices.NotDelivered(str(error)) from error
            await in_thread(send_notice, settings, db, client, openid, text)

        yield send
    finally:
        db.dispose()


notices.register_channel(CHANNEL, open_sender)


async def deliver_notices(settings: Settings, db: Database) -> notices.Delivery:
    """Send the pending notices of citizens who wrote to us on WeChat."""
    return await notices.deliver(settings, db, CHANNEL)


def _configured(settings: Settings) -> bool:
    if not (settings.wechat_app_id and settings.wechat_app_secret):
        print("未配置 WECHAT_APP_ID 和 WECHAT_APP_SECRET，无法调用公众号接口")
        return False
    return True


def _set_menu(args: argparse.Namespace, settings: Settings) -> int:
    if not _configured(settings):
        return 2
    menu = load_menu(settings)
    try:
        AccountClient(settings).menu.create(menu.as_wechat())
    except (WeChatClientException, OSError) as error:
        print(f"创建菜单失败：{type(error).__name__} {getattr(error, 'errmsg', '')}")
        return 1
    names = "、".join(item.name for _, items in menu.groups for item in items)
    print(f"已创建公众号菜单：{names}")
    return 0


def _deliver(args: argparse.Namespace, settings: Settings) -> int:
    if not _configured(settings):
        return 2
    db = Database(settings.database_url)
    try:
        delivery = asyncio.run(deliver_notices(settings, db))
    finally:
        db.dispose()
    print(f"已发送 {delivery.sent} 条通知，{delivery.failed} 条未送达")
    return 0


def register(commands) -> None:
    wechat = commands.top.add_parser("wechat", help="the WeChat Official Account channel")
    sub = wechat.add_subparsers(dest="wechat_command", metavar="ACTION")
    sub.required = True
    sub.add_parser("set-menu", help="create the account's custom menu").set_defaults(
        handler=_set_menu
    )
    sub.add_parser("deliver", help="send pending notices to WeChat followers once").set_defaults(
        handler=_deliver
    )
