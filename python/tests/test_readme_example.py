"""The README's Python session example, run as written (against the test database)."""
from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path
from typing import Any

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_session_example(db: Any, dsn: str) -> None:
    section = README.read_text().split("## Python clients", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    code = code.replace('psycopg.connect("dbname=app", autocommit=True)', f"psycopg.connect({dsn!r}, autocommit=True)")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, str(README), "exec"), {})
    assert out.getvalue().strip() == "[11, 22, -11, 0]"
