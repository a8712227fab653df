"""Button payloads: at most 64 bytes out, and nothing forged or stale accepted back."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.callbacks import MAX_CALLBACK_BYTES, MAX_OFFSET, Full, More, decode, encode


def test_encode_more_and_full() -> None:
    assert (encode(More("0123abcd", 3)), encode(Full(12, "89abcdef"))) == ("m:0123abcd:3", "f:12:89abcdef")


@given(key=st.text("0123456789abcdef", min_size=8, max_size=8), offset=st.integers(0, MAX_OFFSET))
def test_more_round_trips_within_64_bytes(key: str, offset: int) -> None:
    data = encode(More(key, offset))
    assert len(data.encode()) <= MAX_CALLBACK_BYTES and decode(data) == More(key, offset)


@given(number=st.integers(1, 999_999), version=st.text("0123456789abcdef", min_size=8, max_size=8))
def test_full_round_trips_within_64_bytes(number: int, version: str) -> None:
    data = encode(Full(number, version))
    assert len(data.encode()) <= MAX_CALLBACK_BYTES and decode(data) == Full(number, version)


@pytest.mark.parametrize(
    "data",
    [
        None,
        "",
        "m",
        "m:0123abcd",
        "m:0123ABCD:3",
        "m:0123abcd:-1",
        "m:0123abcd:99",
        "f:0:0123abcd",
        "f:1:xyz",
    ],
)
def test_decode_refuses_malformed_data(data: str | None) -> None:
    assert decode(data) is None


@pytest.mark.parametrize(
    "data", ["f:1:0123abcd:extra", "x" * 65, "m:0123abcd:3 ", "商会", "f:1234567:0123abcd"]
)
def test_decode_refuses_forged_data(data: str | None) -> None:
    assert decode(data) is None


@given(st.text(max_size=80))
def test_decode_never_raises(data: str) -> None:
    payload = decode(data)
    assert payload is None or encode(payload) == data


def test_encode_refuses_what_cannot_come_back() -> None:
    with pytest.raises(ValueError, match="round-trip"):
        encode(More("not-hex!", 3))
