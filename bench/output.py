"""Where every benchmark puts its figures: one JSON file (read by `run_all` and `report`) and stdout."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Union


def write_result(out: Union[str, Path], result: dict[str, Any]) -> None:
    """Write `result` as UTF-8 JSON to `out` (creating its folder) and print it."""
    text = json.dumps(result, ensure_ascii=False, indent=2)
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + "\n", encoding="utf-8")
    print(text)
