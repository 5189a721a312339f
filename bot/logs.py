"""Logging shared by every process: one format, personal data masked, no line unbounded.

Two layers. In our own processes `setup_logging` formats records with `MaskingFormatter`, which
masks the whole rendered record, exception text included. And `bot run` copies every service's
output (Rasa's and the action server's own logs, tracebacks, prints) through `copy_masked` into
`var/logs/<name>.log`: whatever a library logs - Rasa logs the action server's whole error body
when an action fails - is masked and truncated before it reaches a file.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import IO, Optional

from bot.privacy import install_log_masking, mask

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
MAX_LOG_LINE_CHARS = 4000
_READ_CHUNK = 64 * 1024


def bounded(line: str, limit: int = MAX_LOG_LINE_CHARS) -> str:
    """`line` masked and cut to `limit` characters, saying how much was left out. Masks before
    cutting, so a number at the cut is not left half visible."""
    if len(line) <= limit:
        return mask(line)
    return f"{mask(line[: limit * 2])[:limit]}…（已截断，原长 {len(line)} 字符）"


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
    only its first `limit` characters are kept."""
    while True:
        chunk = stream.readline(_READ_CHUNK)
        if not chunk:
            return
        dropped = 0
        while not chunk.endswith(b"\n"):
            more = stream.readline(_READ_CHUNK)
            if not more:
                break
            if len(chunk) < limit * 4:
                chunk += more
            else:
                dropped += len(more)
        text = chunk.decode("utf-8", "replace").rstrip("\n")
        if dropped:
            text += f"…（另有 {dropped} 字节未记录）"
        yield bounded(text, limit)


def copy_masked(
    stream: IO[bytes], path: Path, limit: int = MAX_LOG_LINE_CHARS
) -> threading.Thread:
    """Copy a child process's output into `path`, masked and bounded, in a daemon thread that
    ends when the child closes its output."""

    def copy() -> None:
        with stream, open(path, "a", encoding="utf-8") as log:
            for line in _masked_lines(stream, limit):
                log.write(line + "\n")
                log.flush()

    thread = threading.Thread(target=copy, name=f"log-{path.stem}", daemon=True)
    thread.start()
    return thread
