"""The 告知书: each reply rendered from `knowledge/disclosure/reply_notice.txt.j2` (jinja2), with
the reply type's wording and legal ground from the rules file."""

from __future__ import annotations

from datetime import datetime

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from bot.clock import format_cn
from bot.disclosure.models import DisclosureApplication
from bot.disclosure.rules import NOTICE_TEMPLATE, ReplyType, Rules
from bot.tickets.catalogue import Catalogue
from bot.tickets.service import department_name


def render_notice(
    rules: Rules,
    application: DisclosureApplication,
    kind: ReplyType,
    detail: dict,
    catalogue: Catalogue,
    now: datetime,
) -> str:
    """The 告知书 text from `knowledge/disclosure/reply_notice.txt.j2`."""
    environment = _notice_environment(str(rules.knowledge_dir))
    organ = department_name(catalogue, application.department_id) or ""
    body = kind.text.format(**{n: detail.get(n, "") for n in kind.needs})
    return (
        environment.get_template(NOTICE_TEMPLATE)
        .render(
            organ=organ,
            notice_number=f"{application.number}-答",
            applicant=application.applicant_name,
            received_on=format_cn(application.created_at, with_time=False),
            number=application.number,
            description=application.description,
            extended_to=format_cn(application.due_at, False) if application.extension_days else "",
            extension_reason=application.extension_reason or "",
            body=body,
            ground=kind.ground,
            refusal=kind.refusal,
            review_body="本级人民政府或上一级主管部门",
            delivery=application.delivery if kind.section in ("granted", "partly") else "",
            medium=application.medium,
            replied_on=format_cn(now, with_time=False),
        )
        .strip()
        + "\n"
    )


_ENVIRONMENTS: dict[str, Environment] = {}


def _notice_environment(directory: str) -> Environment:
    if directory not in _ENVIRONMENTS:
        _ENVIRONMENTS[directory] = Environment(
            loader=FileSystemLoader(directory),
            undefined=StrictUndefined,
            autoescape=False,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
    return _ENVIRONMENTS[directory]
