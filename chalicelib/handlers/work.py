"""Schedule: the office-work sweep every 15 minutes (R-WORK-01/03/05): delayed items, approvals past
24 hours, the weekly-report check, the deliverables archives still to write (R-WORK-07). Reads only the due index;
idempotent (services/work.py)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint, Rate

from chalicelib.handlers.sweep import event_time
from chalicelib.lazy import on_first_use

if TYPE_CHECKING:
    from chalicelib import bootstrap
    from chalicelib.services import work
else:
    bootstrap = on_first_use("chalicelib.bootstrap")
    work = on_first_use("chalicelib.services.work")

bp = Blueprint(__name__)
log = logging.getLogger("hotline.work")
ARCHIVE_FAILED = "deliverables_archive_failed"  # the marker word the metric filter matches


@bp.schedule(Rate(15, unit=Rate.MINUTES), name="work_sweep", description="R-WORK-01/03/05 office work sweep")
def work_sweep(event: Any) -> dict[str, int]:
    """Run one office-work sweep at the event's time; the counts go to the log."""
    deps = bootstrap.root()
    result = dict(work.sweep(deps, event_time(event, deps.clock())))
    log.info("work sweep %s", result)
    # one line per run for the archive-failure metric filter (infra/operations.yaml, R-WORK-07): the deliverables
    # archives that failed again in this run; an error line while any did
    failed = int(result.get("deliverables_archive_failed", 0))
    (log.error if failed else log.info)("%s %d", ARCHIVE_FAILED, failed)
    return result
