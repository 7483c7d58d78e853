"""Schedule entry point: the deadline sweep every 15 minutes (R-12345-12)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from chalice import Blueprint, Rate

from chalicelib.services import sweep

bp = Blueprint(__name__)
log = logging.getLogger("hotline.sweep")


def event_time(event: Any) -> datetime:
    """The scheduled instant of an EventBridge event (a recorded event replays its own time)."""
    raw = getattr(event, "time", None) or (event.to_dict().get("time") if hasattr(event, "to_dict") else None)
    try:
        return datetime.fromisoformat(str(raw)).astimezone(UTC)
    except ValueError:
        return datetime.now(UTC)


@bp.schedule(Rate(15, unit=Rate.MINUTES), name="deadline_sweep", description="R-12345-12 deadline sweep")
def deadline_sweep(event: Any) -> dict[str, Any]:
    """Run one sweep at the event's time; the counts go to the log."""
    result = sweep.run_sweep(event_time(event))
    log.info("deadline sweep %s", result)
    return result
