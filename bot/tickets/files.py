"""Reading the knowledge files: YAML with libyaml's C parser when it is installed.

The routing tables are a few thousand lines; the pure-Python parser takes most of a second for
them, the C one a tenth of that.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path) -> Any:
    return yaml.load(Path(path).read_text(encoding="utf-8"), Loader=_LOADER)
