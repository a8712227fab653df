"""The Bot API emulator refuses what Telegram refuses, with Telegram's error shapes."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from telegram import Bot, Update
from telegram.error import Forbidden

from emulator import ApiError, BotApiEmulator, parse_html
from emulator.rules import parse_html_entities

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


# --- who the bot may write to ---------------------------------------------------------------------

CANT_INITIATE = "Forbidden: bot can't initiate conversation with a user"


def test_a_user_who_never_wrote_in_private_cannot_be_written_to(emu: BotApiEmulator) -> None:
    group, stranger = emu.group_chat(-100_300), emu.user(202)
    emu.send_text(group, stranger, "/ask 商会")  # the bot knows the user, from a group
    assert call(emu, "sendMessage", chat_id=202, text="x") == refused(403, CANT_INITIATE)
    assert call(emu, "sendChatAction", chat_id=202, action="typing") == refused(403, CANT_INITIATE)
    assert call(emu, "sendMessage", chat_id=303, text="x") == refused(400, "Bad Request: chat not found")
    emu.send_text(emu.private_chat(stranger), stranger, "/start")
    assert call(emu, "sendMessage", chat_id=202, text="x")[0] == 200
    assert call(emu, "sendMessage", chat_id=CHAT, text="x")[0] == 200  # the fixture's user wrote first


def test_open_private_lets_the_bot_write_without_an_update(emu: BotApiEmulator) -> None:
    pending = len(call(emu, "getUpdates", timeout=0)[1]["result"])
    chat = emu.open_private(emu.user(404, "Ada"))
    assert chat == {"id": 404, "type": "private", "first_name": "Ada"}
    assert call(emu, "sendMessage", chat_id=404, text="x")[0] == 200
    assert len(call(emu, "getUpdates", timeout=0)[1]["result"]) == pending


async def test_ptb_raises_forbidden_for_a_user_who_never_started_the_bot(emu: BotApiEmulator) -> None:
    emu.inline_query(emu.user(505), "商会")  # seen, but never in a private chat
    async with Bot(TOKEN, base_url=emu.base_url) as bot:
        with pytest.raises(Forbidden, match="bot can't initiate conversation with a user"):
            await bot.send_message(505, "你好")


# --- callback answers -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://t.me/chamber_qa_bot?start=full_3_1", True),
        ("https://t.me/Chamber_QA_Bot?start=a-b_C9", True),
        ("https://t.me/chamber_qa_bot?start=" + "a" * 64, True),
        ("https://t.me/chamber_qa_bot?start=" + "a" * 65, False),
        ("https://t.me/chamber_qa_bot?start=全文", False),
        ("https://t.me/chamber_qa_bot?start=", False),
        ("https://t.me/chamber_qa_bot", False),
        ("https://t.me/other_bot?start=x", False),
        ("https://www.google.com", False),
        ("t.me/chamber_qa_bot?start=x", False),
    ],
)
def test_a_callback_answer_may_only_link_to_the_bots_start(emu: BotApiEmulator, url: str, ok: bool) -> None:
    sent = call(emu, "sendMessage", chat_id=CHAT, text="一")[1]["result"]
    query_id = emu.press_button(sent, "f:1", emu.user(CHAT))["callback_query"]["id"]
    answer = {"text": "私聊查看全文", "show_alert": True, "url": url, "cache_time": 5}
    result = call(emu, "answerCallbackQuery", callback_query_id=query_id, **answer)
    if ok:
        assert result == (200, {"ok": True, "result": True})
        assert emu.callback_answer(query_id) == answer
    else:
        assert result == refused(400, "Bad Request: URL_INVALID")
        assert emu.callback_answer(query_id) is None  # still unanswered: a retry may succeed
        assert call(emu, "answerCallbackQuery", callback_query_id=query_id)[0] == 200
        assert emu.callback_answer(query_id) == {}


# --- the bot in groups ----------------------------------------------------------------------------


def test_adding_and_removing_the_bot_delivers_what_telegram_sends(emu: BotApiEmulator) -> None:
    group, admin = emu.group_chat(-100_400), emu.user(606, "Admin")
    bot_as_member = {key: emu.bot_user[key] for key in ("id", "is_bot", "first_name", "username")}
    joined, service = emu.add_to_group(group, admin)
    change = Update.de_json(joined, None).my_chat_member
    assert change is not None and (change.chat.id, change.from_user.id) == (group["id"], 606)
    assert (change.old_chat_member.status, change.new_chat_member.status) == ("left", "member")
    assert change.new_chat_member.user.to_dict() == bot_as_member
    assert service["message"]["new_chat_members"] == [bot_as_member]
    assert call(emu, "sendMessage", chat_id=group["id"], text="大家好")[0] == 200

    removed, service = emu.remove_from_group(group, admin)
    change = Update.de_json(removed, None).my_chat_member
    assert change is not None and (change.old_chat_member.status, change.new_chat_member.status) == (
        "member",
        "kicked",
    )
    assert removed["my_chat_member"]["new_chat_member"]["until_date"] == 0
    assert service["message"]["left_chat_member"] == bot_as_member
    kicked = refused(403, "Forbidden: bot was kicked from the supergroup chat")
    assert call(emu, "sendMessage", chat_id=group["id"], text="x") == kicked
    assert call(emu, "sendChatAction", chat_id=group["id"], action="typing") == kicked

    again = emu.add_to_group(group, admin)[0]["my_chat_member"]
    assert again["old_chat_member"]["status"] == "kicked"
    assert call(emu, "sendMessage", chat_id=group["id"], text="又见面了")[0] == 200


def test_removal_from_a_basic_group_names_the_group(emu: BotApiEmulator) -> None:
    group = {"id": -500, "type": "group", "title": "小群"}
    emu.add_to_group(group, emu.user(CHAT))
    emu.remove_from_group(group, emu.user(CHAT))
    expected = refused(403, "Forbidden: bot was kicked from the group chat")
    assert call(emu, "sendMessage", chat_id=-500, text="x") == expected


# --- the message a button press carries -----------------------------------------------------------


def test_a_pressed_message_is_the_bots_message_as_telegram_sends_it(emu: BotApiEmulator) -> None:
    user = emu.user(CHAT)
    earlier = emu.message(CHAT, 1)  # the fixture's "你好"
    question = emu.send_text(emu.private_chat(user), user, "商会？", reply_to=earlier)["message"]
    reply = {"message_id": question["message_id"]}
    sent = call(
        emu, "sendMessage", chat_id=CHAT, text="<b>答</b>：见原文", parse_mode="HTML", reply_parameters=reply
    )
    pressed = emu.press_button(sent[1]["result"], "m:1", user)["callback_query"]["message"]
    assert pressed["reply_to_message"]["text"] == "商会？"
    assert "reply_to_message" not in pressed["reply_to_message"]  # Telegram never nests replies
    assert pressed["entities"] == [{"type": "bold", "offset": 0, "length": 1}]
    message = Update.de_json({"update_id": 1, "message": pressed}, None).message
    assert message is not None and message.text_html == "<b>答</b>：见原文"
    edit = {"chat_id": CHAT, "message_id": pressed["message_id"]}
    assert call(emu, "editMessageText", text="改过", **edit)[0] == 200
    assert pressed["text"] == "答：见原文"  # the update delivered earlier is a snapshot
    again = emu.press_button(pressed, "m:2", user)["callback_query"]["message"]
    assert (again["text"], "entities" in again, "edit_date" in again) == ("改过", False, True)


def test_html_becomes_entities_with_utf16_offsets() -> None:
    html = (
        '😀<b>商<i>会</i></b> <a href="https://t.me/x">链</a> <pre><code class="language-py">x=1</code></pre>'
    )
    text, found = parse_html_entities(html)
    assert text == "😀商会 链 x=1"
    assert found == [
        {"type": "bold", "offset": 2, "length": 2},
        {"type": "italic", "offset": 3, "length": 1},
        {"type": "text_link", "url": "https://t.me/x", "offset": 5, "length": 1},
        {"type": "pre", "language": "py", "offset": 7, "length": 3},
    ]
    assert parse_html_entities("<code>a</code><blockquote expandable>b</blockquote><b></b>")[1] == [
        {"type": "code", "offset": 0, "length": 1},
        {"type": "expandable_blockquote", "offset": 1, "length": 1},
    ]
