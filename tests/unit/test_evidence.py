"""Evidence files (pure rules and the service on the in-memory fakes): the type is decided by the
bytes, never the name; a refused upload leaves nothing; another owner kind can be registered."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from chalicelib.domain import evidence as rules
from chalicelib.domain.errors import Forbidden, NotFound, ValidationError
from chalicelib.domain.model import Actor
from chalicelib.services import evidence as svc
from chalicelib.services import tickets as tickets_svc
from tests.helpers.archive import upload
from tests.helpers.evidence import AMR, EXE, HEIC, JPEG, MP3, PDF, PNG, TEXT, docx, plain_zip, wav
from tests.helpers.tickets import OP1

NOW = datetime(2026, 11, 3, 2, 0, tzinfo=UTC)
ANALYST = Actor("analyst1", "analyst")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (wav(), "wav"),
        (AMR, "amr"),
        (MP3, "mp3"),
        (b"\xff\xfb\x90\x64" + b"\x00" * 16, "mp3"),
        (JPEG, "jpeg"),
        (PNG, "png"),
        (HEIC, "heic"),
        (PDF, "pdf"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 8, "office_legacy"),
        (docx(), "zip"),
        (TEXT, None),
        (EXE, None),
        (b"", None),
        (b"\xff\xf1\x50\x80", None),  # AAC (ADTS), not MPEG layer III
    ],
    ids=[
        "wav",
        "amr",
        "mp3-id3",
        "mp3-frame",
        "jpeg",
        "png",
        "heic",
        "pdf",
        "ole",
        "zip",
        "text",
        "exe",
        "empty",
        "aac",
    ],
)
def test_the_leading_bytes_decide_the_type(body: bytes, code: str | None) -> None:
    assert rules.sniff(body[: rules.SNIFF_BYTES]) == code


def test_only_office_open_xml_passes_as_a_zip() -> None:
    assert rules.office_kind(docx()) == "docx"
    assert rules.office_kind(plain_zip()) is None
    assert rules.office_kind(b"PK\x03\x04broken") is None


def test_file_names_are_cleaned_and_sizes_bounded() -> None:
    assert rules.clean_filename("C:\\Users\\张三\\录音 1.wav") == "录音 1.wav"
    assert rules.clean_filename("../../etc/pass\x00wd") == "passwd"
    for bad in (None, "", "   ", "..", 5, "a" * 201):
        with pytest.raises(ValidationError):
            rules.clean_filename(bad)
    assert rules.declared_size(rules.MAX_BYTES) == rules.MAX_BYTES
    for bad_size in (0, -1, True, "10", 1.5, rules.MAX_BYTES + 1):
        with pytest.raises(ValidationError):
            rules.declared_size(bad_size)


def _ticket(fake: Any) -> svc.Owner:
    ticket, _ = tickets_svc.create_ticket(fake, OP1, {"category": "help", "title": "求助", "content": "内容"}, NOW)
    return svc.Owner("ticket", ticket.ticket_id)


def test_an_upload_is_confirmed_by_its_content_and_listed(fake: Any) -> None:
    owner = _ticket(fake)
    started = svc.start_upload(fake, OP1, owner, {"filename": "报告.docx", "size": 10}, NOW)
    assert upload(fake.archive_store, started["upload"], PDF) == 204
    item = svc.confirm(fake, OP1, owner, started["evidence_id"], NOW)
    assert item["type"] == "pdf" and item["previewable"] is True
    assert fake.archive_store.head(svc.upload_key(started["evidence_id"])) is None
    assert fake.archive_store.get(svc.stored_key(owner, started["evidence_id"])).body == PDF
    assert [i["evidence_id"] for i in svc.listing(fake, ANALYST, owner)["items"]] == [item["evidence_id"]]
    assert svc.for_archive(fake, owner, NOW.isoformat())[0]["sha256"] == item["sha256"]
    assert svc.for_archive(fake, owner, "2026-11-03T01:59:59+00:00") == []


def test_a_refused_upload_leaves_nothing(fake: Any) -> None:
    owner = _ticket(fake)
    started = svc.start_upload(fake, OP1, owner, {"filename": "photo.jpg", "size": 10}, NOW)
    upload(fake.archive_store, started["upload"], TEXT)
    with pytest.raises(ValidationError) as refused:
        svc.confirm(fake, OP1, owner, started["evidence_id"], NOW)
    assert "文件类型不允许" in refused.value.fields["file"]
    assert fake.archive_store.head(svc.upload_key(started["evidence_id"])) is None
    assert fake.directory.query_items(owner.pk) == []
    with pytest.raises(NotFound):
        svc.confirm(fake, OP1, owner, started["evidence_id"], NOW)


def test_another_owner_kind_brings_its_own_policy(fake: Any) -> None:
    seen: list[tuple[str, str]] = []

    def view(deps: Any, actor: Actor, owner_id: str) -> None:
        seen.append((actor.user_id, owner_id))

    def attach(deps: Any, actor: Actor, owner_id: str) -> None:
        if actor.role != "operator":
            raise Forbidden("只有经办人可以上传")

    svc.register_owner("work_item", svc.OwnerPolicy(view=view, attach=attach))
    try:
        owner = svc.Owner("work_item", "W1")
        started = svc.start_upload(fake, OP1, owner, {"filename": "会议纪要.pdf", "size": 10}, NOW)
        upload(fake.archive_store, started["upload"], PDF)
        svc.confirm(fake, OP1, owner, started["evidence_id"], NOW)
        assert started["owner_kind"] == "work_item"
        assert len(svc.listing(fake, ANALYST, owner)["items"]) == 1 and seen == [("analyst1", "W1")]
        with pytest.raises(Forbidden):
            svc.start_upload(fake, ANALYST, owner, {"filename": "x.pdf", "size": 1}, NOW)
    finally:
        svc.OWNERS.pop("work_item")
    with pytest.raises(NotFound):
        svc.listing(fake, ANALYST, svc.Owner("nothing", "x"))
