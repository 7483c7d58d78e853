"""Unit assessment (综合科 考核): the versioned weights and the month's scores per unit, ranked, as JSON and .xlsx.

Reads the month's ticket figures from the counters (`services.stats.report`, bounded Queries) and the notices to
units (`services.work`); the rules of the score: `domain/assessment.py`, docs/statistics.md "Unit assessment".
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from chalicelib.domain import assessment
from chalicelib.domain.errors import Conflict, Forbidden, ValidationError
from chalicelib.domain.model import Actor, Role
from chalicelib.services import privacy, stats, work
from chalicelib.storage.table import Absent

if TYPE_CHECKING:
    from chalicelib.bootstrap import Adapters

PK = "CONFIG#ASSESSMENT"
SETTERS = (Role.ANALYST, Role.ADMIN)


def _ensure_reader(actor: Actor) -> None:
    if actor.role not in work.READ_ALL:
        raise Forbidden("只有领导、综合科和管理员可以查看单位考核", role=actor.role)


def versions(deps: Adapters) -> list[dict[str, Any]]:
    """Every version, oldest first: the built-in default (version 0), then the stored ones."""
    return [dict(assessment.DEFAULT), *(d for _, d in sorted(deps.directory.list_items(PK)))]


def get_weights(deps: Adapters, actor: Actor) -> dict[str, Any]:
    """The weights in force and their history."""
    _ensure_reader(actor)
    history = versions(deps)
    return {"current": history[-1], "history": history}


def put_weights(deps: Adapters, actor: Actor, body: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """A new version of the weights (analyst or admin); versions are written once, never changed."""
    if actor.role not in SETTERS:
        raise Forbidden("只有综合科和管理员可以设置考核权重", role=actor.role)
    current = versions(deps)[-1]
    version = assessment.new_version(current["version"], body, actor.user_id, now)
    if not deps.directory.put_if(PK, f"v{version['version']:06d}", version, Absent()):
        raise Conflict("考核权重已被他人修改，请刷新后重试", version=version["version"])
    privacy.log_change(deps, "assessment_weights_changed", actor, now, before=current, after=version)
    return version


def month_scores(deps: Adapters, actor: Actor, month: str, params: Mapping[str, str], now: datetime) -> dict[str, Any]:
    """Every unit's score for `month` with its inputs, ranked; `?version=` scores with an earlier version."""
    _ensure_reader(actor)
    month = stats.check_month(month)
    history = versions(deps)
    version = history[-1]
    if params.get("version"):
        chosen = [v for v in history if str(v["version"]) == params["version"]]
        if not chosen:
            raise ValidationError({"version": f"没有第 {params['version'][:8]} 版考核权重"})
        version = chosen[0]
    report = stats.report(deps, month)
    notices = [d for _, d in deps.directory.query_items(work.NOTICE, newest_first=True, limit=work.LIST_LIMIT)]
    answered = assessment.notice_counts(notices, month, now)
    rows = []
    for unit in report["units"]:
        counts = answered.get(unit["id"], {"due": 0, "on_time": 0})
        rows.append({"id": unit["id"], "name": unit["name"], **assessment.score(unit["figures"], counts, version)})
    return {"month": month, "version": version, "rows": assessment.rank(rows), "generated_at": now.isoformat()}


def month_workbook(deps: Adapters, actor: Actor, month: str, params: Mapping[str, str], now: datetime) -> bytes:
    """The month's assessment as .xlsx: rank, unit, score and every input (names, no codes)."""
    result = month_scores(deps, actor, month, params, now)
    from chalicelib.documents import excel  # openpyxl: loaded by its first use

    return excel.assessment_workbook(result)
