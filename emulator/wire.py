"""The Bot API's wire format: request parameters in, message entities out."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs

from emulator.api import JSON
from emulator.rules import ApiError, utf16_len

JSON_PARAMS = frozenset(
    {"reply_markup", "reply_parameters", "commands", "results", "allowed_updates", "link_preview_options"}
    | {"entities", "scope", "button"}
)
ENTITY_PATTERNS = (
    ("bot_command", re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")),
    ("mention", re.compile(r"(?<![\w@])@[A-Za-z0-9_]{5,32}")),
)


def entities(text: str) -> list[JSON]:
    """Return the bot_command and mention entities Telegram would attach to a user's text."""
    found = [
        {"type": kind, "offset": utf16_len(text[: m.start()]), "length": utf16_len(m.group())}
        for kind, pattern in ENTITY_PATTERNS
        for m in pattern.finditer(text)
    ]
    return sorted(found, key=lambda entity: entity["offset"])


def parse_params(content_type: str, body: bytes, query: str) -> JSON:
    """Decode a request's parameters (query string, form or JSON body), JSON-valued fields included."""
    params: JSON = {key: values[-1] for key, values in parse_qs(query).items()}
    if "application/json" in content_type:
        params |= json.loads(body or b"{}")
    elif "multipart/form-data" in content_type:
        raise ApiError(400, "Bad Request: the emulator does not accept file uploads")
    else:
        params |= {k: v[-1] for k, v in parse_qs(body.decode(), keep_blank_values=True).items()}
    for key in JSON_PARAMS & params.keys():
        if isinstance(params[key], str):
            params[key] = json.loads(params[key])
    return params
