"""The bot under load, as benchmarks/load.py drives it: the Bot API emulator (emulator/) timing each reply
as it arrives, and the product's ``python -m bot`` run as a process of its own against that emulator."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from emulator import BotApiEmulator

TOKEN = "7012345678:AAFakeTokenForTheLoadBench_0123456"  # shaped like a real one; the emulator's only
START_TIMEOUT_S = 600.0  # the bot opens the archive before its first getUpdates
REPLY_TIMEOUT_S = 120.0
LISTEN_BACKLOG = 1024


class TimedEmulator(BotApiEmulator):
    """The emulator, noting when the bot's reply to each chat arrives (in the HTTP thread, on receipt).

    A user has one question out at a time, so the next message the bot sends to the user's private chat
    is the reply to it (private replies do not quote the question, so they carry no reply id to match).
    """

    def __init__(self, token: str, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(token)
        self._loop = loop
        self._waiting: dict[int, asyncio.Future[tuple[float, str]]] = {}

    def start(self) -> TimedEmulator:
        """Serve as the emulator does, with a listen backlog for many connections at once."""
        super().start()
        # socketserver listens with a backlog of 5, and the emulator answers each request on a new
        # connection (HTTP/1.0): 50 users' requests at once would overflow it and wait for TCP's SYN
        # retries (1 s, then 3 s), which real Telegram never makes a bot wait for.
        self._server.socket.listen(LISTEN_BACKLOG)  # type: ignore[union-attr]
        return self

    def handle(self, path: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """Answer a Bot API request; an accepted sendMessage resolves the user waiting in that chat."""
        status, payload = super().handle(path, params)
        if status == 200 and re.search(r"/sendmessage$", path, re.IGNORECASE):
            at = time.perf_counter()  # before handing over to the event loop: its delay is not the bot's
            reply = (at, payload["result"]["text"])
            self._loop.call_soon_threadsafe(self._resolve, int(params["chat_id"]), reply)
        return status, payload

    def _resolve(self, chat_id: int, reply: tuple[float, str]) -> None:
        waiter = self._waiting.pop(chat_id, None)
        if waiter is not None and not waiter.done():
            waiter.set_result(reply)

    async def ask(
        self, user_id: int, question: str, timeout: float = REPLY_TIMEOUT_S
    ) -> tuple[float, str] | None:
        """Send a private message; return (seconds until the bot's reply, its text), None on timeout."""
        waiter: asyncio.Future[tuple[float, str]] = self._loop.create_future()
        self._waiting[user_id] = waiter
        user = self.user(user_id)
        sent = time.perf_counter()
        self.send_text(self.private_chat(user), user, question)
        try:
            at, text = await asyncio.wait_for(waiter, timeout)
        except TimeoutError:
            self._waiting.pop(user_id, None)
            return None
        return at - sent, text


@contextlib.asynccontextmanager
async def bot_process(run: Path, emulator: BotApiEmulator) -> AsyncIterator[asyncio.subprocess.Process]:
    """Run `python -m bot` in `run` against the emulator until the block ends; wait for its first poll."""
    env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG", "TMPDIR") if key in os.environ}
    env |= {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_BASE_URL": emulator.base_url}
    with (run / "bot.log").open("ab") as log:  # run has no .env: nothing but these settings applies
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", cwd=run, env=env, stdout=log, stderr=log
        )
        try:
            await emulator.wait_until(
                lambda: process.returncode is not None or bool(emulator.calls_to("getUpdates")),
                START_TIMEOUT_S,
                "the bot's first getUpdates",
            )
            if process.returncode is not None:
                raise RuntimeError(f"the bot exited with {process.returncode}; see {run / 'bot.log'}")
            yield process
        finally:
            await _stop(process)


async def _stop(process: asyncio.subprocess.Process) -> None:
    """Interrupt the bot as Ctrl-C would and wait for it; kill it if it hangs."""
    if process.returncode is None:
        process.send_signal(signal.SIGINT)
        try:
            await asyncio.wait_for(process.wait(), 30)
        except TimeoutError:
            process.kill()
            await process.wait()
