"""Log lines are masked (JSON-escaped text and exception text too) and bounded."""

from __future__ import annotations

import io
import logging
import subprocess
import sys

from bot.logs import MAX_LOG_LINE_CHARS, MaskingFormatter, bounded, copy_masked

PHONE = "13912345678"
ID_CARD = "330902199001011234"


def test_json_escaped_text_is_masked():
    line = 'body={"text": "\\u8bc1' + ID_CARD + "\\u8bdd" + PHONE + '"}'
    masked = bounded(line)
    assert ID_CARD not in masked and PHONE not in masked
    assert "证330902" in masked


def test_a_huge_line_is_cut_with_a_note():
    line = bounded("x" * 10_000_000 + PHONE)
    assert len(line) < MAX_LOG_LINE_CHARS + 100 and "已截断" in line


def test_exception_text_is_masked():
    try:
        raise ValueError(f"bad phone {PHONE} for {ID_CARD}")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", None, sys.exc_info())
    text = MaskingFormatter("%(message)s").format(record)
    assert "ValueError" in text and PHONE not in text and ID_CARD not in text


def test_a_child_process_output_is_copied_masked_and_bounded(tmp_path):
    script = (
        f"import sys; print('来电 {PHONE}'); print('证 {ID_CARD}', file=sys.stderr); "
        "print('y' * 5_000_000); print('end')"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    copy_masked(child.stdout, tmp_path / "child.log").join(timeout=30)
    child.wait()
    lines = (tmp_path / "child.log").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "来电 139****5678" and lines[1] == "证 330902************"
    assert len(lines) == 4 and max(map(len, lines)) < MAX_LOG_LINE_CHARS + 100


def test_masked_copy_survives_unreadable_bytes(tmp_path):
    copy_masked(io.BytesIO(b"\xff\xfe " + PHONE.encode() + b"\n"), tmp_path / "b.log").join(5)
    assert "139****5678" in (tmp_path / "b.log").read_text(encoding="utf-8")
