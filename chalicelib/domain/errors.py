"""Domain errors: the only exceptions domain and services raise on purpose.

`api/errors.py` maps each class to one HTTP status; nothing else decides a status code.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every expected failure; carries a stable code and JSON-able details."""

    code = "domain_error"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class ValidationError(DomainError):
    """Input is missing or malformed; `fields` names each bad field (its path, e.g. `sections.basis`) and why.

    `labels` names a field known only at run time (a reply template's section titles); every other
    path is named by the label catalogue (`documents.labels.field_label`) when the error is answered."""

    code = "validation_error"

    def __init__(
        self,
        fields: dict[str, str],
        message: str | None = None,
        labels: dict[str, str] | None = None,
        **details: Any,
    ) -> None:
        super().__init__(message or self.default_message(fields), fields=fields, **details)
        self.fields = fields
        self.labels = dict(labels or {})

    @staticmethod
    def default_message(fields: dict[str, str]) -> str:
        return "输入有误：" + "；".join(f"{k}: {v}" for k, v in fields.items())


class BadRequest(DomainError):
    """The request itself cannot be read (not JSON, bad token, bad page token)."""

    code = "bad_request"


class UnsupportedMediaType(BadRequest):
    """The body comes in a media type the route does not read."""

    code = "unsupported_media_type"


class NotFound(DomainError):
    """The thing does not exist, or the caller may not know that it exists."""

    code = "not_found"


class Forbidden(DomainError):
    """The caller's role or unit may not perform this action."""

    code = "forbidden"


class Unauthenticated(DomainError):
    """No valid identity."""

    code = "unauthenticated"


class InvalidTransition(DomainError):
    """The ticket's state does not allow the requested action."""

    code = "invalid_transition"


class Conflict(DomainError):
    """Somebody else changed the item first (optimistic lock or condition failed)."""

    code = "conflict"


class RateLimited(DomainError):
    """Too many requests."""

    code = "rate_limited"
