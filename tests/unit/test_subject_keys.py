"""Each ticket's own key (storage/subject_keys.py, docs/privacy.md): sealed data is bound to its ticket and place,
older envelope ciphertexts are still read, and without the wrapped key nothing opens."""

from __future__ import annotations

import pytest

from chalicelib.integrations import crypto
from chalicelib.storage.subject_keys import Shredded, SubjectKeys
from tests.helpers.fakes import FakeCipher

DOC = {"name": "张三丰", "phone": "13800001234"}


def test_sealed_under_the_tickets_key_and_bound_to_where_it_is_stored() -> None:
    keys = SubjectKeys(FakeCipher())
    a, b = keys.new("T20261201-00001"), keys.new("T20261201-00002")
    token = keys.seal("T20261201-00001", a, DOC, "tickets/T20261201-00001/caller_enc")
    assert token.startswith("tk1:") and "13800001234" not in token
    assert keys.open("T20261201-00001", a, token, "tickets/T20261201-00001/caller_enc") == DOC
    with pytest.raises(ValueError):  # moved to another field
        keys.open("T20261201-00001", a, token, "events/T20261201-00001/contact_enc")
    with pytest.raises(ValueError):  # moved to another ticket (another key)
        keys.open("T20261201-00002", b, token, "tickets/T20261201-00001/caller_enc")
    with pytest.raises(ValueError):  # a wrapped key moved from its ticket does not unwrap
        SubjectKeys(FakeCipher()).open("T20261201-00002", a, token, "tickets/T20261201-00001/caller_enc")


def test_without_the_wrapped_key_nothing_opens_and_older_ciphertexts_still_read() -> None:
    envelope = FakeCipher()
    keys = SubjectKeys(envelope)
    wrapped = keys.new("T20261201-00003")
    token = keys.seal("T20261201-00003", wrapped, DOC, "x")
    with pytest.raises(Shredded):
        keys.open("T20261201-00003", None, token, "x")
    legacy = envelope.encrypt(DOC, "tickets/T20261201-00003/caller_enc")
    assert keys.open("T20261201-00003", None, legacy, "tickets/T20261201-00003/caller_enc") == DOC


def test_damaged_subject_ciphertexts_are_refused() -> None:
    key = crypto.new_subject_key()
    token = crypto.subject_seal(key, crypto.DEFAULT_ALGORITHM, DOC, "x")
    for bad in ("tk1:", "tk1:!!!", token[:-6] + "AAAAAA"):
        with pytest.raises(ValueError):
            crypto.subject_open(key, bad, "x")
    with pytest.raises(ValueError):
        crypto.subject_open(crypto.new_subject_key("SM4-GCM"), token, "x")
    sm4 = crypto.new_subject_key("SM4-GCM")
    assert crypto.subject_open(sm4, crypto.subject_seal(sm4, "SM4-GCM", DOC, "x"), "x") == DOC
