"""Evidence files (pure): which file types are accepted, decided by the bytes, never by the name.

12369 第二十二条 asks for written material or sound recordings with a report (R-12369-01); the same
files back 12345 tickets and the office's work items (R-WORK-07). Accepted: call recordings (MP3,
WAV, AMR), photos (JPEG, PNG, HEIC), PDF and Office documents (DOCX/XLSX/PPTX and the legacy binary
formats), at most `MAX_BYTES` each.
"""

from __future__ import annotations

import io
import unicodedata
import zipfile
from dataclasses import dataclass

from chalicelib.domain.errors import ValidationError

MAX_BYTES = 50 * 1024 * 1024  # 50 MB per file
SNIFF_BYTES = 64  # the leading bytes `sniff` needs
MAX_NAME = 200


@dataclass(frozen=True)
class FileType:
    """An accepted type: its code (labels: `evidence_type`), MIME type, group (`evidence_group`)."""

    code: str
    mime: str
    group: str
    previewable: bool = False


TYPES: dict[str, FileType] = {
    t.code: t
    for t in (
        FileType("mp3", "audio/mpeg", "recording"),
        FileType("wav", "audio/wav", "recording"),
        FileType("amr", "audio/amr", "recording"),
        FileType("jpeg", "image/jpeg", "photo", True),
        FileType("png", "image/png", "photo", True),
        FileType("heic", "image/heic", "photo"),
        FileType("pdf", "application/pdf", "document", True),
        FileType("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "office"),
        FileType("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "office"),
        FileType("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation", "office"),
        FileType("office_legacy", "application/x-ole-storage", "office"),
    )
}
HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
ZIP_MAGIC = b"PK\x03\x04"
OOXML_PARTS = {"word/": "docx", "xl/": "xlsx", "ppt/": "pptx"}


def sniff(start: bytes) -> str | None:
    """The type code of a file from its first bytes; "zip" when only the whole file can tell
    (Office Open XML is a ZIP: `office_kind` decides); None for anything not accepted."""
    if start.startswith(b"%PDF-"):
        return "pdf"
    if start.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if start.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if len(start) >= 12 and start[4:8] == b"ftyp" and start[8:12] in HEIF_BRANDS:
        return "heic"
    if start.startswith(b"RIFF") and start[8:12] == b"WAVE":
        return "wav"
    if start.startswith(b"#!AMR"):
        return "amr"
    if start.startswith(b"ID3") or (len(start) >= 2 and start[0] == 0xFF and start[1] & 0xE6 in (0xE2, 0xE4, 0xE6)):
        return "mp3"  # an ID3 tag, or an MPEG audio frame header (sync bits, layer III/II)
    if start.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "office_legacy"  # OLE2 compound file: .doc / .xls / .ppt
    if start.startswith(ZIP_MAGIC):
        return "zip"
    return None


def office_kind(body: bytes) -> str | None:
    """docx / xlsx / pptx for an Office Open XML package, None for any other ZIP (or a broken one)."""
    try:
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    for prefix, code in OOXML_PARTS.items():
        if any(n.startswith(prefix) for n in names):
            return code
    return None


def refuse_type() -> ValidationError:
    """The error for a file whose content is not an accepted type (the name is not consulted)."""
    return ValidationError(
        {"file": "文件类型不允许（按文件内容识别）：仅接受录音 MP3/WAV/AMR、照片 JPG/PNG/HEIC、PDF 和 Office 文档"}
    )


def refuse_size(size: int) -> ValidationError:
    """The error for a file over the limit."""
    return ValidationError({"file": f"文件大小 {size / 1024 / 1024:.1f} MB 超过上限 50 MB"})


def clean_filename(value: object) -> str:
    """The file name shown and offered on download: the last path part, no control characters."""
    if not isinstance(value, str) or not value.strip():
        raise ValidationError({"filename": "须填写文件名"})
    name = value.replace("\\", "/").rsplit("/", 1)[-1].strip()
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    if not name or name in (".", ".."):
        raise ValidationError({"filename": "文件名无效"})
    if len(name) > MAX_NAME:
        raise ValidationError({"filename": f"文件名不能超过 {MAX_NAME} 个字符"})
    return name


def declared_size(value: object) -> int:
    """The size the uploader announces (checked again on the stored object)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValidationError({"size": "须为正整数（字节）"})
    if value > MAX_BYTES:
        raise refuse_size(value)
    return value
