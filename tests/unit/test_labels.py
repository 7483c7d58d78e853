"""The one label catalogue: complete for every code a user meets, and the SPA's copy is the same."""

from __future__ import annotations

import json

import pytest

from chalicelib.documents import labels
from chalicelib.domain.emergency import KIND as EMERGENCY_KIND
from chalicelib.domain.model import CHANNELS, FLAGS, HOTLINES, SATISFACTION, Category, EventType, Role, Status
from chalicelib.domain.sweep import EVENT_OF
from chalicelib.domain.templates import DEFAULT_TEMPLATES
from chalicelib.domain.tickets import VERBS


def test_the_spa_locales_use_exactly_the_server_catalogue() -> None:
    """`python -m chalicelib.documents.labels` rewrites frontend/src/locales/catalogue.json after a change."""
    assert labels.SPA_EXPORT.read_text(encoding="utf-8") == labels.spa_export_text()


@pytest.mark.parametrize(
    ("kind", "codes"),
    [
        ("status", [s.value for s in Status]),
        ("category", [c.value for c in Category]),
        ("role", [r.value for r in Role]),
        ("channel", sorted(CHANNELS)),
        ("hotline", sorted(HOTLINES)),
        ("flag", list(FLAGS)),
        ("satisfaction", list(SATISFACTION)),
        ("verb", list(VERBS)),
        ("reply_section", sorted({s.id for sections in DEFAULT_TEMPLATES.values() for s in sections})),
        ("alert_kind", [*sorted(EVENT_OF), EMERGENCY_KIND]),
    ],
)
def test_every_code_has_a_chinese_and_an_english_name(kind: str, codes: list[str]) -> None:
    for code in codes:
        zh, en = labels.label(kind, code, "zh-CN"), labels.label(kind, code, "en-US")
        assert zh != labels.UNKNOWN["zh-CN"] and en != labels.UNKNOWN["en-US"], (kind, code)


def test_every_event_type_has_a_name() -> None:
    assert [e.value for e in EventType if labels.label("event", e) == "其他"] == []


def _written_event_types() -> set[str]:
    """Event types as the code writes them: `Change(…, "type", …)`, a transition's `return changes, "type",
    data`, and the sweep's alert → event map."""
    import ast
    from pathlib import Path

    from chalicelib.domain.sweep import EVENT_OF

    found = set(EVENT_OF.values())
    for path in [*Path("chalicelib/domain").glob("*.py"), *Path("chalicelib/services").glob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Change" and len(node.args) > 2:
                arg = node.args[2]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    found.add(arg.value)
            if isinstance(node, ast.Return) and isinstance(node.value, ast.Tuple) and len(node.value.elts) == 3:
                arg = node.value.elts[1]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    found.add(arg.value)
    return found


def test_every_event_the_code_writes_is_a_known_type() -> None:
    written = _written_event_types()
    assert len(written) > 15  # the scan finds the transitions, the sweep's alerts and the instructions
    assert sorted(written - {e.value for e in EventType}) == []


def test_an_unknown_code_is_never_shown_as_itself() -> None:
    assert labels.label("status", "no_such_status") == "其他"
    assert labels.label("status", "no_such_status", "en-US") == "Other"


def test_the_two_languages_cover_the_same_codes() -> None:
    export = json.loads(labels.spa_export_text())
    for kind in export["zh-CN"]:
        assert set(export["zh-CN"][kind]) == set(export["en-US"][kind]), kind


def test_plain_text_templates_are_not_html_escaped() -> None:
    from chalicelib.services.notify import render

    event = {"ticket_id": "T1", "snapshot": {"title": 'A&B <楼> "噪音"', "category": "complaint"}, "data": {}}
    text, _ = render("dispatched", event, "周海")
    assert 'A&B <楼> "噪音"' in text and "&amp;" not in text and "&lt;" not in text


def test_a_sweep_events_alert_is_printed_by_its_name() -> None:
    from chalicelib.documents.archive_record import Printer

    printed = Printer({}, {}).detail({"alert": "handle_overdue", "stage": "dispatcher"})
    assert printed == "预警：办理逾期；逾期时办理环节：派单员审核回访", printed
