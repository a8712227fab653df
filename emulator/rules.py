"""Telegram's rules for what a bot sends, as the Bot API enforces them (https://core.telegram.org/bots/api).

Each check raises ApiError with the HTTP status and description Telegram answers with.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

MAX_TEXT_CHARS = 4096  # sendMessage, editMessageText, InputTextMessageContent
MAX_CALLBACK_DATA_BYTES = 64
MAX_CALLBACK_ANSWER_CHARS = 200
MAX_INLINE_RESULTS = 50
MAX_INLINE_RESULT_ID_BYTES = 64
# https://core.telegram.org/bots/api#html-style
ALLOWED_TAGS = frozenset(
    {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a", "tg-emoji"}
    | {"code", "pre", "blockquote"}
)
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}  # the only ones Telegram decodes
CHAT_ACTIONS = frozenset(
    {"typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice"}
    | {"upload_document", "choose_sticker", "find_location", "record_video_note", "upload_video_note"}
)
COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")


class ApiError(Exception):
    """A Bot API error reply: {"ok": false, "error_code": ..., "description": ...}."""

    def __init__(self, code: int, description: str, parameters: dict[str, Any] | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def payload(self) -> dict[str, Any]:
        """Return the JSON body Telegram sends with this error."""
        body: dict[str, Any] = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(reason: str) -> ApiError:
    """Return a 400 error with Telegram's "Bad Request: …" description."""
    return ApiError(400, f"Bad Request: {reason}")


