"""Bot settings from the environment or `.env`: Mapping[str, str] → BotSettings."""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from dotenv import dotenv_values

from retrieval import Settings

TELEGRAM_API_URL = "https://api.telegram.org/bot"
# Telegram's rule for setWebhook's secret_token: 1-256 characters of A-Z, a-z, 0-9, _ and -.
SECRET_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,256}")
DEFAULT_INDEX_POLL_SECONDS = 30.0
DEFAULT_CONVERSATION_MINUTES = 30.0
DEFAULT_USAGE_DAYS = 90.0


class BotConfigError(ValueError):
    """The bot's settings are missing or malformed; the message says which variable to fix."""


class TokenMissing(BotConfigError):
    """TELEGRAM_BOT_TOKEN is not set: the CLI falls back to the terminal chat."""


@dataclass(frozen=True)
class BotSettings:
    """Everything the Telegram side needs; each field is documented in `.env.example`."""

    token: str  # TELEGRAM_BOT_TOKEN, from @BotFather
    base_url: str = TELEGRAM_API_URL  # TELEGRAM_BASE_URL: a self-hosted Bot API server or a test emulator
    allowed_chat_ids: frozenset[int] | None = None  # ALLOWED_CHAT_IDS; None lets every chat in
    # ADMIN_USER_IDS (or ADMIN_IDS; both are read and merged): always allowed, told about errors, may /reload
    admin_user_ids: frozenset[int] = frozenset()
    webhook_url: str | None = None  # WEBHOOK_URL: public https URL; polling when unset
    webhook_secret: str | None = None  # WEBHOOK_SECRET: required with WEBHOOK_URL
    webhook_listen: str = "127.0.0.1"  # WEBHOOK_LISTEN: interface of the local webhook server
    webhook_port: int = 8443  # WEBHOOK_PORT
    index_poll_seconds: float = DEFAULT_INDEX_POLL_SECONDS  # INDEX_POLL_SECONDS; 0 turns polling off
    max_rss_mb: int | None = None  # MAX_RSS_MB; None keeps retrieval's default (Settings.max_rss_mb)
    conversation_minutes: float = DEFAULT_CONVERSATION_MINUTES  # CONVERSATION_MINUTES; 0 turns follow-ups off
    vectors: bool = True  # CHAMBER_QA_VECTORS; off turns the semantic signal off (as --no-vectors does)
    usage_db: Path | None = None  # USAGE_DB: the question log; None: usage.sqlite beside the index folder
    usage_days: float = DEFAULT_USAGE_DAYS  # USAGE_DAYS: how long logged questions are kept
    page_names: str = ""  # CHAMBER_QA_PAGE_NAMES: paper, date and page from file names (as the CLI's)
    shards: tuple[str, ...] = ()  # XAPIAN_SHARDS: answer from these Xapian shards (host:port, or folders)

    def __post_init__(self) -> None:
        """Refuse settings the bot could not run with."""
        if not self.token.strip():
            raise BotConfigError("TELEGRAM_BOT_TOKEN is empty: set it in the environment or in .env.")
        if self.webhook_url and not self.webhook_secret:
            raise BotConfigError("WEBHOOK_URL is set but WEBHOOK_SECRET is not: set both (see .env.example).")
        if self.webhook_secret and not SECRET_PATTERN.fullmatch(self.webhook_secret):
            raise BotConfigError("WEBHOOK_SECRET must be 1-256 characters of A-Z, a-z, 0-9, _ and -.")
        if not (math.isfinite(self.index_poll_seconds) and self.index_poll_seconds >= 0):
            raise BotConfigError("INDEX_POLL_SECONDS must be a number of seconds >= 0 (0 turns it off).")
        if not (math.isfinite(self.conversation_minutes) and self.conversation_minutes >= 0):
            raise BotConfigError("CONVERSATION_MINUTES must be a number of minutes >= 0 (0 turns it off).")
        if not (math.isfinite(self.usage_days) and self.usage_days > 0):
            raise BotConfigError("USAGE_DAYS must be a number of days > 0.")
        try:
            Settings(page_names=self.page_names)  # the archive's own check of the pattern
        except ValueError as error:
            raise BotConfigError(f"CHAMBER_QA_PAGE_NAMES: {error}.") from None

    @property
    def base_file_url(self) -> str:
        """The file-download URL that goes with `base_url` (…/bot → …/file/bot)."""
        root = self.base_url.removesuffix("/bot")
        return f"{root}/file/bot"

    @property
    def webhook_path(self) -> str:
        """The path the local webhook server listens on: the path of WEBHOOK_URL."""
        return urlsplit(self.webhook_url or "").path.lstrip("/")

    def is_allowed(self, chat_id: int | None, user_id: int | None) -> bool:
        """Tell whether a chat (or, for inline queries, a user) may use the bot."""
        if self.allowed_chat_ids is None or user_id in self.admin_user_ids:
            return True
        return chat_id in self.allowed_chat_ids if chat_id is not None else user_id in self.allowed_chat_ids

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, env_file: Path | None = Path(".env")
    ) -> BotSettings:
        """Read settings from `env_file` (if it exists), overridden by `environ` (default os.environ)."""
        values = {**_read_env_file(env_file), **(os.environ if environ is None else environ)}
        token = values.get("TELEGRAM_BOT_TOKEN", "")
        if not token.strip():
            raise TokenMissing("TELEGRAM_BOT_TOKEN is not set: put it in the environment or in .env.")
        allowed = values.get("ALLOWED_CHAT_IDS", "").strip()
        return cls(
            token=token.strip(),
            base_url=values.get("TELEGRAM_BASE_URL", "").strip() or TELEGRAM_API_URL,
            allowed_chat_ids=_parse_ids("ALLOWED_CHAT_IDS", allowed) if allowed else None,
            admin_user_ids=_parse_ids("ADMIN_USER_IDS", values.get("ADMIN_USER_IDS", ""))
            | _parse_ids("ADMIN_IDS", values.get("ADMIN_IDS", "")),
            webhook_url=values.get("WEBHOOK_URL", "").strip() or None,
            webhook_secret=values.get("WEBHOOK_SECRET", "").strip() or None,
            webhook_listen=values.get("WEBHOOK_LISTEN", "").strip() or "127.0.0.1",
            webhook_port=_parse_port(values.get("WEBHOOK_PORT", "").strip() or "8443"),
            index_poll_seconds=_parse_number(
                "INDEX_POLL_SECONDS",
                "seconds",
                values.get("INDEX_POLL_SECONDS", ""),
                DEFAULT_INDEX_POLL_SECONDS,
            ),
            conversation_minutes=_parse_number(
                "CONVERSATION_MINUTES",
                "minutes",
                values.get("CONVERSATION_MINUTES", ""),
                DEFAULT_CONVERSATION_MINUTES,
            ),
            max_rss_mb=_parse_megabytes(values.get("MAX_RSS_MB", "").strip()),
            vectors=_parse_switch("CHAMBER_QA_VECTORS", values.get("CHAMBER_QA_VECTORS", "").strip()),
            usage_db=Path(db) if (db := values.get("USAGE_DB", "").strip()) else None,
            usage_days=_parse_number("USAGE_DAYS", "days", values.get("USAGE_DAYS", ""), DEFAULT_USAGE_DAYS),
            page_names=values.get("CHAMBER_QA_PAGE_NAMES", "").strip(),
            shards=tuple(s.strip() for s in values.get("XAPIAN_SHARDS", "").split(",") if s.strip()),
        )


