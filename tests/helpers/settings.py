"""The settings any admin route could change, saved and put back by tests that call every route."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from chalicelib.domain.calendar import SHANGHAI


def global_partitions(deps: Any) -> list[str]:
    """Directory partitions of settings the admin routes may change and other tests rely on."""
    categories = ["consult", "help", "complaint", "report", "suggestion", "praise", "env-report"]
    now = datetime.now(SHANGHAI)
    months = {f"DUTY#{(now + timedelta(days=d)):%Y-%m}" for d in (-31, 0, 31)}
    limits = ["LIMITS", "LIMITS#12345", "LIMITS#12369", "HANDOVER"]  # time-limit versions, hand-overs
    return [
        "TEMPLATE",
        "CONFIG",
        "DUTY#DEFAULT",
        "DUTY#STAFF",
        *months,
        *(f"TEMPLATE#{c}" for c in categories),
        *limits,
    ]


def snapshot_settings(deps: Any, partitions: Iterable[str] | None = None) -> dict[str, dict[str, Any]]:
    """Every item of the partitions (all settings by default), to be put back by `restore_settings`."""
    return {pk: {i.sk: i for i in deps.table.items(pk)} for pk in partitions or global_partitions(deps)}


def restore_settings(deps: Any, saved: dict[str, dict[str, Any]]) -> None:
    for pk, items in saved.items():
        for item in deps.table.items(pk):
            if item.sk not in items:
                deps.table.delete(pk, item.sk)
        for item in items.values():
            deps.table.put(item)
    deps.contexts.invalidate()
