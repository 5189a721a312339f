"""A burst of logins cannot starve other requests: password hashing has its own bounded pool,
so logins beyond it are refused at once (503, or 429 from the login limits) while the ticket
API keeps answering."""

from __future__ import annotations

import asyncio
import re
import uuid

import httpx
from sqlalchemy import select

from bot.accounts import User, create_user
from tests.e2e.own_web import own_web_service

BURST = 60


async def burst(web_url: str, api_token: str) -> tuple[list[int], list[int]]:
    async with httpx.AsyncClient(base_url=web_url, timeout=60) as client:
        page = await client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        cookies = dict(page.cookies)

        async def login(index: int) -> int:
            response = await client.post(
                "/login",
                data={"username": f"nobody-{index}", "password": "wrong", "csrf_token": token},
                cookies=cookies,
            )
            return response.status_code

        async def inbox() -> int:
            response = await client.get(
                "/api/tickets", headers={"Authorization": f"Bearer {api_token}"}
            )
            return response.status_code

        logins = [asyncio.create_task(login(i)) for i in range(BURST)]
        await asyncio.sleep(0.05)
        inboxes = [await inbox() for _ in range(5)]
        return list(await asyncio.gather(*logins)), inboxes


def test_a_login_burst_is_refused_fast_and_other_requests_go_on(stack):
    with stack.db.session() as session:
        name = f"burst-{uuid.uuid4().hex[:6]}"
        _, api_token = create_user(session, username=name, password="password-123", role="operator")
    with own_web_service(stack) as web_url:
        logins, inboxes = asyncio.run(burst(web_url, api_token))
    assert set(logins) <= {401, 429, 503}, logins
    assert any(status in (429, 503) for status in logins), logins
    assert inboxes == [200] * 5
    with stack.db.session() as session:
        assert session.execute(select(User).where(User.username == name)).scalar_one().active
