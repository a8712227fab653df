"""Keep the bot token out of every log line: a redacting filter on the root handlers."""

from __future__ import annotations

import logging

REDACTED = "<TELEGRAM_BOT_TOKEN>"
# httpx logs every request URL at INFO, and the Bot API puts the token in the URL.
CHATTY_LOGGERS = ("httpx", "httpcore")


class TokenRedactor(logging.Filter):
    """Replace the token in a record's message, arguments, traceback and stack text."""

    def __init__(self, token: str) -> None:
        super().__init__(name="")
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the record in place; never drop it."""
        record.msg = self._redact(_message_of(record))
        record.args = None
        if record.exc_info and not record.exc_text:
            # Format the traceback now so the handler's formatter reuses the redacted text.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self._redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self._redact(record.stack_info)
        return True

    def _redact(self, text: str) -> str:
        """Return text with every occurrence of the token replaced."""
        return text.replace(self.token, REDACTED) if self.token else text


def _message_of(record: logging.LogRecord) -> str:
    """Merge a record's message and arguments, as a formatter would."""
    try:
        return record.getMessage()
    except (TypeError, ValueError):  # arguments that do not fit the format: keep both, as text
        return f"{record.msg} {record.args!r}"


def protect_token(token: str) -> None:
    """Silence the request loggers and add a TokenRedactor to every root handler (idempotent)."""
    for name in CHATTY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    handlers = [*logging.getLogger().handlers]
    if logging.lastResort is not None:  # used when no handler is configured at all
        handlers.append(logging.lastResort)
    for handler in handlers:
        if not any(isinstance(f, TokenRedactor) and f.token == token for f in handler.filters):
            handler.addFilter(TokenRedactor(token))


def describe(error: BaseException | None, token: str) -> str:
    """Return an error's type and message for an admin, the token redacted, at most 1000 characters."""
    return f"{type(error).__name__}: {error}".replace(token, REDACTED)[:1000]
