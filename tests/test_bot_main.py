"""`python -m bot`: refuses to start without a token; serves Telegram until interrupted."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from bot.__main__ import main
from emulator import BotApiEmulator

pytest_plugins = ["conftest_bot"]
SEEDS_DIR = Path(__file__).resolve().parent.parent / "seeds"


def test_without_token_says_how_to_set_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.chdir(tmp_path)  # no .env here
    assert main() == 2
    assert "TELEGRAM_BOT_TOKEN is not set" in capsys.readouterr().err


# The three ways to start the bot: `python -m bot`, `chamber-qa bot`, and the README's `chamber-qa run`.
CLI = str(Path(sys.executable).with_name("chamber-qa"))
STARTS = {"python -m bot": [sys.executable, "-m", "bot"], "bot": [CLI, "bot"], "run": [CLI, "run"]}


def test_cli_bot_without_token_is_a_clear_error(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    done = subprocess.run([CLI, "bot"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr.startswith("Error: TELEGRAM_BOT_TOKEN") and "Traceback" not in done.stderr


@pytest.mark.parametrize("start", STARTS.values(), ids=STARTS.keys())
async def test_bot_serves_until_interrupted(
    start: list[str], emulator: BotApiEmulator, bot_token: str, tmp_path: Path
) -> None:
    shutil.copytree(SEEDS_DIR, tmp_path / "seeds")
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": bot_token, "TELEGRAM_BASE_URL": emulator.base_url}
    process = await asyncio.create_subprocess_exec(
        *start, cwd=tmp_path, env=env, stderr=asyncio.subprocess.PIPE
    )
    try:
        await emulator.wait_for("deleteWebhook", timeout=60)  # polling starts next; the index is built first
        user = emulator.user(101)
        emulator.send_text(emulator.private_chat(user), user, "长葛市工商联举办了哪些培训？")
        reply = await emulator.wait_for("sendMessage")
    finally:
        process.send_signal(signal.SIGINT)
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    text = reply.response["result"]["text"]
    assert re.search(r"第\d+段", text) or text.startswith("档案里没有找到")
    assert process.returncode == 0
    assert "Serving" in stderr.decode() and bot_token not in stderr.decode()
    assert {c.params.get("language_code", "") for c in emulator.calls_to("setMyCommands")} == {"", "en"}
