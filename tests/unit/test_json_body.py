"""The one JSON body reader of every JSON route: what it refuses (400) before any code sees the value."""

from __future__ import annotations

import pytest

from chalicelib.api.deps import MAX_DEPTH, read_json_object
from chalicelib.domain.errors import BadRequest


def refused(raw: bytes | str) -> BadRequest:
    with pytest.raises(BadRequest) as caught:
        read_json_object(raw)
    return caught.value


def test_an_object_is_read_and_an_empty_body_is_an_empty_object() -> None:
    assert read_json_object(b'{"title": "\\u5c0f\\u533a", "n": 1.5, "tags": [null, true]}') == {
        "title": "小区",
        "n": 1.5,
        "tags": [None, True],
    }
    assert read_json_object(b"") == {} and read_json_object(None) == {}


@pytest.mark.parametrize("raw", [b"[]", b'"text"', b"3", b"null", b"true"])
def test_anything_but_an_object_is_refused(raw: bytes) -> None:
    assert refused(raw).message == "请求体须为 JSON 对象"


@pytest.mark.parametrize(
    "raw", [b"{", b"{'a': 1}", b'{"a": NaN}', b'{"a": Infinity}', b'{"a": -Infinity}', b"\xff\xfe{"]
)
def test_text_that_is_not_json_is_refused(raw: bytes) -> None:
    assert refused(raw).message == "请求体不是有效的 JSON"


def test_a_lone_surrogate_in_a_nested_value_is_refused_naming_the_field() -> None:
    error = refused(b'{"caller": {"name": "\\ud800"}}')
    assert error.details == {"field": "caller.name"}
    assert "caller.name" in error.message and "代理项" in error.message


def test_a_lone_surrogate_in_a_list_item_or_a_key_is_refused() -> None:
    assert refused(b'{"contacts": [{"name": "ok"}, {"phone": "\\udfff"}]}').details == {"field": "contacts[1].phone"}
    assert refused(b'{"a": {"\\ud83d": 1}}').details == {"field": "a.\\ud83d"}
    assert read_json_object(b'{"emoji": "\\ud83d\\ude00"}') == {"emoji": "😀"}  # a proper pair is text


@pytest.mark.parametrize("levels", [MAX_DEPTH + 1, 5000, 200_000])
def test_nesting_deeper_than_the_limit_is_refused_whatever_the_depth(levels: int) -> None:
    error = refused('{"a":' + "[" * levels + "]" * levels + "}")
    assert str(MAX_DEPTH) in error.message


def test_nesting_up_to_the_limit_is_read() -> None:
    levels = MAX_DEPTH - 1
    assert read_json_object('{"a":' + "[" * levels + "]" * levels + "}")


@pytest.mark.parametrize(
    "raw", [b'{"n": 1e999}', b'{"n": -1e400}', b'{"n": 9007199254740993}', b'{"n": [1, 10000000000000000000000]}']
)
def test_numbers_outside_ieee_doubles_are_refused(raw: bytes) -> None:
    assert "数值超出范围" in refused(raw).message


def test_integers_longer_than_python_reads_are_not_json_to_us() -> None:
    assert refused(b'{"n": ' + b"9" * 5000 + b"}").message == "请求体不是有效的 JSON"
