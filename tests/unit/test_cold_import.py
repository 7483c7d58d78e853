"""Cold start: importing the app loads no library that only some requests need (each is loaded by its
first use), so a stream or schedule function never pays for token checks, templates or PDFs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LAZY = ("jinja2", "cryptography", "jwt", "chinese_calendar", "openpyxl", "weasyprint", "jieba", "numpy")


def _loaded_after(code: str) -> list[str]:
    probe = f"import sys\n{code}\nimport json\nprint(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}})))"
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True, timeout=120
    )
    loaded = set(json.loads(out.stdout.strip().splitlines()[-1]))
    return [name for name in LAZY if name in loaded]


def test_importing_the_app_loads_none_of_the_per_request_libraries() -> None:
    assert _loaded_after("import app") == []


def test_each_library_is_loaded_by_its_first_use() -> None:
    used = _loaded_after(
        "import app\n"
        "from chalicelib.documents import environment\n"
        "environment().from_string('{{ x }}').render(x=1)\n"
        "from chalicelib.domain.calendar import WorkCalendar\n"
        "from datetime import date\n"
        "WorkCalendar().is_workday(date(2026, 10, 1))\n"
    )
    assert used == ["jinja2", "chinese_calendar"]