def _read_env_file(env_file: Path | None) -> dict[str, str]:
    """Return the non-empty assignments of a dotenv file, or nothing when there is none."""
    if env_file is None or not env_file.is_file():
        return {}
    return {key: value for key, value in dotenv_values(env_file).items() if value}


def _parse_ids(name: str, text: str) -> frozenset[int]:
    """Parse a comma- or space-separated list of Telegram ids."""
    parts = [part for part in re.split(r"[,\s]+", text) if part]
    if not all(re.fullmatch(r"-?\d+", part) for part in parts):
        raise BotConfigError(f"{name} must be a comma-separated list of numeric ids, got {text!r}.")
    return frozenset(int(part) for part in parts)


def _parse_switch(name: str, text: str) -> bool:
    """Parse an on/off setting the way the CLI reads its flags' variables (1/0, true/false, yes/no,
    on/off); empty means on."""
    value = text.lower()
    if value in ("", "1", "true", "yes", "on", "y", "t"):
        return True
    if value in ("0", "false", "no", "off", "n", "f"):
        return False
    raise BotConfigError(f"{name} must be 1 or 0 (true or false), got {text!r}.")


def _parse_port(text: str) -> int:
    """Parse a TCP port number."""
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise BotConfigError(f"WEBHOOK_PORT must be a port number (1-65535), got {text!r}.")
    return int(text)


def _parse_megabytes(text: str) -> int | None:
    """Parse MAX_RSS_MB: a whole number of megabytes >= 0, or None when empty."""
    if not text:
        return None
    if not text.isdigit():
        raise BotConfigError(
            f"MAX_RSS_MB must be a whole number of megabytes (0 turns it off), got {text!r}."
        )
    return int(text)


def _parse_number(name: str, unit: str, text: str, default: float) -> float:
    """Parse a number setting (the default when empty); BotSettings checks the range."""
    text = text.strip()
    try:
        return float(text) if text else default
    except ValueError:
        raise BotConfigError(f"{name} must be a number of {unit}, got {text!r}.") from None
