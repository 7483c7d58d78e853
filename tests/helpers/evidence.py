"""Evidence files for tests: small real files of each accepted type, and the upload → confirm walk."""

from __future__ import annotations

import io
import struct
import zipfile
from typing import Any

from tests.helpers.archive import upload

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 32 + b"\xff\xd9"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
AMR = b"#!AMR\n" + b"\x3c" * 64
MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x00" + b"\x00" * 64
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 32
TEXT = "这是一段普通文字，不是照片。".encode()
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 56


def wav(samples: int = 800) -> bytes:
    """A short silent 8 kHz mono WAV (a call recording)."""
    data = b"\x00\x00" * samples
    fmt = struct.pack("<HHIIHH", 1, 1, 8000, 16000, 2, 16)
    return (
        b"RIFF"
        + struct.pack("<I", 36 + len(data))
        + b"WAVEfmt "
        + struct.pack("<I", 16)
        + fmt
        + b"data"
        + (struct.pack("<I", len(data)) + data)
    )


def docx() -> bytes:
    """A minimal Office Open XML word-processing package."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        z.writestr("word/document.xml", '<?xml version="1.0"?><w:document/>')
    return buf.getvalue()


def plain_zip() -> bytes:
    """A ZIP that is no Office document."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("readme.txt", "hello")
    return buf.getvalue()


def attach(api: Any, deps: Any, tid: str, user: str, body: bytes, filename: str, note: str = "") -> Any:
    """Announce, upload to the presigned form, confirm: the confirm response."""
    return attach_at(api, deps, f"/tickets/{tid}", user, body, filename, note)


def attach_at(api: Any, deps: Any, base: str, user: str, body: bytes, filename: str, note: str = "") -> Any:
    """The same walk below any owner path (`/work/actions/{id}`, `/work/weekly/{week}?…` without the query …)."""
    path, _, params = base.partition("?")
    qs = f"?{params}" if params else ""
    start = api.post(f"{path}/evidence{qs}", {"filename": filename, "size": len(body), "note": note}, user=user)
    assert start.status_code == 201, start.json
    assert upload(deps.archive_store, start.json["upload"], body, filename) in (200, 201, 204)
    return api.post(f"{path}/evidence/{start.json['evidence_id']}/confirm{qs}", {}, user=user)
