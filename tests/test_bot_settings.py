"""Bot settings from the environment and .env, token redaction in logs, and the bot's imports."""

from __future__ import annotations

import ast
import logging
import re
from pathlib import Path

import pytest

import retrieval
from bot import app
from bot.logs import REDACTED, TokenRedactor, protect_token
from bot.settings import TELEGRAM_API_URL, BotConfigError, BotSettings, TokenMissing
from retrieval import Settings

TOKEN = "7012345678:AAFakeTokenForTests_dontLOG-me-0123"
BOT_DIR = Path(__file__).resolve().parent.parent / "bot"
FACADE = {
    "Archive",
    "Conversation",
    "ArchiveStats",
    "Settings",
    "Answer",
    "Hit",
    "Chunk",
    "Article",
    "is_english",
    "current_snapshot_id",
    "unstated_note",
    "add_pages",
    "PAGE_SUFFIXES",
    "Doubt",
}


def test_from_env_reads_every_variable() -> None:
    env = {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_BASE_URL": "http://127.0.0.1:8081/bot",
        "ALLOWED_CHAT_IDS": "101, -100200 300",
        "ADMIN_USER_IDS": "900",
        "WEBHOOK_URL": "https://bot.example.org/telegram/hook",
        "WEBHOOK_SECRET": "s3cret_-X",
        "WEBHOOK_LISTEN": "0.0.0.0",
        "WEBHOOK_PORT": "8080",
        "INDEX_POLL_SECONDS": "5",
        "MAX_RSS_MB": "2048",
    }
    settings = BotSettings.from_env(env, env_file=None)
    assert settings == BotSettings(
        token=TOKEN,
        base_url="http://127.0.0.1:8081/bot",
        allowed_chat_ids=frozenset({101, -100200, 300}),
        admin_user_ids=frozenset({900}),
        webhook_url="https://bot.example.org/telegram/hook",
        webhook_secret="s3cret_-X",
        webhook_listen="0.0.0.0",
        webhook_port=8080,
        index_poll_seconds=5.0,
        max_rss_mb=2048,
    )
    assert (settings.base_file_url, settings.webhook_path) == (
        "http://127.0.0.1:8081/file/bot",
        "telegram/hook",
    )


def test_from_env_defaults() -> None:
    settings = BotSettings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN}, env_file=None)
    assert (settings.base_url, settings.allowed_chat_ids, settings.webhook_url) == (
        TELEGRAM_API_URL,
        None,
        None,
    )
    assert settings.base_file_url == "https://api.telegram.org/file/bot"
    assert settings.max_rss_mb is None  # retrieval's default applies


def test_environment_overrides_dotenv_file(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(f"TELEGRAM_BOT_TOKEN={TOKEN}\nADMIN_USER_IDS=1,2\nALLOWED_CHAT_IDS=5\n")
    settings = BotSettings.from_env({"ADMIN_USER_IDS": "3"}, env_file=env_file)
    assert (settings.token, settings.admin_user_ids, settings.allowed_chat_ids) == (TOKEN, {3}, {5})


def test_missing_token_is_its_own_error() -> None:
    with pytest.raises(TokenMissing, match="TELEGRAM_BOT_TOKEN"):
        BotSettings.from_env({}, env_file=None)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"WEBHOOK_URL": "https://x.org/hook"}, "WEBHOOK_SECRET"),
        ({"WEBHOOK_URL": "https://x.org/hook", "WEBHOOK_SECRET": "no spaces!"}, "WEBHOOK_SECRET"),
        ({"ALLOWED_CHAT_IDS": "101,abc"}, "ALLOWED_CHAT_IDS"),
        ({"WEBHOOK_PORT": "99999"}, "WEBHOOK_PORT"),
        ({"MAX_RSS_MB": "1.5GB"}, "MAX_RSS_MB"),
        ({"MAX_RSS_MB": "-1"}, "MAX_RSS_MB"),
    ],
)
def test_malformed_settings_name_the_variable(env: dict[str, str], message: str) -> None:
    with pytest.raises(BotConfigError, match=message):
        BotSettings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN, **env}, env_file=None)


def test_allowlist_lets_admins_and_listed_chats_in() -> None:
    settings = BotSettings(token=TOKEN, allowed_chat_ids=frozenset({101}), admin_user_ids=frozenset({900}))
    assert settings.is_allowed(101, 5) and settings.is_allowed(-7, 900) and settings.is_allowed(None, 101)
    assert not settings.is_allowed(102, 102) and not settings.is_allowed(None, 5)
    assert BotSettings(token=TOKEN).is_allowed(102, 102)


def test_env_example_documents_every_variable() -> None:
    documented = (BOT_DIR.parent / ".env.example").read_text()
    source = (BOT_DIR / "settings.py").read_text()
    for name in sorted(set(re.findall(r'"([A-Z][A-Z_]+)"', source))):
        assert f"{name}=" in documented, name


