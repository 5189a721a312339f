"""Logging shared by every process: one format, personal data masked, no line unbounded.

Two layers. In our own processes `setup_logging` formats records with `MaskingFormatter`, which
masks the whole rendered record, exception text included. And `bot run` copies every service's
output (Rasa's and the action server's own logs, tracebacks, prints) through `copy_masked` into
`var/logs/<name>.log`: whatever a library logs - Rasa logs the action server's whole error body
when an action fails - is masked and truncated before it reaches a file.
"""

from __future__ import annotations

import logging
import re
import threading
from pathlib import Path
from typing import IO, Optional

from bot.privacy import install_log_masking, mask

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
MAX_LOG_LINE_CHARS = 4000
_READ_CHUNK = 64 * 1024


_UNICODE_ESCAPE = re.compile(r"\\+u([0-9a-fA-F]{4})")


def _unescape(text: str) -> str:
    """JSON's `\\u8bc1` back to `证`: an escape ending in a digit would otherwise hide the
    number after it from masking (and the log is readable again)."""
    def character(match: re.Match) -> str:
        code = int(match.group(1), 16)
        return match.group(0) if 0xD800 <= code <= 0xDFFF else chr(code)

    return _UNICODE_ESCAPE.sub(character, text)


def bounded(line: str, limit: int = MAX_LOG_LINE_CHARS, original: str = "") -> str:
    """`line` masked and cut to `limit` characters, saying how long it was (`original`, when
    the caller already dropped part of it). Masks before cutting, so a number at the cut is not
    left half visible."""
    if len(line) <= limit and not original:
        return mask(_unescape(line))
    return f"{mask(_unescape(line[: limit * 2]))[:limit]}…（已截断，原长 {original or len(line)}）"


class MaskingFormatter(logging.Formatter):
    """Formats a record as usual, then masks the whole text (message, arguments, exception and
    stack) and bounds each line."""

    def format(self, record: logging.LogRecord) -> str:
        return "\n".join(bounded(line) for line in super().format(record).split("\n"))


def setup_logging(level: int = logging.INFO, logfile: Optional[str] = None) -> None:
    root = logging.getLogger()
    if not root.handlers:
        handler: logging.Handler = (
            logging.FileHandler(logfile, encoding="utf-8") if logfile else logging.StreamHandler()
        )
        root.addHandler(handler)
    for handler in root.handlers:
        handler.setFormatter(MaskingFormatter(LOG_FORMAT))
    root.setLevel(level)
    install_log_masking(root)
    for noisy in ("jieba", "urllib3", "asyncio", "httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def _masked_lines(stream: IO[bytes], limit: int):
    """Lines of `stream`, decoded, masked and bounded; an overlong line is read in chunks and
    only its beginning is kept."""
    while True:
        piece = stream.readline(_READ_CHUNK)
        if not piece:
            return
        kept, size = piece, len(piece)
        while not piece.endswith(b"\n"):
            piece = stream.readline(_READ_CHUNK)
            if not piece:
                break
            size += len(piece)
            if len(kept) < limit * 4:
                kept += piece
        text = kept.decode("utf-8", "replace").rstrip("\n")
        yield bounded(text, limit, f"{size} 字节" if size > len(kept) else "")


def copy_masked(
    stream: IO[bytes], path: Path, limit: int = MAX_LOG_LINE_CHARS
) -> threading.Thread:
    """Copy a child process's output into `path`, masked and bounded, in a daemon thread that
    ends when the child closes its output."""

    def copy() -> None:
        with stream, open(path, "a", encoding="utf-8", errors="replace") as log:
            for line in _masked_lines(stream, limit):
                log.write(line + "\n")
                log.flush()

    thread = threading.Thread(target=copy, name=f"log-{path.stem}", daemon=True)
    thread.start()
    return thread
