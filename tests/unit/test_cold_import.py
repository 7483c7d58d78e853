"""Cold start: importing the app loads no library that only some requests need (each is loaded by its
first use), so a stream or schedule function never pays for token checks, templates or PDFs — nor for the
boto3 clients and PynamoDB models, which the routes reach through `chalicelib.lazy.on_first_use`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from chalicelib.lazy import on_first_use

ROOT = Path(__file__).resolve().parents[2]
LAZY = (
    "boto3",
    "botocore",
    "s3transfer",
    "pynamodb",
    "jinja2",
    "cryptography",
    "jwt",
    "chinese_calendar",
    "openpyxl",
    "weasyprint",
    "jieba",
    "numpy",
)
# what stands between a route and those libraries: the root, the services, the stores and the clients
DEFERRED = ("chalicelib.bootstrap", "chalicelib.services", "chalicelib.storage", "chalicelib.integrations")


def _loaded_after(code: str) -> list[str]:
    probe = f"import sys\n{code}\nimport json\nprint(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}})))"
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True, timeout=120
    )
    loaded = set(json.loads(out.stdout.strip().splitlines()[-1]))
    return [name for name in LAZY if name in loaded]


def _chalicelib_after(code: str) -> list[str]:
    probe = f"import sys\n{code}\nimport json\nprint(json.dumps(sorted(m for m in sys.modules if m.startswith('chalicelib'))))"
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True, timeout=120
    )
    return [m for m in json.loads(out.stdout.strip().splitlines()[-1]) if m.startswith(DEFERRED)]


def test_importing_the_app_loads_none_of_the_per_request_libraries() -> None:
    assert _loaded_after("import app") == []


def test_importing_the_app_loads_no_service_store_or_client_module() -> None:
    """Every route, schedule and stream handler is registered, yet no service, store or client module is
    loaded: the packages themselves (empty `__init__`) at most."""
    assert _chalicelib_after("import app") in ([], ["chalicelib.integrations"], ["chalicelib.services"])
    assert [m for m in _chalicelib_after("import app") if m.count(".") > 1] == []


def test_a_route_loads_its_service_at_its_first_use() -> None:
    """The stand-in a route module holds loads the real service (and with it PynamoDB) at the first attribute
    read, and answers with the real module's objects from then on."""
    probe = (
        "import app\n"
        "from chalicelib.api import tickets\n"
        "assert 'chalicelib.services.tickets' not in sys.modules\n"
        "assert 'pynamodb' not in sys.modules\n"
        "create = tickets.svc.create_ticket\n"
        "from chalicelib.services import tickets as real\n"
        "assert create is real.create_ticket\n"
    )
    assert "pynamodb" in _loaded_after(probe)
    assert "chalicelib.services.tickets" in _chalicelib_after(probe)


def test_a_stand_in_reads_and_writes_the_real_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing is imported until an attribute is read; a test's monkeypatch on the stand-in patches the real
    module (every holder sees it) and is undone on the real module too."""
    (tmp_path / "lazy_probe_module.py").write_text("def answer() -> int:\n    return 42\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    stand_in = on_first_use("lazy_probe_module")
    assert "lazy_probe_module" not in sys.modules
    assert "not loaded yet" in repr(stand_in)
    assert stand_in.answer() == 42
    real = sys.modules["lazy_probe_module"]
    with monkeypatch.context() as patch:
        patch.setattr(stand_in, "answer", lambda: 7)
        assert real.answer() == 7 and stand_in.answer() == 7
    assert real.answer() == 42
    with pytest.raises(AttributeError):
        stand_in.missing  # noqa: B018
    monkeypatch.delitem(sys.modules, "lazy_probe_module")
    with pytest.raises(ValueError, match="absolute"):
        on_first_use(".relative")


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
