"""Taking an application in: the per-field checks shared by the portal form and the chat form,
the whole form checked at once, and the choice of the organ that answers (as tickets are routed).

The ID number is checked here and leaves only as its masked form and keyed digest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from bot.disclosure import identity
from bot.disclosure.errors import DisclosureInvalid
from bot.disclosure.rules import Rules
from bot.text import clean, has_content
from bot.tickets.catalogue import Catalogue
from bot.tickets.service import TicketInvalid, normalise_phone

MAX_DESCRIPTION = 2000
MIN_ROUTING_CONFIDENCE = 0.5
"""Below this the router is guessing; the government office answers or transfers instead."""
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,120}\.[A-Za-z]{2,}")


@dataclass(frozen=True)
class ApplicationInput:
    """A checked application, ready to store (the ID number already reduced to mask + digest)."""

    applicant_kind: str
    applicant_name: str
    id_type: str
    id_masked: str
    id_digest: str
    phone: str
    description: str
    medium: str
    delivery: str
    email: Optional[str] = None
    address: Optional[str] = None


@dataclass(frozen=True)
class Fields:
    """Per-field checks shared by the portal form and the chat form; each returns the clean value
    or raises `DisclosureInvalid` with the question to ask again."""

    rules: Rules

    def kind(self, value: object) -> str:
        kind = self.rules.kind_by_label(str(value or ""))
        if kind is None:
            labels = "、".join(k.label for k in self.rules.kinds.values())
            raise DisclosureInvalid(f"请选择申请人类型：{labels}")
        return kind.code

    def name(self, value: object) -> str:
        name = clean(value, 120)
        if not has_content(name) or len(name) < 2:
            raise DisclosureInvalid("请填写申请人姓名或法人（其他组织）名称")
        return name

    def id_number(self, kind: str, value: object, id_type: Optional[str] = None) -> tuple[str, str]:
        """(id_type, normalised number). Without a type: 居民身份证 for a person, 统一社会信用代码
        for an organisation."""
        default = "resident_id" if kind == "natural" else "credit_code"
        id_type = id_type or default
        if id_type not in self.rules.id_types:
            raise DisclosureInvalid("证件类型不正确")
        number = identity.normalise(str(value or ""))[:40]
        check = identity.ID_CHECKS[self.rules.id_types[id_type].check]
        try:
            return id_type, check(number)
        except identity.InvalidIdNumber as error:
            raise DisclosureInvalid(str(error)) from None

    def phone(self, value: object) -> str:
        try:
            return normalise_phone(str(value or "")[:40])
        except TicketInvalid as error:
            raise DisclosureInvalid(str(error)) from None

    def description(self, value: object) -> str:
        text = clean(value, MAX_DESCRIPTION)
        if not has_content(text) or len(re.sub(r"\s", "", text)) < 6:
            raise DisclosureInvalid(
                "请描述您要申请公开的政府信息：文件名称、文号，或便于查找的其他特征"
                "（如时间、地点、事项名称）"
            )
        if self.rules.complaint.matches(text):
            raise DisclosureInvalid(self.rules.complaint.message, "complaint")
        if self.rules.enterprise.matches(text):
            raise DisclosureInvalid(self.rules.enterprise.message, "enterprise")
        return text

    def medium(self, value: object) -> str:
        return self._choice(value, self.rules.media, "获取信息的形式")

    def delivery(self, value: object) -> str:
        return self._choice(value, self.rules.deliveries, "获取信息的方式")

    def destination(self, delivery: str, value: object) -> tuple[Optional[str], Optional[str]]:
        """(email, address): an e-mail for 电子邮件, a postal address for 邮寄, either or none
        for 自行领取."""
        text = clean(value, 200)
        email = _EMAIL.search(text)
        if delivery == "电子邮件":
            if not email:
                raise DisclosureInvalid("选择电子邮件送达时，请填写有效的电子邮箱地址")
            return email.group(0), None
        if delivery == "邮寄":
            if len(re.sub(r"\s", "", text)) < 6 or not re.search(r"[\u4e00-\u9fff]", text):
                raise DisclosureInvalid("选择邮寄时，请填写详细的通信地址（含区县、街道、门牌）")
            return None, text
        return (email.group(0) if email else None), (text or None) if not email else None

    def _choice(self, value: object, options: tuple[str, ...], what: str) -> str:
        text = clean(value, 20)
        for option in options:
            if option in text or (option == "电子" and "电子版" in text):
                return option
        if what == "获取信息的形式" and ("纸" in text):
            return "纸质"
        raise DisclosureInvalid(f"请选择{what}：{'、'.join(options)}")


def check_application(rules: Rules, form: dict, id_key: str) -> ApplicationInput:
    """Every field of a submitted form checked at once; `DisclosureInvalid` with all problems."""
    fields = Fields(rules)
    problems: dict[str, str] = {}
    values: dict[str, object] = {}

    def attempt(name: str, check, *args) -> None:
        try:
            values[name] = check(*args)
        except DisclosureInvalid as error:
            if error.kind != "invalid":
                raise
            problems[name] = str(error)

    attempt("description", fields.description, form.get("description"))
    attempt("kind", fields.kind, form.get("applicant_kind"))
    attempt("name", fields.name, form.get("applicant_name"))
    if "kind" in values:
        attempt(
            "id_number",
            fields.id_number,
            values["kind"],
            form.get("id_number"),
            form.get("id_type") or None,
        )
    attempt("phone", fields.phone, form.get("phone"))
    attempt("medium", fields.medium, form.get("medium"))
    attempt("delivery", fields.delivery, form.get("delivery"))
    if "delivery" in values:
        attempt("destination", fields.destination, values["delivery"], form.get("destination"))
    if problems:
        raise DisclosureInvalid("；".join(problems.values()), problems=problems)
    id_type, number = values["id_number"]
    email, address = values["destination"]
    return ApplicationInput(
        applicant_kind=values["kind"],
        applicant_name=values["name"],
        id_type=id_type,
        id_masked=identity.mask_id(number),
        id_digest=identity.id_digest(number, id_key),
        phone=values["phone"],
        description=values["description"],
        medium=values["medium"],
        delivery=values["delivery"],
        email=email,
        address=address,
    )


def choose_authority(router, description: str, named: Optional[str] = None) -> str:
    """The organ that answers: the one the applicant named, or an organ the description names,
    else the body the router picks for the information's subject as for tickets (when it is
    sure), else the government office of the place (the city's by default), which answers or
    transfers with a record."""
    catalogue: Catalogue = router.catalogue
    if named:
        body = catalogue.resolve(clean(named, 80))
        if body is not None:
            return body.id
    mentioned = [
        (len(name), body.id)
        for body in catalogue.bodies()
        for name in (body.name, *body.aliases)
        if len(name) >= 4 and name in description
    ]
    if mentioned:
        return max(mentioned)[1]
    routing = router.route(description)
    if routing.department_id and routing.confidence >= MIN_ROUTING_CONFIDENCE:
        return routing.department_id
    office = catalogue.body_for("government_office", routing.jurisdiction or "city")
    return (office or catalogue.body_for("government_office", "city")).id
