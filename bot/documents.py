"""Reading official documents (plain text, Markdown, HTML) into a tree of numbered sections.

Chinese government documents number their parts with a handful of conventions: 第一章, 第一节,
第一条, 一、, （一）, 1., （1）, ①. `parse_document` recognises them at the start of a line and
nests them in the order they first appear, so "一、 → （一） → 1." and "第一章 → 第一条 → （一）"
both come out right without configuration. The policy knowledge base imports policies with it
and the consultation capability imports draft decisions with it.

Documents exported from two-column tables (each cell a tab-indented line, rows separated by a
blank line, as in the city's 实施细则 with its 对应考核指标 column) are recognised too: the first
column is the text and the other columns become `notes` of the clause they sit beside.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Iterator, Optional

FORMATS = ("text", "markdown", "html")

_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN = "零〇一二三四五六七八九十百千两"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"

_MARKERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("chapter", re.compile(rf"第([{_CN}\d]+)章")),
    ("part", re.compile(rf"第([{_CN}\d]+)节")),
    ("article", re.compile(rf"第([{_CN}\d]+)条")),
    ("cn_item", re.compile(rf"([{_CN}]+)(?:[、．]|\.(?!\d))")),
    ("cn_paren", re.compile(rf"[（(]([{_CN}]+)[）)]")),
    ("arabic", re.compile(r"(\d{1,3})(?:[、．]|\.(?!\d))")),
    ("arabic_paren", re.compile(r"[（(](\d{1,3})[）)]")),
    ("circled", re.compile(f"([{_CIRCLED}])")),
)
_ALWAYS_HEADING = {"chapter", "part"}
_SENTENCE_END = re.compile(r"[。！？；!?;]")
_ARTICLE_TITLE = re.compile(r"^[【\[〔]([^】\]〕]{1,20})[】\]〕]\s*")
_TRAILING_LABEL = re.compile(r"^([\u4e00-\u9fff]{2,8})[：:]\s*(\S.*)$")
_GAP = re.compile(r"(\S)[ \t\u3000]+(?=(\S))")
_LATIN = re.compile(r"[A-Za-z0-9]")
_MAX_HEADING_CHARS = 40
_SENTENCES = re.compile(r"[^。！？!?]+[。！？!?]?")
_TITLE_SENTENCE = re.compile(r"([^。！？；!?;]{1,24})。(.+)$", re.DOTALL)


@dataclass
class Node:
    """One numbered part of a document: a heading with children, or a clause with text."""

    kind: str
    number: Optional[int]
    marker: str
    title: str = ""
    text: str = ""
    notes: list[str] = field(default_factory=list)
    children: list[Node] = field(default_factory=list)
    parent: Optional[Node] = field(default=None, repr=False, compare=False)

    @property
    def label(self) -> str:
        """How people cite it: 第5条 for a top-level "5." item, the marker otherwise."""
        if self.kind == "arabic" and not any(a.kind == "article" for a in self.ancestors()):
            return f"第{self.number}条"
        if self.kind == "labelled":
            return self.title
        return self.marker

    @property
    def heading(self) -> str:
        """Label plus title, e.g. （二）政策解读; used when citing descendants."""
        return heading(self.label, "" if self.kind == "labelled" else self.title)

    @property
    def full_text(self) -> str:
        """Title and text joined back into the wording of the original paragraph."""
        if self.title and self.text and self.kind not in {"chapter", "part", "article", "labelled"}:
            return f"{self.title}。{self.text}"
        return self.text or self.title

    def ancestors(self) -> list[Node]:
        chain = []
        node = self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain[::-1]

    def reference(self) -> str:
        """Citation from the top, e.g. （二）政策解读 第5条."""
        return citation([a.heading for a in self.ancestors()], self.label)

    def walk(self) -> Iterator[Node]:
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class Document:
    title: str = ""
    preamble: str = ""
    notes_title: str = ""
    nodes: list[Node] = field(default_factory=list)

    def walk(self) -> Iterator[Node]:
        for node in self.nodes:
            yield from node.walk()


@dataclass
class _Block:
    """A unit of input: lines of main text plus side notes (other table columns)."""

    lines: list[str]
    notes: list[str] = field(default_factory=list)


def heading(label: str, title: str) -> str:
    """第一章 总则, （二）政策解读: a label followed by its title."""
    if not title:
        return label
    return f"{label} {title}" if label.startswith("第") else f"{label}{title}"


def citation(headings: list[str], label: str) -> str:
    """How a clause is cited: its ancestors' headings, then its own label."""
    return " ".join([*headings, label])


def cn_number(text: str) -> Optional[int]:
    """十二 → 12, 一百零五 → 105, 7 → 7; None when it is not a number."""
    if text.isdigit():
        return int(text)
    if not text or any(ch not in _CN_DIGITS and ch not in _CN_UNITS for ch in text):
        return None
    total, digit = 0, None
    for ch in text:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        else:
            total += (1 if digit is None else digit) * _CN_UNITS[ch]
            digit = None
    return total + (digit or 0)


