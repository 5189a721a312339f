"""Reading any published document file into text the structure parser understands.

Cities publish notices as web pages, Word files, PDFs and plain text. Each reader turns one
format into plain text, Markdown or simplified HTML for `bot.documents.parse_document`:
HTML pages lose their navigation, menus and footers (lxml) but keep headings and tables;
.docx keeps paragraphs and tables (python-docx); PDF gives its text layer (pdfminer.six).
A file that cannot be read raises `UnreadableDocument` whose message is the one-line reason.
"""

from __future__ import annotations

import io
import re
import zipfile
from html import escape
from pathlib import Path

import charset_normalizer
from lxml import etree
from lxml import html as lxml_html

SUPPORTED = (".txt", ".md", ".markdown", ".html", ".htm", ".xhtml", ".docx", ".pdf")
_NOISE_TAGS = ("script", "style", "nav", "header", "footer", "aside", "form", "noscript", "iframe")
_NOISE_NAMES = re.compile(
    r"(^|[-_ ])(nav|navbar|menu|footer|foot|breadcrumb|crumb|sidebar|share|toolbar|topbar|"
    r"bottom|copyright|location|position|related|friendlink)([-_ ]|$)",
    re.IGNORECASE,
)
_CJK = re.compile(r"[\u4e00-\u9fff]")
_MIN_TEXT_CHARS = 2


class UnreadableDocument(ValueError):
    """The file holds no text we can read; the message says why in one line."""


def read_text_file(path: Path, max_bytes: int) -> tuple[str, str]:
    """(text, format) of the document at `path`, format being text, markdown or html."""
    try:
        size = path.stat().st_size
    except OSError as error:
        raise UnreadableDocument(f"cannot open: {error.strerror or error}") from error
    if size == 0:
        raise UnreadableDocument("empty file")
    if size > max_bytes:
        raise UnreadableDocument(
            f"file is {size / 2**20:.1f} MB, over the {max_bytes / 2**20:.0f} MB limit "
            "(ZS_KB_MAX_FILE_MB); split it or raise the limit"
        )
    data = path.read_bytes()
    suffix = path.suffix.lower()
    if suffix == ".docx" or (suffix not in SUPPORTED and data[:2] == b"PK"):
        text, fmt = _docx(data), "html"
    elif suffix == ".pdf" or data[:5] == b"%PDF-":
        text, fmt = _pdf(data), "text"
    else:
        decoded = decode(data)
        if suffix in {".html", ".htm", ".xhtml"} or re.search(
            r"<(html|body|div|p|table)\b", decoded[:4000], re.IGNORECASE
        ):
            text, fmt = page_html(decoded), "html"
        elif suffix in {".md", ".markdown"}:
            text, fmt = re.sub(r"<!--.*?-->", "", decoded, flags=re.DOTALL), "markdown"
        else:
            text, fmt = decoded, "text"
    if len(_CJK.findall(text)) + len(re.findall(r"[A-Za-z]{2,}", text)) < _MIN_TEXT_CHARS:
        raise UnreadableDocument("no readable text in the file")
    return text, fmt


def decode(data: bytes) -> str:
    """Text of `data` in UTF-8, GB18030 (GBK, GB2312) or whatever charset_normalizer finds."""
    if b"\0" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UnreadableDocument("binary file, not a text document")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        raise UnreadableDocument("binary file or unknown text encoding")
    return str(best)


