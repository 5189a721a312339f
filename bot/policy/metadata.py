"""What a published document says about itself: title, 文号, issuer, dates, validity, repeals.

Notices state these in conventional places: the title near the top (often over two lines, after
a 文件 masthead and the 文号), the issuer and the 成文日期 in the signature at the end, the
施行日期 and 有效期 in the closing clause ("本办法自2023年6月1日起施行，有效期5年"), and the
documents they replace there too ("原《…》同时废止"). Web pages add 发布日期 / 来源 lines.
An impossible or implausible date is not taken; it is reported instead (`Metadata.problems`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Optional

_CN_DIGIT = {"〇": 0, "○": 0, "零": 0, "Ｏ": 0, "O": 0, "一": 1, "二": 2, "三": 3, "四": 4,
             "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}  # fmt: skip
_CN_NUM = "〇○零ＯO一二三四五六七八九十"
DATE = re.compile(
    r"(?P<y>(?:19|20)\d{2})\s*(?:年|-|/|\.)\s*(?P<m>\d{1,2})\s*(?:月|-|/|\.)\s*(?P<d>\d{1,2})\s*日?"
    rf"|(?P<cy>[{_CN_NUM}]{{4}})年(?P<cm>[{_CN_NUM}]{{1,2}})月(?P<cd>[{_CN_NUM}]{{1,3}})日"
)
DOC_NO = re.compile(
    r"[\u4e00-\u9fff]{1,14}[〔\[［(（【]\s*(?:19|20)\d{2}\s*[〕\]］)）】]\s*第?\s*\d{1,4}\s*号"
)
_TITLE_END = re.compile(
    r"(通知|通告|公告|意见|办法|规定|决定|细则|方案|规划|计划|条例|规则|指南|指引|须知|解读|批复|函|"
    r"决议|纲要|标准|目录|清单|问答|答记者问|政策|措施|若干|公报|报告|守则|制度|说明|一览表?)(（[^）]{1,20}）)?$"
)
_MASTHEAD = re.compile(r"^[\u4e00-\u9fff（）()]{2,30}(文件|公报|简报|政务公开)$")
_LABELLED_DATE = re.compile(r"(发布|印发|成文|公布)(日期|时间)\s*[:：]?\s*")
_ISSUER_LINE = re.compile(r"(发布机构|发文机关|发文单位|来源|信息来源)\s*[:：]\s*(\S{2,30})")
_ORGAN = re.compile(
    r"[\u4e00-\u9fff（）()]{2,40}(人民政府办公室|人民政府办公厅|人民政府|委员会|办公室|办公厅|局|厅|部|院|中心|署|会|所|站|队|处)$"
)
_TITLE_ISSUER = re.compile(r"^(?P<issuer>[\u4e00-\u9fff、（）()]{2,60}?)关于")
_EFFECTIVE = re.compile(
    rf"自\s*(?P<date>(?:19|20)\d{{2}}\s*年\s*\d{{1,2}}\s*月\s*\d{{1,2}}\s*日|[{_CN_NUM}]{{4}}年[{_CN_NUM}]{{1,2}}月[{_CN_NUM}]{{1,3}}日|"
    r"(?:印发|发布|公布|颁布)之日)\s*起\s*(?:施行|实施|执行|生效)"
)
_SELF = r"本(?:办法|规定|通知|意见|细则|方案|政策|条例|文件|措施|决定|规则|指引|实施意见|暂行办法)[^。；]{0,40}?"
_VALID_UNTIL = re.compile(_SELF + r"有效期(?:至|到|截至)\s*(?P<date>[^，。；,;]{6,16}?日)")
_VALID_YEARS = re.compile(
    _SELF + r"有效期(?:为)?\s*(?P<n>\d{1,2}|[一二三四五六七八九十两])\s*年"
)
_REPEALS = re.compile(
    r"(?:原|此前|同时)?(?P<what>(?:《[^》]{4,80}》\s*(?:[（(][^）)]{2,30}[）)])?\s*[、和及与，,]?\s*)+)"
    r"(?:同时|即行|自行|予以)?(?:废止|停止执行|不再执行|失效)"
)
_TITLED = re.compile(r"《([^》]{4,80})》")
_INTERPRETS = re.compile(
    r"(?:关于|对)?《(?P<title>[^》]{4,80})》(?:的)?(?:政策)?(?:解读|问答|图解|答记者问)"
    r"|(?:解读|图解)\s*[:：]?\s*《(?P<title2>[^》]{4,80})》"
)
_INTERPRETATION_TITLE = re.compile(r"(解读|问答|答记者问|图解|一问一答|热点问题)")
_ENACTED = re.compile(
    r"^(?P<date>(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)\s*(?P<by>.{2,80}?)"
    r"(?:发布|公布|通过|批准|修订|修正|施行)[　\s]*$"
)
_DECREE = re.compile(r"(?P<issuer>[\u4e00-\u9fff]{2,30}?)令第\s*\d{1,4}\s*号")
_SESSION = re.compile(
    r"^经|第[一二三四五六七八九十百\d]+届|第[一二三四五六七八九十百\d]+次[\u4e00-\u9fff]{0,4}会议"
)
_HEAD_LINES = 12
_BOILERPLATE = re.compile(
    r"^(关注\s*[·•]|您当前所在的位置|当前位置|首页\s*[>＞]|【[^】]{0,8}】)|[>＞].*[>＞]|-->|^[-—_=·*\s]+$"
)
"""A web page's leftovers above its title: breadcrumbs, share bars, rules, 【音频解读】 links."""
_NUMBERED = re.compile(
    r"^(第[一二三四五六七八九十百零〇\d]+[条章节]|[一二三四五六七八九十]+、|"
    r"[（(][一二三四五六七八九十\d]+[）)]|\d+[.、．]\D)"
)
"""A line opening a clause or list item: the body has begun, it is no title."""
_MAX_TITLE_CHARS = 90
_REVISION = re.compile(r"[（(](?:\d{4}年)?(?:修订|修正|修订版|试行)[）)]|（\d{4}年版?）")


