"""Phone numbers: R-12345-07 long numbers for unit contacts, E.164 for SMS."""

from __future__ import annotations

import re
import unicodedata

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")
_SEPARATORS = re.compile(r"[\s()（）]")


def clean(number: str) -> str:
    """Strip spaces, brackets and a +86 / 0086 prefix."""
    n = _SEPARATORS.sub("", number or "")
    for prefix in ("+86", "0086"):
        if n.startswith(prefix):
            n = n[len(prefix) :]
    return n


def is_mobile(number: str) -> bool:
    """A full 11-digit mainland mobile number."""
    return bool(_MOBILE.match(clean(number)))


def is_long_number(number: str) -> bool:
    """R-12345-07: an 11-digit mobile or a landline with its area code (no short internal numbers)."""
    n = clean(number)
    return bool(_MOBILE.match(n) or _LANDLINE.match(n))


def long_number_problem(number: str) -> str | None:
    """Why a contact number is not acceptable under R-12345-07, or None."""
    if not number:
        return "必须填写联系电话"
    if is_long_number(number):
        return None
    return "须为11位手机号码或带区号的固定电话，不得使用短号"


def to_e164(number: str) -> str | None:
    """+86… for a mainland mobile number, None when it cannot receive SMS."""
    n = clean(number)
    return f"+86{n}" if _MOBILE.match(n) else None


_DASHES = re.compile(r"[\-－—.]")


def normalise_e164(number: str) -> str | None:
    """The E.164 form of a mainland mobile or landline (`+8613800001234`, `+861012345678`), or None.

    Full-width digits, spaces, dashes, brackets and a +86 / 0086 prefix are accepted as a person
    types them; the caller blind index (R-12345-11) hashes this form, so every spelling of one
    number finds the same tickets.
    """
    n = clean(_DASHES.sub("", unicodedata.normalize("NFKC", number or "")))
    if _MOBILE.match(n):
        return f"+86{n}"
    if _LANDLINE.match(n):
        return f"+86{n[1:]}"
    return None


_DIGIT_RUN = re.compile(r"\+?\d(?:[\s\-.]?\d){6,}")  # seven or more digits, one separator at most between two


def scrub(text: str) -> str:
    """`text` with every run of seven or more digits (a phone number, with or without +86 and separators)
    replaced by `***`: what a gateway says about a message may go to a log or a record, the number never."""
    return _DIGIT_RUN.sub("***", text)