def utf16_len(text: str) -> int:
    """Return the length Telegram counts, in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


SIMPLE_ENTITIES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "code": "code",
}


def _entity(tag: str, attrs: dict[str, str | None]) -> dict[str, Any] | None:
    """Return the MessageEntity fields (type and extras) a closed tag makes, or None."""
    if tag in SIMPLE_ENTITIES:
        return {"type": SIMPLE_ENTITIES[tag]}
    if tag == "a":
        return {"type": "text_link", "url": attrs["href"]} if attrs.get("href") else None
    if tag == "pre":
        language = attrs.get("language")
        return {"type": "pre"} | ({"language": language} if language else {})
    if tag == "blockquote":
        return {"type": "expandable_blockquote" if "expandable" in attrs else "blockquote"}
    return {"type": "custom_emoji", "custom_emoji_id": attrs.get("emoji-id") or ""}  # tg-emoji


class _EntityParser(HTMLParser):
    """Parse Telegram HTML into plain text and entities, refusing what Telegram refuses."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=False)
        self.source = source
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", source)]
        self.text: list[str] = []
        self.length = 0  # of the text so far, in UTF-16 code units (entity offsets count those)
        self.open_tags: list[tuple[str, dict[str, str | None], int]] = []  # tag, attributes, offset
        self.entities: list[dict[str, Any]] = []

    def _byte_offset(self) -> int:
        line, column = self.getpos()
        return len(self.source[: self.line_starts[line - 1] + column].encode())

    def _fail(self, reason: str) -> ApiError:
        return bad_request(f"can't parse entities: {reason} at byte offset {self._byte_offset()}")

    def _emit(self, text: str) -> None:
        self.text.append(text)
        self.length += utf16_len(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            raise self._fail(f'Unsupported start tag "{tag}"')
        if tag == "span" and dict(attrs).get("class") != "tg-spoiler":
            raise self._fail('Tag "span" must have class "tg-spoiler"')
        self.open_tags.append((tag, dict(attrs), self.length))

    def handle_endtag(self, tag: str) -> None:
        if not self.open_tags:
            raise self._fail("Unexpected end tag")
        if self.open_tags[-1][0] != tag:
            raise self._fail(f'Unmatched end tag, expected "</{self.open_tags[-1][0]}>", found "</{tag}>"')
        _, attrs, start = self.open_tags.pop()
        if tag == "code" and self.open_tags and self.open_tags[-1][0] == "pre":
            # <pre><code class="language-x"> is one pre entity with a language, not a code entity
            self.open_tags[-1][1]["language"] = (attrs.get("class") or "").removeprefix("language-")
            return
        entity = _entity(tag, attrs)
        if entity is not None and self.length > start:
            self.entities.append({**entity, "offset": start, "length": self.length - start})

    def handle_data(self, data: str) -> None:
        if "<" in data:  # html.parser passes a "<" that starts no valid tag through as text
            raise self._fail('Unsupported start tag ""')
        self._emit(data)

    def handle_entityref(self, name: str) -> None:
        self._emit(NAMED_ENTITIES.get(name, f"&{name};"))

    def handle_charref(self, name: str) -> None:
        try:
            self._emit(chr(int(name[1:], 16) if name[:1] in "xX" else int(name)))
        except (ValueError, OverflowError):
            raise self._fail("Invalid numeric entity") from None

    def handle_comment(self, data: str) -> None:
        raise self._fail('Unsupported start tag "!--"')

    def handle_decl(self, decl: str) -> None:
        raise self._fail('Unsupported start tag "!"')

    handle_pi = handle_decl
    unknown_decl = handle_decl


def parse_html_entities(source: str) -> tuple[str, list[dict[str, Any]]]:
    """Return the plain text of Telegram HTML and its entities (by offset, outer first), or raise
    ApiError as Telegram would."""
    parser = _EntityParser(source)
    parser.feed(source)
    parser.close()
    if parser.open_tags:
        raise bad_request(
            "can't parse entities: Can't find end tag corresponding to start tag "
            f'"{parser.open_tags[-1][0]}"'
        )
    entities = sorted(parser.entities, key=lambda entity: (entity["offset"], -entity["length"]))
    return "".join(parser.text), entities


def parse_html(source: str) -> str:
    """Return the plain text of Telegram HTML, or raise ApiError as Telegram would."""
    return parse_html_entities(source)[0]


def check_text_entities(
    text: str | None, parse_mode: str | None, entities: list[dict[str, Any]] | None = None
) -> tuple[str, list[dict[str, Any]]]:
    """Return the plain text of a message and its entities (parsed from HTML, else the ones passed);
    refuse empty or over-long text."""
    if not text:
        raise bad_request("message text is empty")
    if (parse_mode or "").upper() == "HTML":
        plain, entities = parse_html_entities(text)
    else:
        plain, entities = text, list(entities or [])
    if not plain.strip():
        raise bad_request("message text is empty")
    if utf16_len(plain) > MAX_TEXT_CHARS:
        raise bad_request("message is too long")
    return plain, entities


def check_text(text: str | None, parse_mode: str | None) -> str:
    """Return the plain text of a message after entity parsing; refuse empty or over-long text."""
    return check_text_entities(text, parse_mode)[0]


def check_reply_markup(markup: dict[str, Any] | None) -> None:
    """Refuse inline keyboards Telegram refuses: empty labels, missing actions, callback_data > 64 bytes."""
    if not markup or "inline_keyboard" not in markup:
        return
    for row in markup["inline_keyboard"]:
        for button in row:
            if not button.get("text"):
                raise bad_request("BUTTON_TEXT_INVALID")
            data = button.get("callback_data")
            if data is not None and not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA_BYTES:
                raise bad_request("BUTTON_DATA_INVALID")
            if data is None and not any(key in button for key in ("url", "switch_inline_query", "copy_text")):
                raise bad_request("BUTTON_TYPE_INVALID")


def check_commands(commands: list[dict[str, str]]) -> None:
    """Refuse a command menu Telegram refuses: bad names, empty or long descriptions, over 100."""
    if len(commands) > 100:
        raise bad_request("BOT_COMMANDS_TOO_MUCH")
    for command in commands:
        if not COMMAND_NAME.fullmatch(command.get("command", "")):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(command.get("description", "")) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")


def check_inline_results(results: list[dict[str, Any]]) -> None:
    """Refuse inline results Telegram refuses: too many, bad or repeated ids, unsendable messages."""
    if len(results) > MAX_INLINE_RESULTS:
        raise bad_request("RESULTS_TOO_MUCH")
    ids = [result.get("id", "") for result in results]
    if any(not 1 <= len(i.encode()) <= MAX_INLINE_RESULT_ID_BYTES for i in ids):
        raise bad_request("RESULT_ID_INVALID")
    if len(set(ids)) != len(ids):
        raise bad_request("RESULT_ID_DUPLICATE")
    for result in results:
        if result.get("type") == "article" and not result.get("title"):
            raise bad_request("RESULT_TITLE_EMPTY")
        content = result.get("input_message_content") or {}
        if "message_text" in content:
            check_text(content["message_text"], content.get("parse_mode"))
        check_reply_markup(result.get("reply_markup"))


_START_PARAMETER = re.compile(r"[A-Za-z0-9_-]{1,64}")


def check_inline_button(button: dict[str, Any] | None) -> None:
    """Refuse the button above inline results that Telegram refuses: no text, or neither a web app nor a
    start parameter of 1-64 characters A-Z, a-z, 0-9, _ and -."""
    if button is None:
        return
    if not button.get("text"):
        raise bad_request("BUTTON_TEXT_INVALID")
    start = button.get("start_parameter")
    if "web_app" not in button and (start is None or not _START_PARAMETER.fullmatch(start)):
        raise bad_request("START_PARAM_INVALID")


def _start_link(bot_username: str) -> re.Pattern[str]:
    """Match a link that opens this bot with a start parameter (t.me, or the older telegram.me)."""
    return re.compile(
        rf"https://(?:t|telegram)\.me/(?i:{re.escape(bot_username)})\?start={_START_PARAMETER.pattern}"
    )


def check_callback_answer(text: str | None, url: str | None = None, bot_username: str = "") -> None:
    """Refuse a callback answer Telegram refuses: text longer than it shows, or a URL other than a link
    that opens this bot with a start parameter (other URLs are for bots with games)."""
    if text and len(text) > MAX_CALLBACK_ANSWER_CHARS:
        raise bad_request("MESSAGE_TOO_LONG")
    if url and not _start_link(bot_username).fullmatch(url):
        raise bad_request("URL_INVALID")
