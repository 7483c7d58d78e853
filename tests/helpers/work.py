"""The office's work settings (R-WORK-01) for an API test: set through the admin route, put back afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def departments(api: Any, deps: Any, *depts: dict[str, Any]) -> Iterator[None]:
    """`PUT /work/settings` with these departments (head leader1, due Monday 10:00); the earlier settings restored."""
    saved = deps.directory.config("work")
    body = {"departments": list(depts), "head_id": "leader1", "report_due": "mon 10:00"}
    assert api.put("/work/settings", body, user="admin1").status_code == 200
    try:
        yield
    finally:
        if saved is None:
            deps.directory.delete("CONFIG", "work")
        else:
            deps.directory.put_item("CONFIG", "work", saved)
