"""12345 tickets: classifying a citizen's complaint, routing it to a department, deadlines.

Pure domain code over the data in `knowledge/` (departments.yml, gazetteer.yml, routing.yml,
deadlines.yml, routing_training.yml); no database, web or Rasa here.

Routing::

    from bot.tickets import Router

    router = Router.load(settings.knowledge_dir)   # built once per directory and process (~1-2 s)
    result = router.route("沈家门夜排档那边有人占道摆摊", now=None)   # < 1 ms typically
    result.type            # 咨询 | 求助 | 投诉 | 举报 | 建议 (None when the text has no content)
    result.category        # responsible function id, e.g. "city_management"; category_name 综合行政执法
    result.location        # most specific place named, e.g. "沈家门街道"; jurisdiction "putuo"
    result.department      # lead body's full name, e.g. "普陀区综合行政执法局"; department_id
    result.co_departments  # co-handlers' names; co_department_ids
    result.due_at          # tz-aware finish deadline (办结); sign_by: sign-for deadline (签收)
    result.urgent          # handled in hours instead of working days
    result.emergency       # "110" | "119" | "120" | "122": no ticket, emergency_message says to call
    result.excluded        # litigation | arbitration | petition | discipline | reconsideration:
                           # no ticket, excluded_message names the right channel
    result.confidence      # 0..1; result.needs_operator: a ticket no department was found for
    result.to_dict()       # JSON-ready, times in ISO 8601 with offset

`Router.build(knowledge_dir)` builds a fresh router (after the files changed).

Intake (`bot.tickets.intake`): `preview(router, text)` is what the citizen is shown;
`intake(session, text, Contact(phone, name, anonymous), channel, actor, router=, shown=, ...)`
stores the ticket with that routing and its deadline, routing only when nothing was shown. The
chat and the operator console both file tickets through it; `service.create_ticket` enforces
the phone rule (only a 举报 may be anonymous) and writes the audit rows.

The catalogue (`router.catalogue`, or `Catalogue.load(path)`): `body(id)`, `bodies(function=,
jurisdiction=)`, `body_for(function, jurisdiction)`, `resolve(name)` (full name or alias),
`functions`, `function(id)`.

Deadlines (`bot.calendar`, policy in knowledge/deadlines.yml): `due_at(created_at,
ticket_type, urgent)`, `sign_by(created_at, urgent)`, `extend(due, days)`,
`add_working_days(start, days)`, `add_working_hours(start, hours)`; China's holidays and 调休
via chinese_calendar, weekends only for years it does not know yet.

Command line: `python -m bot route TEXT... [--file F] [--json]`, `python -m bot eval routing
FILE [--json]`, `python -m bot departments list|dictionaries`.
"""

from bot.tickets.catalogue import Body, Catalogue, Function
from bot.tickets.routing import Router, RoutingResult

__all__ = ["Body", "Catalogue", "Function", "Router", "RoutingResult"]