@dataclass
class Metadata:
    title: str = ""
    doc_no: str = ""
    issuer: str = ""
    published: Optional[date] = None
    effective: Optional[date] = None
    expires: Optional[date] = None
    supersedes: list[str] = field(default_factory=list)
    interprets: str = ""
    kind: str = "policy"
    used_lines: set[int] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)


def parse_date(found: re.Match[str], problems: Optional[list[str]] = None) -> Optional[date]:
    """The date of a `DATE` match; an impossible one is reported in `problems` and not taken."""
    if found.group("y"):
        parts = (int(found.group("y")), int(found.group("m")), int(found.group("d")))
    else:
        parts = (_cn_int(found.group("cy"), digits=True), _cn_int(found.group("cm")),
                 _cn_int(found.group("cd")))  # fmt: skip
    try:
        return date(*parts)
    except (ValueError, TypeError):
        if problems is not None:
            problems.append(f"wrong date '{found.group(0).strip()}' ignored")
        return None


def _cn_int(text: str, digits: bool = False) -> Optional[int]:
    if digits:
        if not all(ch in _CN_DIGIT for ch in text):
            return None
        return int("".join(str(_CN_DIGIT[ch]) for ch in text))
    if text == "十":
        return 10
    if text.startswith("十"):
        return 10 + _CN_DIGIT.get(text[1], 0)
    if "十" in text:
        tens, _, ones = text.partition("十")
        return _CN_DIGIT.get(tens, 0) * 10 + (_CN_DIGIT.get(ones, 0) if ones else 0)
    return _CN_DIGIT.get(text)


def first_date(text: str, problems: Optional[list[str]] = None) -> Optional[date]:
    for found in DATE.finditer(text):
        value = parse_date(found, problems)
        if value:
            return value
    return None


def detect(lines: list[str], today: date, fallback_title: str = "") -> Metadata:
    """Metadata of a document given as its non-empty lines (see module docstring)."""
    meta = Metadata()
    head = lines[:_HEAD_LINES]
    _title(meta, head, fallback_title)
    for index, line in enumerate(head):
        found = DOC_NO.search(line)
        if found and not meta.doc_no and len(line) <= len(found.group(0)) + 20:
            meta.doc_no = re.sub(r"\s+", "", found.group(0))
            meta.used_lines.add(index)
        labelled = _LABELLED_DATE.search(line)
        if labelled and meta.published is None:
            meta.published = first_date(line[labelled.end() :], meta.problems)
            meta.used_lines.add(index)
        issuer = _ISSUER_LINE.search(line)
        if issuer and not meta.issuer:
            meta.issuer = issuer.group(2).strip()
            meta.used_lines.add(index)
        if _MASTHEAD.match(line) and index not in meta.used_lines and index < 3:
            meta.used_lines.add(index)
            meta.issuer = meta.issuer or re.sub(r"(文件|公报|简报|政务公开)$", "", line)
    _enactment(meta, head)
    _signature(meta, lines)
    if not meta.issuer:
        titled = _TITLE_ISSUER.match(meta.title)
        if titled and _ORGAN.search(titled.group("issuer").split("、")[0]):
            meta.issuer = titled.group("issuer")
    body = "\n".join(lines)
    _validity(meta, body)
    _repeals(meta, body)
    interprets = _INTERPRETS.search(meta.title)
    if interprets:
        meta.interprets = interprets.group("title") or interprets.group("title2")
    if _INTERPRETATION_TITLE.search(meta.title) or _qa_share(lines) >= 0.2:
        meta.kind = "interpretation"
    for name in ("published", "effective"):
        value = getattr(meta, name)
        if value and (value.year < 1949 or (value - today).days > 3 * 366):
            meta.problems.append(f"implausible {name} date {value.isoformat()} ignored")
            setattr(meta, name, None)
    if meta.expires and meta.effective and meta.expires < meta.effective:
        meta.problems.append(
            f"expiry {meta.expires.isoformat()} before effective {meta.effective.isoformat()} ignored"
        )
        meta.expires = None
    return meta