def page_html(text: str) -> str:
    """The main content of a web page as simple HTML, without navigation, menus and footers.

    Government sites wrap the article in site chrome; the article is the element holding the
    most Chinese text in paragraphs, once chrome (nav, header, footer, menus by class or id)
    is gone. Its headings and tables are kept; the page <title> leads when the body has none.
    """
    try:
        root = lxml_html.document_fromstring(text)
    except (etree.ParserError, ValueError) as error:
        raise UnreadableDocument(f"not a readable web page: {error}") from error
    page_title = (root.findtext(".//title") or "").strip()
    for element in list(root.iter(*_NOISE_TAGS)):
        if element.getparent() is not None:
            element.drop_tree()
    for element in list(root.iter()):
        if not isinstance(element.tag, str) or element.getparent() is None:
            continue
        names = f"{element.get('class', '')} {element.get('id', '')}"
        if _NOISE_NAMES.search(names) and len(_CJK.findall(element.text_content())) < 400:
            element.drop_tree()
    body = root.find("body")
    main = _main_content(body if body is not None else root)
    content = lxml_html.tostring(main, encoding="unicode")
    if page_title and not _heading_in(main):
        content = f"<h1>{escape(_site_suffix_dropped(page_title))}</h1>{content}"
    return content


def _main_content(body: etree._Element) -> etree._Element:
    """The smallest element holding most of the page's paragraph text."""
    total = len(_CJK.findall(body.text_content()))
    best = body
    for element in body.iter("div", "article", "section", "td", "main"):
        chars = len(_CJK.findall(element.text_content()))
        if chars >= 0.6 * total and len(_CJK.findall(best.text_content())) > chars:
            best = element
    return best


def _heading_in(element: etree._Element) -> bool:
    return any(True for _ in element.iter("h1", "h2"))


def _site_suffix_dropped(title: str) -> str:
    """ "关于…的通知_舟山市人民政府" → "关于…的通知"."""
    return re.split(r"\s*[_|｜—-]{1,2}\s*(?=[^_|｜—-]*(政府|网|门户|局|委员会)[^_|｜—-]*$)", title)[
        0
    ]


def _docx(data: bytes) -> str:
    """Paragraphs (headings as <h2>) and tables of a .docx file, in document order, as HTML."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as error:
        raise UnreadableDocument(f"not a readable Word (.docx) file: {error}") from error
    parts = []
    for child in document.element.body.iterchildren():
        if child.tag.endswith("}p"):
            paragraph = Paragraph(child, document)
            text = paragraph.text.strip()
            if not text:
                continue
            style = (paragraph.style.name if paragraph.style is not None else "") or ""
            tag = "h2" if style.lower().startswith(("heading", "title")) else "p"
            parts.append(f"<{tag}>{escape(text)}</{tag}>")
        elif child.tag.endswith("}tbl"):
            rows = []
            for row in Table(child, document).rows:
                cells = "".join(f"<td>{escape(cell.text.strip())}</td>" for cell in row.cells)
                rows.append(f"<tr>{cells}</tr>")
            parts.append(f"<table>{''.join(rows)}</table>")
    return "\n".join(parts)


def _pdf(data: bytes) -> str:
    """The text layer of a PDF; a scanned PDF (images only) has none."""
    from pdfminer.high_level import extract_text
    from pdfminer.pdfparser import PDFSyntaxError

    try:
        text = extract_text(io.BytesIO(data))
    except (PDFSyntaxError, ValueError, TypeError, KeyError, AssertionError) as error:
        raise UnreadableDocument(f"not a readable PDF: {error}") from error
    except Exception as error:  # pdfminer raises many private types on damaged files
        raise UnreadableDocument(f"damaged PDF: {type(error).__name__}") from error
    if not _CJK.search(text) and not re.search(r"[A-Za-z]{3,}", text):
        raise UnreadableDocument("PDF has no text layer (a scan?); run OCR on it first")
    return _join_pdf_lines(text)


def _join_pdf_lines(text: str) -> str:
    """PDF lines break mid-sentence: join a line to the next unless it ends a paragraph."""
    lines = [line.strip() for line in text.replace("\x0c", "\n").splitlines()]
    out: list[str] = []
    for line in lines:
        if not line:
            out.append("")
            continue
        if re.fullmatch(r"[-—\s]*\d{1,3}[-—\s]*", line):
            continue
        if out and out[-1] and not re.search(r"[。！？：；:]$", out[-1]) and len(out[-1]) >= 30:
            out[-1] += line
        else:
            out.append(line)
    return "\n".join(out)
