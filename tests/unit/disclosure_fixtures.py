"""Shared pieces of the disclosure tests: valid ID numbers, rules, offices and a sample form."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

import pytest

from bot.accounts import Principal
from bot.clock import LOCAL_TZ
from bot.config import PROJECT_ROOT
from bot.disclosure import intake, service
from bot.disclosure.rules import Rules, load_rules
from bot.tickets.catalogue import Catalogue

ID_KEY = "test-id-key"
FINANCE = "city.finance"
HOUSING = "dinghai.housing_construction"
FINANCE_OFFICE = Principal(11, "cz", "department", FINANCE)
HOUSING_OFFICE = Principal(12, "dh", "department", HOUSING)
OPERATOR = Principal(13, "op", "operator", None)
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def resident_id(first17: str = "33090219900307123") -> str:
    """A resident ID number with the right check character (GB 11643)."""
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True))
    return first17 + "10X98765432"[total % 11]


def local(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LOCAL_TZ)


def sample_form(**changes) -> dict:
    form = {
        "applicant_kind": "自然人",
        "applicant_name": "张三",
        "id_number": resident_id(),
        "phone": "13905801234",
        "description": "舟山市2025年度市级财政预算执行情况报告全文",
        "medium": "电子",
        "delivery": "电子邮件",
        "destination": "zhangsan@example.com",
    }
    form.update(changes)
    return form


@pytest.fixture(scope="module")
def rules() -> Rules:
    return load_rules(PROJECT_ROOT / "knowledge")


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return Catalogue.load(PROJECT_ROOT / "knowledge" / "departments.yml")


def apply(
    session,
    rules: Rules,
    now: datetime,
    department_id: str = FINANCE,
    key: Optional[str] = None,
    **changes,
):
    data = intake.check_application(rules, sample_form(**changes), ID_KEY)
    return service.create_application(
        session,
        rules,
        data,
        department_id=department_id,
        channel="telegram",
        sender_id="tg-42",
        idempotency_key=key,
        now=now,
    )