# --- logs ------------------------------------------------------------------------------------


def record(msg: str, *args: object, exc: BaseException | None = None) -> logging.LogRecord:
    exc_info = (type(exc), exc, exc.__traceback__) if exc else None
    return logging.LogRecord("httpx", logging.INFO, __file__, 1, msg, args, exc_info)


def test_redactor_cleans_message_arguments_and_traceback() -> None:
    try:
        raise RuntimeError(f"POST http://127.0.0.1/bot{TOKEN}/getMe failed")
    except RuntimeError as error:
        rec = record("HTTP Request: %s %s", "POST", f"http://x/bot{TOKEN}/sendMessage", exc=error)
    assert TokenRedactor(TOKEN).filter(rec)
    text = logging.Formatter().format(rec)
    assert TOKEN not in text and text.count(REDACTED) == 2 and "RuntimeError" in text


class ListHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


def test_protect_token_filters_root_handlers_and_quiets_httpx() -> None:
    root, handler = logging.getLogger(), ListHandler()
    root.addHandler(handler)
    try:
        protect_token(TOKEN)
        protect_token(TOKEN)  # idempotent
        logging.getLogger("telegram.Bot").warning("Set Bot API URL: http://x/bot%s", TOKEN)
        assert handler.lines == [f"Set Bot API URL: http://x/bot{REDACTED}"]
        assert sum(isinstance(f, TokenRedactor) for f in handler.filters) == 1
        assert logging.getLogger("httpx").level == logging.WARNING
    finally:
        root.removeHandler(handler)


# --- layout ------------------------------------------------------------------------------------


def test_bot_imports_only_the_retrieval_facade() -> None:
    for path in BOT_DIR.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("retrieval"):
                assert node.module == "retrieval", f"{path.name} imports {node.module}"
                assert {alias.name for alias in node.names} <= FACADE, path.name
            if isinstance(node, ast.Import):
                assert all(a.name == "retrieval" or not a.name.startswith("retrieval.") for a in node.names)
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "retrieval"
            ):
                assert node.attr in FACADE, f"{path.name} uses retrieval.{node.attr}"


def settings_the_bot_opens(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, env: dict[str, str]) -> Settings:
    """The retrieval Settings ``app.run`` opens the archive with, given these variables."""
    opened: list[Settings] = []

    def open_archive(settings: Settings, **_: object) -> None:
        opened.append(settings)
        raise SystemExit  # stop before serving

    monkeypatch.setattr(retrieval.Archive, "open", open_archive)
    base = Settings(seeds_dir=tmp_path, index_dir=tmp_path / "index")
    with pytest.raises(SystemExit):
        app.run(base, BotSettings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN, **env}, env_file=None))
    return opened.pop()


def test_max_rss_mb_reaches_the_archive(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert settings_the_bot_opens(monkeypatch, tmp_path, {"MAX_RSS_MB": "300"}).max_rss_mb == 300
    assert settings_the_bot_opens(monkeypatch, tmp_path, {}).max_rss_mb == Settings().max_rss_mb


def test_the_semantic_signal_setting_reaches_the_archive(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for env, want in (
        ({"CHAMBER_QA_VECTORS": "0"}, False),
        ({"CHAMBER_QA_VECTORS": "true"}, True),
        ({}, True),
    ):
        assert settings_the_bot_opens(monkeypatch, tmp_path, env).vectors is want
    with pytest.raises(BotConfigError, match="CHAMBER_QA_VECTORS must be 1 or 0"):
        BotSettings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN, "CHAMBER_QA_VECTORS": "maybe"}, env_file=None)


def test_the_page_name_pattern_reaches_the_archive_and_a_bad_one_is_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    pattern = r"(?P<paper>[a-z]+)-(?P<date>\d{8})-(?P<page>\d+)"
    assert (
        settings_the_bot_opens(monkeypatch, tmp_path, {"CHAMBER_QA_PAGE_NAMES": pattern}).page_names
        == pattern
    )
    assert settings_the_bot_opens(monkeypatch, tmp_path, {}).page_names == ""
    with pytest.raises(BotConfigError, match="CHAMBER_QA_PAGE_NAMES"):
        BotSettings.from_env(
            {"TELEGRAM_BOT_TOKEN": TOKEN, "CHAMBER_QA_PAGE_NAMES": "(no groups"}, env_file=None
        )


def test_the_shards_setting_reaches_the_archive(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """XAPIAN_SHARDS (environment or .env) makes `python -m bot` answer from the shards it names."""
    opened = settings_the_bot_opens(
        monkeypatch, tmp_path, {"XAPIAN_SHARDS": " 10.0.0.5:33330, 10.0.0.6:33330 "}
    )
    assert opened.shards == ("10.0.0.5:33330", "10.0.0.6:33330")
    assert settings_the_bot_opens(monkeypatch, tmp_path, {}).shards == ()