def _title(meta: Metadata, head: list[str], fallback: str) -> None:
    """The title: the first head line ending like a title (joined with the line before it when
    that one is its first half), else the first short line, else `fallback` (the file name).
    A web page's breadcrumbs and share bars, and lines opening a clause, are never the title."""
    for index, line in enumerate(head):
        if (
            len(line) > _MAX_TITLE_CHARS
            or DOC_NO.fullmatch(line)
            or _MASTHEAD.match(line)
            or _BOILERPLATE.search(line)
        ):
            continue
        if _TITLE_END.search(line) and not re.search(r"[。；]", line):
            start = index
            while (
                start > 0
                and not _TITLE_END.search(head[start - 1])
                and not DOC_NO.search(head[start - 1])
                and not _MASTHEAD.match(head[start - 1])
                and not re.search(r"[。：:；]$", head[start - 1])
                and len(head[start - 1]) <= 40
                and index - start < 2
                and ("关于" in head[start - 1] or len(line) < 12)
            ):
                start -= 1
            meta.title = "".join(head[start : index + 1])
            meta.used_lines.update(range(start, index + 1))
            return
    for index, line in enumerate(head):
        if (
            len(line) <= 40
            and len(re.findall(r"[\u4e00-\u9fffA-Za-z]", line)) >= 4
            and not DOC_NO.fullmatch(line)
            and not re.search(r"[。；：:]$", line)
            and not _BOILERPLATE.search(line)
            and not _NUMBERED.match(line)
        ):
            meta.title = line
            meta.used_lines.add(index)
            return
    meta.title = fallback


def _enactment(meta: Metadata, head: list[str]) -> None:
    """Laws and regulations open with their history: "1999年4月3日 国务院令第262号发布",
    "2020年1月20日 舟山市第七届人民代表大会常务委员会第三十次会议通过"."""
    for index, line in enumerate(head):
        found = _ENACTED.match(line.strip())
        if not found:
            continue
        meta.used_lines.add(index)
        if meta.published is None:
            meta.published = first_date(found.group("date"), meta.problems)
        by = found.group("by").strip()
        decree = _DECREE.search(by)
        if decree and not meta.doc_no:
            meta.doc_no = decree.group(0)
            meta.issuer = meta.issuer or decree.group("issuer").removeprefix("中华人民共和国")
        elif not meta.issuer and "《" not in by:
            meta.issuer = _SESSION.sub("", by).strip()


def _signature(meta: Metadata, lines: list[str]) -> None:
    """Issuer and 成文日期 from the signature: an organ's name above a date in the last lines."""
    tail_start = max(len(lines) - 6, 0)
    for index in range(len(lines) - 1, tail_start - 1, -1):
        line = lines[index]
        found = DATE.fullmatch(line.strip("（）() 　"))
        if not found:
            continue
        when = parse_date(found, meta.problems)
        if meta.published is None and when:
            meta.published = when
        meta.used_lines.add(index)
        if index > 0 and _ORGAN.search(lines[index - 1]) and len(lines[index - 1]) <= 40:
            meta.issuer = meta.issuer or lines[index - 1].strip()
            meta.used_lines.add(index - 1)
        return


def _validity(meta: Metadata, body: str) -> None:
    effective = _EFFECTIVE.search(body)
    if effective:
        stated = effective.group("date")
        if stated.endswith("之日"):
            meta.effective = meta.published
        else:
            meta.effective = first_date(stated, meta.problems)
    until = _VALID_UNTIL.search(body)
    if until:
        meta.expires = first_date(until.group("date"), meta.problems)
    elif meta.effective:
        years = _VALID_YEARS.search(body)
        if years:
            raw = years.group("n")
            count = int(raw) if raw.isdigit() else _cn_int("二" if raw == "两" else raw) or 0
            start = meta.effective
            day = min(start.day, 28) if start.month == 2 else start.day
            meta.expires = start.replace(year=start.year + count, day=day) - timedelta(days=1)


def _repeals(meta: Metadata, body: str) -> None:
    for found in _REPEALS.finditer(body):
        for title in _TITLED.findall(found.group("what")):
            if title != meta.title and title not in meta.supersedes:
                meta.supersedes.append(title)


def _qa_share(lines: list[str]) -> float:
    questions = sum(1 for line in lines if QUESTION.match(line))
    return questions * 2 / max(len(lines), 1)


QUESTION = re.compile(
    r"^(?:\d{1,3}[.、．]\s*)?(?:问|Q\d{0,3}|问题\s*\d{0,3})\s*[:：.、．]\s*(?P<text>\S.*)$"
)
ANSWER = re.compile(r"^(?:答|A\d{0,3})\s*[:：.、．]\s*(?P<text>\S.*)$")


def base_title(title: str) -> str:
    """A title without its edition marks (（2023年修订）, （试行）), to match versions."""
    return _REVISION.sub("", title).strip()
