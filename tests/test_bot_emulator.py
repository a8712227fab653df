"""The Bot API emulator refuses what Telegram refuses, with Telegram's error shapes."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from emulator import ApiError, BotApiEmulator, parse_html

TOKEN = "123:emulator-test-token"
CHAT = 101


@pytest.fixture
def emu() -> Iterator[BotApiEmulator]:
    with BotApiEmulator(TOKEN) as emulator:
        user = emulator.user(CHAT)
        emulator.send_text(emulator.private_chat(user), user, "你好")  # Telegram knows the chat now
        yield emulator


def call(emu: BotApiEmulator, method: str, token: str = TOKEN, **params: Any) -> tuple[int, dict[str, Any]]:
    """Post a Bot API call the way PTB does: form fields, JSON-encoded objects."""
    form = {k: json.dumps(v) if isinstance(v, dict | list) else str(v) for k, v in params.items()}
    url = emu.base_url.removesuffix("/bot") + f"/bot{token}/{method}"
    response = httpx.post(url, data=form, timeout=10)
    return response.status_code, response.json()


def refused(status: int, description: str) -> tuple[int, dict[str, Any]]:
    return status, {"ok": False, "error_code": status, "description": description}


def test_send_message_returns_the_parsed_text(emu: BotApiEmulator) -> None:
    status, body = call(
        emu, "sendMessage", chat_id=CHAT, text="<b>商会</b> &amp; <i>培训</i>", parse_mode="HTML"
    )
    assert (status, body["result"]["text"], body["result"]["chat"]["id"]) == (200, "商会 & 培训", CHAT)


def test_length_is_counted_after_entity_parsing(emu: BotApiEmulator) -> None:
    fits = "<b>" + "商" * 4095 + "</b>&amp;"
    assert call(emu, "sendMessage", chat_id=CHAT, text=fits, parse_mode="HTML")[0] == 200
    too_long = "商" * 4096 + "&amp;"
    expected = refused(400, "Bad Request: message is too long")
    assert call(emu, "sendMessage", chat_id=CHAT, text=too_long, parse_mode="HTML") == expected


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        ("<b>未闭合", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<p>段落</p>", 'Unsupported start tag "p" at byte offset 0'),
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("<b><i>交叉</b></i>", 'Unmatched end tag, expected "</i>", found "</b>" at byte offset 12'),
        ("多余</u>", "Unexpected end tag at byte offset 6"),
        ('<span class="x">s</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
    ],
)
def test_malformed_html_cannot_be_parsed(emu: BotApiEmulator, html: str, reason: str) -> None:
    expected = refused(400, f"Bad Request: can't parse entities: {reason}")
    assert call(emu, "sendMessage", chat_id=CHAT, text=html, parse_mode="HTML") == expected


def test_parse_html_accepts_telegram_tags_and_entities() -> None:
    html = '<b>a</b><strong>b</strong><i>c</i><u>d</u><s>e</s><a href="x">f</a><code>g</code><pre>h</pre>'
    html += "&#x27;&quot;"
    assert parse_html(html) == "abcdefgh'\""


@pytest.mark.parametrize("text", ["", "<b></b>", "  \n "])
def test_empty_text_is_refused(emu: BotApiEmulator, text: str) -> None:
    expected = refused(400, "Bad Request: message text is empty")
    assert call(emu, "sendMessage", chat_id=CHAT, text=text, parse_mode="HTML") == expected


def test_callback_data_over_64_bytes_is_refused(emu: BotApiEmulator) -> None:
    markup = {"inline_keyboard": [[{"text": "更多", "callback_data": "商" * 22}]]}  # 66 bytes
    expected = refused(400, "Bad Request: BUTTON_DATA_INVALID")
    assert call(emu, "sendMessage", chat_id=CHAT, text="x", reply_markup=markup) == expected
    markup = {"inline_keyboard": [[{"text": "更多", "callback_data": "商" * 21}]]}  # 63 bytes
    assert call(emu, "sendMessage", chat_id=CHAT, text="x", reply_markup=markup)[0] == 200


def test_unknown_chat_token_and_method(emu: BotApiEmulator) -> None:
    assert call(emu, "sendMessage", chat_id=999, text="x") == refused(400, "Bad Request: chat not found")
    assert call(emu, "getMe", token="123:wrong") == refused(401, "Unauthorized")
    assert call(emu, "sendTelepathy")[0] == 404


def test_fail_next_answers_500_then_429_with_retry_after(emu: BotApiEmulator) -> None:
    emu.fail_next(1, status=500)
    emu.fail_next(1, status=429, retry_after=3, methods={"sendMessage"})
    assert call(emu, "getMe") == refused(500, "Internal Server Error")
    assert call(emu, "getMe")[0] == 200
    status, body = call(emu, "sendMessage", chat_id=CHAT, text="x")
    assert (status, body["parameters"], body["description"]) == (
        429,
        {"retry_after": 3},
        "Too Many Requests: retry after 3",
    )
    assert call(emu, "sendMessage", chat_id=CHAT, text="x")[0] == 200


def test_get_updates_long_polls_and_honours_offset(emu: BotApiEmulator) -> None:
    body = call(emu, "getUpdates", offset=0, timeout=0)[1]
    first = body["result"][0]["update_id"]
    assert call(emu, "getUpdates", offset=first + 1, timeout=0)[1]["result"] == []
    user = emu.user(CHAT)
    timer = threading.Timer(0.2, lambda: emu.send_text(emu.private_chat(user), user, "/start"))
    timer.start()
    updates = call(emu, "getUpdates", offset=first + 1, timeout=5)[1]["result"]
    assert [u["message"]["text"] for u in updates] == ["/start"]
    assert updates[0]["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]


def test_edit_and_answer_rules(emu: BotApiEmulator) -> None:
    sent = call(emu, "sendMessage", chat_id=CHAT, text="一")[1]["result"]
    edit = {"chat_id": CHAT, "message_id": sent["message_id"]}
    assert call(emu, "editMessageText", text="二", **edit)[0] == 200
    assert call(emu, "editMessageText", text="二", **edit)[1]["description"].startswith(
        "Bad Request: message is not modified"
    )
    assert call(emu, "editMessageText", text="三", chat_id=CHAT, message_id=999)[1]["description"] == (
        "Bad Request: message to edit not found"
    )
    query_id = emu.press_button(emu.message(CHAT, sent["message_id"]), "m:1", emu.user(CHAT))[
        "callback_query"
    ]["id"]
    assert call(emu, "answerCallbackQuery", callback_query_id=query_id)[0] == 200
    assert call(emu, "answerCallbackQuery", callback_query_id=query_id)[0] == 400


def test_api_error_payload_shape() -> None:
    error = ApiError(429, "Too Many Requests: retry after 1", {"retry_after": 1})
    assert error.payload() == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 1",
        "parameters": {"retry_after": 1},
    }


@pytest.mark.parametrize(
    ("button", "error"),
    [
        ({"text": "私聊提问", "start_parameter": "ask"}, None),
        ({"text": "", "start_parameter": "ask"}, "Bad Request: BUTTON_TEXT_INVALID"),
        ({"text": "私聊提问", "start_parameter": "问"}, "Bad Request: START_PARAM_INVALID"),
        ({"text": "私聊提问", "start_parameter": "a" * 65}, "Bad Request: START_PARAM_INVALID"),
        ({"text": "私聊提问"}, "Bad Request: START_PARAM_INVALID"),
    ],
)
def test_the_button_above_inline_results_is_checked(
    emu: BotApiEmulator, button: dict[str, str], error: str | None
) -> None:
    update = emu.inline_query(emu.user(7), "商会")
    status, body = call(
        emu, "answerInlineQuery", inline_query_id=update["inline_query"]["id"], results=[], button=button
    )
    assert (status, body) == ((200, {"ok": True, "result": True}) if error is None else refused(400, error))
