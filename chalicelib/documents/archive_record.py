"""The archive package's documents (pure): audit copy, record.json, manifest.json and the printable
record.html (Chinese, Asia/Shanghai times, labels from the one catalogue, the caller masked).

R-12345-17: every closed ticket is archived with its whole history; R-12345-11: the caller stays
encrypted in record.json and masked in print.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from chalicelib.documents import environment
from chalicelib.documents.labels import label, source_label, table
from chalicelib.domain import people
from chalicelib.domain.access import mask_text
from chalicelib.domain.calendar import SHANGHAI
from chalicelib.domain.model import Caller

FORMAT = "hotline-archive/1"
FILES = {"record.json": "application/json; charset=utf-8", "record.html": "text/html; charset=utf-8"}
MANIFEST = "manifest.json"
DOWNLOADABLE = (*FILES, MANIFEST)

# event data fields whose values are codes (shown by their label) or instants (shown in local time)
VALUE_KINDS = {
    "satisfaction": "satisfaction",
    "kind": "call_kind",
    "outcome": "call_outcome",
    "channel": "channel",
    "status": "instruction_status",
    "stage": "overdue_stage",
    "alert": "alert_kind",
    "difficult_trigger": "difficult_trigger",  # R-12345-10
}
INSTANTS = {
    "handle_due",
    "requested_due",
    "new_due",
    "previous_due",
    "city_due",
    "dispatch_due",
    "due",
    "at",
    "decision_due",
}
UNIT_FIELDS = {"unit_id", "from_unit_id"}
ISO_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})")
HIDDEN_FIELDS = {"to_phone", "contact_enc"}  # a call's number is printed, masked, in the call table only


def to_json(data: Any) -> bytes:
    """Stable JSON bytes of a document (sorted keys, UTF-8)."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1, default=str).encode()


def local_time(iso: str | None) -> datetime | None:
    """An ISO instant in Asia/Shanghai."""
    return datetime.fromisoformat(iso).astimezone(SHANGHAI) if iso else None


def audit_key(event: Mapping[str, Any]) -> str:
    """Deterministic key of an event's audit copy: same event → same key, whatever the retry."""
    day = local_time(event["at"])
    assert day is not None
    return f"audit/{day:%Y/%m/%d}/{event['ticket_id']}/{int(event['seq']):06d}.json"


def audit_document(event: Mapping[str, Any]) -> bytes:
    """The audit copy: the event and the ticket snapshot after it (no personal data)."""
    body = {k: v for k, v in event.items() if k != "snapshot"}
    return to_json({"format": "hotline-audit/1", "event": body, "snapshot": event["snapshot"]})


def archive_prefix(ticket_id: str, received_at: str) -> str:
    """`archive/yyyy/mm/{ticket}/`, yyyy/mm of receipt (Asia/Shanghai)."""
    month = local_time(received_at)
    assert month is not None
    return f"archive/{month:%Y/%m}/{ticket_id}/"