def match_marker(line: str) -> Optional[tuple[str, int, str, str]]:
    """(kind, number, marker, rest) when `line` starts with a numbering marker."""
    for kind, pattern in _MARKERS:
        found = pattern.match(line)
        if not found:
            continue
        raw = found.group(1)
        number = _CIRCLED.index(raw) + 1 if kind == "circled" else cn_number(raw)
        if number is None:
            continue
        marker = found.group(0)
        if kind == "arabic":
            marker = f"{number}."
        elif kind == "cn_item":
            marker = f"{raw}、"
        elif kind in {"cn_paren", "arabic_paren"}:
            marker = f"（{raw}）"
        return kind, number, marker, line[found.end() :].strip()
    return None


def tidy(text: str) -> str:
    """Drop the stray spaces typesetting leaves inside Chinese text ("5 小时" → "5小时").

    A space between two Latin letters or digits ("Open Government", "2017 10") is kept.
    """

    def join(found: re.Match[str]) -> str:
        keep = _LATIN.match(found.group(1)) and _LATIN.match(found.group(2))
        return found.group(0)[:1] + " " if keep else found.group(1)

    return _GAP.sub(join, text.strip())


def sentences(text: str) -> list[str]:
    """The sentences of `text`, each with its closing 。！？."""
    return [part.strip() for part in _SENTENCES.findall(text) if part.strip()]


def detect_format(name: str, text: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix in {".html", ".htm", ".xhtml"}:
        return "html"
    if suffix in {".md", ".markdown"}:
        return "markdown"
    head = text[:2000].lower()
    if re.search(r"<(html|body|p|div|h[1-6]|table)\b", head):
        return "html"
    if re.search(r"^#{1,6}\s", text[:2000], re.MULTILINE):
        return "markdown"
    return "text"


def parse_document(text: str, fmt: str = "text") -> Document:
    """Structure of a document given as plain text, Markdown or HTML (see module docstring)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    if fmt == "html":
        blocks = _html_blocks(text)
    elif fmt == "markdown":
        blocks = _markdown_blocks(text)
    elif _is_tab_table(text):
        blocks = _tab_table_blocks(text)
    else:
        blocks = [_Block([line]) for line in text.splitlines()]
    return _build(blocks)


def document_lines(text: str, fmt: str = "text") -> list[str]:
    """The document's non-empty lines in reading order, as the structure parser sees them."""
    if fmt == "html":
        blocks = _html_blocks(text)
    elif fmt == "markdown":
        blocks = _markdown_blocks(text)
    else:
        blocks = [_Block([line]) for line in text.splitlines()]
    return [line for block in map(_tidy_block, blocks) for line in block.lines]


def read_document(path: Path) -> Document:
    text = path.read_text(encoding="utf-8-sig")
    return parse_document(text, detect_format(path.name, text))


def _build(blocks: list[_Block]) -> Document:
    document = Document()
    blocks = [b for b in (_tidy_block(b) for b in blocks) if b.lines or b.notes]
    blocks = _take_table_header(blocks, document)
    last_marker = max(
        (i for i, b in enumerate(blocks) if any(match_marker(line) for line in b.lines)), default=-1
    )
    levels: list[str] = []
    stack: list[Node] = []
    preamble: list[str] = []
    for index, block in enumerate(blocks):
        for line in block.lines:
            node = _node_for(line, trailing=index > last_marker)
            if node is None:
                if stack:
                    current = stack[-1]
                    current.text = f"{current.text}\n{line}" if current.text else line
                elif not document.title and not preamble and len(line) <= _MAX_HEADING_CHARS:
                    document.title = line
                else:
                    preamble.append(line)
                continue
            if node.kind == "labelled":
                stack = []
            else:
                if node.kind not in levels:
                    levels.append(node.kind)
                depth = levels.index(node.kind)
                while stack and levels.index(stack[-1].kind) >= depth:
                    stack.pop()
            if stack:
                node.parent = stack[-1]
                stack[-1].children.append(node)
            else:
                document.nodes.append(node)
            stack.append(node)
        if block.notes and stack:
            stack[-1].notes.extend(block.notes)
    document.preamble = "\n".join(preamble)
    return document


def _node_for(line: str, trailing: bool) -> Optional[Node]:
    found = match_marker(line)
    if found is None:
        labelled = _TRAILING_LABEL.match(line) if trailing else None
        if labelled:
            return Node(
                "labelled", None, labelled.group(1), title=labelled.group(1), text=labelled.group(2)
            )
        return None
    kind, number, marker, rest = found
    if kind in _ALWAYS_HEADING:
        return Node(kind, number, marker, title=rest)
    if kind == "article":
        titled = _ARTICLE_TITLE.match(rest)
        if titled:
            return Node(kind, number, marker, title=titled.group(1), text=rest[titled.end() :])
        return Node(kind, number, marker, text=rest)
    if len(rest) <= _MAX_HEADING_CHARS and not _SENTENCE_END.search(rest):
        return Node(kind, number, marker, title=rest)
    first = _TITLE_SENTENCE.match(rest)
    if first:
        return Node(kind, number, marker, title=first.group(1), text=first.group(2).strip())
    return Node(kind, number, marker, text=rest)


def _tidy_block(block: _Block) -> _Block:
    lines = [tidy(line) for line in block.lines]
    notes = [tidy(note) for note in block.notes]
    return _Block([line for line in lines if line], [note for note in notes if note])


def _take_table_header(blocks: list[_Block], document: Document) -> list[_Block]:
    """A first table row of short, unnumbered cells names the columns: keep the notes' name."""
    for index, block in enumerate(blocks):
        if not block.notes:
            continue
        cells = block.lines + block.notes
        if any(match_marker(cell) for cell in cells) or any(len(c) > 12 for c in cells):
            return blocks
        document.notes_title = "、".join(block.notes)
        return blocks[:index] + blocks[index + 1 :]
    return blocks


def _is_tab_table(text: str) -> bool:
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) < 4:
        return False
    tabbed = sum(1 for line in lines if line.startswith("\t"))
    return tabbed / len(lines) >= 0.6


