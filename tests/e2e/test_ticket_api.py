"""The departments' inbox API, served by a real web process on PostgreSQL."""

from __future__ import annotations

import dataclasses
import sys

import pytest

from bot.accounts import create_user
from bot.db import Database
from bot.dbcli import upgrade
from bot.localstack import drop_postgres_database, stack_settings
from bot.runner import Service, Supervisor
from bot.tickets import service
from bot.tickets.routing import RoutingResult
from tests.e2e.conftest import http_json

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

DINGHAI = "dinghai.housing_construction"
PUTUO = "putuo.housing_construction"
COMPLAINT = RoutingResult(
    text="解放路小区门口井盖坏了",
    type="投诉",
    category="housing_construction",
    category_name="住房和城乡建设",
    jurisdiction="dinghai",
    department_id=DINGHAI,
)


@dataclasses.dataclass
class Api:
    url: str
    db: Database
    tokens: dict[str, str]

    def call(self, method: str, path: str, who: str = "", body=None, token: str = ""):
        token = token or self.tokens.get(who, "")
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return http_json(method, f"{self.url}/api/tickets{path}", body, headers)

    def new_ticket(self) -> str:
        """A complaint dispatched to Dinghai's housing bureau, as the hotline would create it."""
        with self.db.session() as session:
            return service.create_ticket(
                session,
                COMPLAINT,
                description="井盖坏了，我叫张三，电话13812345678",
                phone="13812345678",
                name="张三",
            ).number


@pytest.fixture(scope="module")
def api(tmp_path_factory) -> Api:
    var_dir = tmp_path_factory.mktemp("ticket-api")
    settings, database = stack_settings("postgres", var_dir, redis_url="")
    upgrade(settings.database_url)
    db = Database(settings.database_url)
    tokens = {}
    with db.session() as session:
        for username, role, department in (
            ("dinghai", "department", DINGHAI),
            ("putuo", "department", PUTUO),
            ("operator", "operator", None),
        ):
            _, tokens[username] = create_user(
                session,
                username=username,
                password="password-123",
                role=role,
                department_id=department,
            )
    web = Service(
        "web",
        [sys.executable, "-m", "bot", "web"],
        f"http://127.0.0.1:{settings.web_port}/healthz",
        settings.to_env(),
    )
    supervisor = Supervisor([web], var_dir / "logs")
    supervisor.start(timeout=60)
    yield Api(f"http://127.0.0.1:{settings.web_port}", db, tokens)
    supervisor.stop()
    db.dispose()
    drop_postgres_database(database)


def test_requests_without_a_valid_token_are_refused(api):
    number = api.new_ticket()
    status, body = api.call("GET", "")
    assert status == 401 and "令牌" in body["error"]
    status, body = api.call("GET", "", token="not-a-token")
    assert status == 401 and body["error"] == "访问令牌无效或账号已停用"
    assert api.call("POST", f"/{number}/sign", token="not-a-token")[0] == 401


def test_a_department_lists_signs_and_replies(api):
    number = api.new_ticket()
    status, inbox = api.call("GET", "/?limit=100", "dinghai")
    assert status == 200
    listed = {t["number"]: t for t in inbox["items"]}
    assert number in listed
    assert listed[number]["citizen"] == {"name": "张*", "phone": "138****5678"}
    assert listed[number]["department_name"] == "定海区住房和城乡建设局"
    assert "13812345678" not in str(inbox) and "张三" not in str(inbox)

    status, signed = api.call("POST", f"/{number}/sign", "dinghai")
    assert (status, signed["status"]) == (200, "signed")
    status, again = api.call("POST", f"/{number}/sign", "dinghai")
    assert status == 409 and "不能签收" in again["error"]

    status, closed = api.call("POST", f"/{number}/reply", "dinghai", {"reply": "井盖已更换。"})
    assert (status, closed["status"], closed["reply"]) == (200, "replied", "井盖已更换。")
    status, detail = api.call("GET", f"/{number}", "dinghai")
    assert status == 200
    assert [e["action"] for e in detail["history"]] == [
        "ticket.receive",
        "ticket.dispatch",
        "ticket.sign",
        "ticket.reply",
    ]


def test_another_department_gets_404_and_nothing_else(api):
    number = api.new_ticket()
    for method, path, body in (
        ("GET", f"/{number}", None),
        ("POST", f"/{number}/sign", None),
        ("POST", f"/{number}/return", {"reason": "不是我们的"}),
    ):
        status, answer = api.call(method, path, "putuo", body)
        assert (status, answer) == (404, {"error": f"没有找到工单 {number}"})
    status, inbox = api.call("GET", "?status=all&limit=100", "putuo")
    assert status == 200
    assert number not in {t["number"] for t in inbox["items"]}


@pytest.mark.parametrize(
    "body, message",
    [
        (b'{"reply": "unterminated', "不是有效的 JSON"),
        (b"[1, 2]", "JSON 对象"),
        ({"reply": 123}, "字段 reply 必须是字符串"),
        ({"reply": "好", "extra": 1}, "不支持的字段"),
        ({}, "缺少字段 reply"),
        ({"reply": "长" * 9000}, "请求内容过大"),
        ({"reply": "长" * 2500}, "过长"),
        (b"x" * 1_100_000, "请求内容过大"),
    ],
)
def test_bad_bodies_get_400_in_chinese(api, body, message):
    number = api.new_ticket()
    api.call("POST", f"/{number}/sign", "dinghai")
    status, answer = api.call("POST", f"/{number}/reply", "dinghai", body)
    assert status == 400
    assert message in answer["error"]


@pytest.mark.parametrize(
    "query", ["?limit=abc", "?page=0", "?limit=1000", "?overdue=maybe", "?status=done", "?sort=due"]
)
def test_bad_list_queries_get_400(api, query):
    status, answer = api.call("GET", query, "dinghai")
    assert status == 400 and answer["error"]


def test_operators_reroute_and_visit_but_departments_may_not(api):
    number, finished = api.new_ticket(), api.new_ticket()
    assert api.call("POST", f"/{number}/reroute", "dinghai", {"department_id": PUTUO})[0] == 403
    status, returned = api.call("POST", f"/{number}/return", "dinghai", {"reason": "属普陀区"})
    assert (status, returned["status"]) == (200, "returned")

    status, rerouted = api.call(
        "POST", f"/{number}/reroute", "operator", {"department_id": PUTUO, "note": "按属地改派"}
    )
    assert (status, rerouted["department_id"]) == (200, PUTUO)
    assert rerouted["citizen"]["phone"] == "13812345678"
    assert api.call("GET", f"/{number}", "dinghai")[0] == 404
    assert api.call("GET", f"/{number}", "putuo")[0] == 200

    api.call("POST", f"/{finished}/sign", "dinghai")
    api.call("POST", f"/{finished}/reply", "dinghai", {"reply": "已处理"})
    assert api.call("POST", f"/{finished}/visit", "dinghai", {"satisfaction": "满意"})[0] == 403
    status, visited = api.call("POST", f"/{finished}/visit", "operator", {"satisfaction": "满意"})
    assert (status, visited["status"]) == (200, "visited")
    status, everything = api.call("GET", "?status=visited", "operator")
    assert status == 200 and finished in {t["number"] for t in everything["items"]}
    assert api.call("POST", f"/{number}/teleport", "operator")[0] == 404