def build_record(
    close: Mapping[str, Any],
    events: list[dict[str, Any]],
    caller_enc: str | None,
    evidence: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """record.json: the ticket after the close, its whole history, the caller still encrypted, and
    the evidence files stored up to the close (services/evidence.for_archive: sha256, size, where kept)."""
    return {
        "format": FORMAT,
        "ticket_id": close["ticket_id"],
        "version": int(close["seq"]),
        "closed_at": close["at"],
        "seq_range": [int(events[0]["seq"]), int(events[-1]["seq"])],
        "ticket": close["snapshot"],
        "caller_enc": caller_enc,
        "caller_protection": "KMS envelope (AES-256-GCM), the data key of the Tickets table",
        "events": [{k: v for k, v in e.items() if k not in ("snapshot", "month")} for e in events],
        "evidence": list(evidence or []),
    }


def build_manifest(record: Mapping[str, Any], files: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """manifest.json: checksum, size and S3 version of each file, the event range it covers, and each
    evidence file by sha256 (kept under its own key, `evidence/…`, with the same retention)."""
    return {
        "format": FORMAT,
        "ticket_id": record["ticket_id"],
        "version": record["version"],
        "closed_at": record["closed_at"],
        "seq_range": record["seq_range"],
        "event_count": len(record["events"]),
        "files": files,
        "evidence": [
            {k: e[k] for k in ("evidence_id", "filename", "sha256", "size", "content_type", "key", "s3_version_id")}
            for e in record.get("evidence", [])
        ],
    }


def file_entry(body: bytes, content_type: str, version_id: str | None) -> dict[str, Any]:
    """sha256 / size / content type / version id of one stored file."""
    return {
        "sha256": hashlib.sha256(body).hexdigest(),
        "size": len(body),
        "content_type": content_type,
        "s3_version_id": version_id,
    }


def fmt(iso: Any) -> str:
    """Asia/Shanghai 'YYYY-MM-DD HH:MM' (empty for none)."""
    if not iso:
        return ""
    try:
        moment = local_time(str(iso))
    except ValueError:
        return str(iso)
    return f"{moment:%Y-%m-%d %H:%M}" if moment else ""


class Printer:
    """Turns stored codes into what a person reads: labels, unit and staff names, local times."""

    def __init__(
        self,
        units: Mapping[str, Mapping[str, Any]],
        names: Mapping[str, str],
        partners: Mapping[str, str] | None = None,
    ) -> None:
        self.units = units
        self.names = names
        self.partners = partners or {}

    def source(self, source: Any) -> str:
        """Where the ticket came from: a channel, or 合作平台（name） for the partner platform that pushed it."""
        return source_label(source, self.partners.get(str(source)))

    def unit(self, unit_id: Any) -> str:
        """A unit's name (its id only when the unit is unknown)."""
        return str(self.units.get(str(unit_id), {}).get("name") or unit_id or "")

    def person(self, user_id: Any, role: Any = None) -> str:
        """A person's name (with the unit) and role, e.g. 李娜（业务科经办人）, 周海（海游街道办事处，承办单位经办人）."""
        if not user_id:
            return ""
        if role == "partner":  # a partner platform acts under its id: printed by its name, never the id
            return self.source(user_id)
        name = "系统" if user_id == "system" else self.names.get(str(user_id), str(user_id))
        return people.with_role(name, label("role", role)) if role and user_id != "system" else name

    @staticmethod
    def call_phone(call: Mapping[str, Any]) -> str:
        """The number of a recorded call, masked whoever was called (R-12345-11: the record holds
        the number only inside the envelope; what is stored in plain text is already masked)."""
        number = str(call.get("to_phone") or "")
        return number if "*" in number else mask_text(number, 3, 4)

    def value(self, field: str, value: Any) -> str:
        """One event data value as text."""
        if isinstance(value, bool):
            return "是" if value else "否"
        coded = self.code(field, value)
        if coded is not None:
            return coded
        if field in INSTANTS or field.endswith("_at"):
            return fmt(value)
        if field.endswith("_by") or field in ("by", "leader"):
            return self.person(value)
        if field == "to" and isinstance(value, Mapping):
            return self.unit(value.get("id")) if value.get("kind") == "unit" else self.person(value.get("id"))
        if field in UNIT_FIELDS:
            return self.unit(value)
        if field == "co_unit_ids" and isinstance(value, list):
            return "、".join(self.unit(u) for u in value)
        return self.detail(value)

    def code(self, field: str, value: Any) -> str | None:
        """The name of a value that is a code (or a list of codes), None for any other value."""
        if field in VALUE_KINDS:
            return label(VALUE_KINDS[field], value)
        if field == "decision" and isinstance(value, str):  # an extension or 12369 acceptance decision; else free text
            kind = next((k for k in ("extension_decision", "env_decision") if value in table(k)), None)
            return label(kind, value) if kind else value
        if field == "source":  # a channel, or the id of the partner platform that pushed the ticket
            return self.source(value)
        if field == "sections" and isinstance(value, Mapping | list):
            return "、".join(label("reply_section", s) for s in value)
        if field == "flags" and isinstance(value, list):
            return "、".join(label("flag", s) for s in value)
        return None

    def detail(self, data: Any) -> str:
        """Event data as readable text: field labels, nested values flattened."""
        if isinstance(data, Mapping):
            parts = [
                f"{label('field', k)}：{self.value(str(k), v)}"
                for k, v in data.items()
                if v not in (None, "", [], {}) and k not in HIDDEN_FIELDS
            ]
            return "；".join(parts)
        if isinstance(data, list):
            return "、".join(self.detail(v) for v in data)
        if isinstance(data, bool):
            return "是" if data else "否"
        if isinstance(data, str) and ISO_INSTANT.fullmatch(data):  # any instant: local time, never ISO UTC
            return fmt(data)
        return str(data)


def render_html(
    record: Mapping[str, Any],
    snapshots: Mapping[int, Mapping[str, Any]],
    caller: Caller,
    units: Mapping[str, Mapping[str, Any]],
    names: Mapping[str, str],
    partners: Mapping[str, str] | None = None,
) -> str:
    """record.html: the printable archive record (Chinese); `caller` is already masked; `partners` names the
    partner platforms by id (the 来源 of a pushed ticket)."""
    events = record["events"]
    calls = [dict(e["data"]["call"], event=e["type"]) for e in events if isinstance(e["data"].get("call"), dict)]
    replies = [
        snapshots[e["seq"]]["reply"]
        for e in events
        if e["type"] == "replied" and snapshots.get(e["seq"], {}).get("reply")
    ]
    callbacks = [
        snapshots[e["seq"]]["callback"]
        for e in events
        if e["type"] == "called_back" and snapshots.get(e["seq"], {}).get("callback")
    ]
    return (
        environment()
        .get_template("archive/record.html.j2")
        .render(
            r=record,
            t=record["ticket"],
            caller=caller.as_dict(),
            events=events,
            calls=calls,
            replies=replies,
            callbacks=callbacks,
            fmt=fmt,
            label=label,
            p=Printer(units, names, partners),
        )
    )
