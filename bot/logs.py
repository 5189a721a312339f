"""Logging setup shared by every process: one format, personal data masked."""

from __future__ import annotations

import logging
from typing import Optional

from bot.privacy import install_log_masking

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def setup_logging(level: int = logging.INFO, logfile: Optional[str] = None) -> None:
    root = logging.getLogger()
    if not root.handlers:
        handler: logging.Handler = (
            logging.FileHandler(logfile, encoding="utf-8") if logfile else logging.StreamHandler()
        )
        handler.setFormatter(logging.Formatter(LOG_FORMAT))
        root.addHandler(handler)
    root.setLevel(level)
    install_log_masking(root)
    for noisy in ("jieba", "urllib3", "asyncio", "httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
