"""What to say when the library holds nothing on a question: plainly so, and who handles it.

An unrelated clause offered "in case it helps" misleads; a citizen is better served by the name
of the office responsible (the complaint router knows the departments and their duties) and
the two ways to reach a person: the 12345 hotline or a ticket.
"""

from __future__ import annotations

from typing import Any, Optional

HOTLINE = "12345"


def responsible_office(question: str, router: Any) -> Optional[str]:
    """The department the router would send this matter to, if it can tell."""
    try:
        routing = router.route(question)
    except (ValueError, LookupError):
        return None
    return routing.department or None


def out_of_library_reply(office: Optional[str]) -> str:
    """The chat text: not in the library, the office, and 12345 or a ticket."""
    lines = ["政策库里没有找到回答这个问题的政策文件。"]
    if office:
        lines.append(f"这类事项一般由{office}负责。")
    lines.append(f"您可以拨打{HOTLINE}政务服务便民热线咨询，或提交咨询工单，由相关部门答复您。")
    return "".join(lines)


def unsure_footer(office: Optional[str]) -> str:
    """After results the library is not sure of: who handles the matter if none of them is it
    (empty when the router cannot tell)."""
    return f"如果以上都不是您要找的内容，这类事项一般由{office}负责。" if office else ""