def _tab_table_blocks(text: str) -> list[_Block]:
    """Rows are separated by empty lines; each cell starts with a tab; other lines continue a cell."""
    blocks = []
    for row in re.split(r"\n[ \u3000]*\n", text):
        cells: list[list[str]] = []
        for line in row.split("\n"):
            if line.startswith("\t") or not cells:
                cells.append([line.strip()])
            else:
                cells[-1].append(line.strip())
        if not cells:
            continue
        main = [line for line in cells[0] if line]
        notes = [" ".join(line for line in cell if line) for cell in cells[1:]]
        blocks.append(_Block(main, [note for note in notes if note]))
    return blocks


def _markdown_blocks(text: str) -> list[_Block]:
    """Markup stripped line by line; table rows keep their first cell as text, others as notes."""
    blocks = []
    for raw in text.splitlines():
        line = re.sub(r"^\s{0,3}(#{1,6}\s+|>\s?|[-*+]\s+)", "", raw)
        line = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", line)
        line = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", line)
        line = re.sub(r"\*\*|__|`", "", line)
        if re.fullmatch(r"\s*([-*_]\s*){3,}|\s*\|?[\s:|-]*-{3,}[\s:|-]*", line):
            continue
        if line.strip().startswith("|"):
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            blocks.append(_Block([cells[0]], cells[1:]))
        else:
            blocks.append(_Block([line]))
    return blocks


class _HTMLBlocks(HTMLParser):
    """Collects block-level text; each table row becomes one block, its later cells notes."""

    _BREAKS = {
        "p",
        "div",
        "br",
        "li",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "section",
        "article",
        "title",
    }
    _SKIP = {"script", "style", "head"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[_Block] = []
        self._buffer: list[str] = []
        self._cells: Optional[list[str]] = None
        self._in_cell = False
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in self._SKIP:
            self._skip += 1
        elif tag == "tr":
            self._end_row()
            self._flush()
            self._cells = []
        elif tag in {"td", "th"}:
            self._end_cell()
            self._buffer = []
            self._in_cell = True
        elif tag in self._BREAKS:
            self._buffer.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag in {"td", "th"}:
            self._end_cell()
        elif tag in {"tr", "table"}:
            self._end_row()
        elif tag in self._BREAKS:
            self._buffer.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self._buffer.append(re.sub(r"[ \t\r\n]+", " ", data))

    def close(self) -> None:
        super().close()
        self._end_row()
        self._flush()

    def _end_cell(self) -> None:
        if not self._in_cell or self._cells is None:
            return
        lines = [line.strip() for line in "".join(self._buffer).splitlines()]
        self._cells.append("\n".join(line for line in lines if line))
        self._buffer = []
        self._in_cell = False

    def _end_row(self) -> None:
        self._end_cell()
        cells, self._cells = self._cells, None
        if cells and any(cells):
            self.blocks.append(_Block(cells[0].splitlines(), [c for c in cells[1:] if c]))
        if cells is not None:
            self._buffer = []

    def _flush(self) -> None:
        text = "".join(self._buffer)
        self._buffer = []
        self.blocks.extend(_Block([line.strip()]) for line in text.splitlines() if line.strip())


def _html_blocks(text: str) -> list[_Block]:
    parser = _HTMLBlocks()
    parser.feed(text)
    parser.close()
    return parser.blocks
