"""The stock `rasa init` assistant of the same Rasa version: the baseline our latency is held to.

Built with `rasa init --no-prompt` into a cache folder outside the checkout and trained once per
Rasa version, so every benchmark run compares against the same untouched assistant.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from bot.model import cache_dir

BIN = Path(sys.executable).parent


def rasa_version() -> str:
    from importlib.metadata import version

    return version("rasa")


def stock_project() -> tuple[Path, Path, float]:
    """(project folder, trained model, training seconds; 0.0 when the cached model was reused)."""
    folder = cache_dir().parent / f"stock-rasa-{rasa_version()}"
    model = folder / "models" / "stock.tar.gz"
    if model.exists():
        return folder, model, 0.0
    folder.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    subprocess.run(
        [str(BIN / "rasa"), "init", "--no-prompt", "--init-dir", str(folder)],
        cwd=folder,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        input=b"",
    )
    for stale in (folder / "models").glob("*.tar.gz"):
        stale.unlink()
    started = time.monotonic()
    subprocess.run(
        [str(BIN / "rasa"), "train", "--fixed-model-name", "stock", "--out", "models"],
        cwd=folder,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return folder, model, time.monotonic() - started
