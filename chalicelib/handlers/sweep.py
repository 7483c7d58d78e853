"""Schedules: the deadline sweep every 15 minutes (R-12345-12) and the hourly leader-instruction chase
(R-12345-16)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint, Rate

from chalicelib.lazy import on_first_use

if TYPE_CHECKING:
    from chalicelib import bootstrap
    from chalicelib.services import handover, instructions, sweep
else:
    bootstrap = on_first_use("chalicelib.bootstrap")
    handover = on_first_use("chalicelib.services.handover")
    instructions = on_first_use("chalicelib.services.instructions")
    sweep = on_first_use("chalicelib.services.sweep")

bp = Blueprint(__name__)
log = logging.getLogger("hotline.sweep")


def event_time(event: Any, fallback: datetime) -> datetime:
    """The scheduled instant of an EventBridge event (a recorded event replays its own time)."""
    raw = getattr(event, "time", None) or (event.to_dict().get("time") if hasattr(event, "to_dict") else None)
    try:
        return datetime.fromisoformat(str(raw)).astimezone(UTC)
    except ValueError:
        return fallback


@bp.schedule(Rate(15, unit=Rate.MINUTES), name="deadline_sweep", description="R-12345-12 deadline sweep")
def deadline_sweep(event: Any) -> dict[str, Any]:
    """Run one sweep at the event's time; the counts go to the log."""
    deps = bootstrap.root()
    at = event_time(event, deps.clock())
    result = sweep.run_sweep(deps, at)
    result.update(handover.sweep(deps, at))  # R-12345-03: hand-overs start and end on time
    log.info("deadline sweep %s", result)
    # one line per run for the overdue-spike metric filter (infra/operations.yaml, R-12345-08/10)
    log.info("overdue_marked %d", int(result.get("marked_overdue", 0)) + int(result.get("marked_dispatch_overdue", 0)))
    return result


@bp.schedule(Rate(1, unit=Rate.HOURS), name="chase_instructions", description="R-12345-16 instruction chase")
def chase_instructions(event: Any) -> dict[str, int]:
    """Chase every open leader instruction whose next chase time has passed."""
    deps = bootstrap.root()
    return {"chased": instructions.chase_all(deps, event_time(event, deps.clock()))}
