"""Button payloads: at most 64 bytes out, and nothing forged or stale accepted back."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.callbacks import MAX_CALLBACK_BYTES, Full, Page, Vote, decode, encode
from bot.paging import MAX_SCREENS

IDS = st.integers(1, 2**52)  # Telegram: user ids have at most 52 significant bits


def test_encode_page_full_and_vote() -> None:
    encoded = (encode(Page(12, 3, 42)), encode(Full(12, 0)), encode(Vote(12, up=False)))
    assert encoded == ("p:12:3:42", "f:12:0:0", "v:12:-")


@given(ask=IDS, screen=st.integers(0, MAX_SCREENS - 1), asker=st.integers(0, 2**52))
def test_pages_and_fulls_round_trip_within_64_bytes(ask: int, screen: int, asker: int) -> None:
    for payload in (Page(ask, screen, asker), Full(ask, screen, asker)):
        data = encode(payload)
        assert len(data.encode()) <= MAX_CALLBACK_BYTES and decode(data) == payload


@given(ask=IDS, up=st.booleans())
def test_votes_round_trip(ask: int, up: bool) -> None:
    assert decode(encode(Vote(ask, up))) == Vote(ask, up)


@pytest.mark.parametrize(
    "data",
    [
        None,
        "",
        "p",
        "p:1:2",
        "p:1:-1:0",
        f"p:1:{MAX_SCREENS}:0",
        "f:x:1:0",
        "v:1:*",
        "m:0123abcd:3",
        "f:3:0123abcd",
    ],
)
def test_decode_refuses_malformed_and_old_format_data(data: str | None) -> None:
    assert decode(data) is None


@pytest.mark.parametrize("data", ["p:1:2:3:extra", "x" * 65, "p:1:2:3 ", "商会", "p:12345678901234567:0:0"])
def test_decode_refuses_forged_data(data: str | None) -> None:
    assert decode(data) is None


@given(st.text(max_size=80))
def test_decode_never_raises(data: str) -> None:
    payload = decode(data)
    assert payload is None or encode(payload) == data


def test_encode_refuses_what_cannot_come_back() -> None:
    with pytest.raises(ValueError, match="round-trip"):
        encode(Page(1, MAX_SCREENS, 0))
