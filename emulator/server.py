"""A Bot API emulator on 127.0.0.1 for end-to-end tests: the real PTB Application talks HTTP to it.

It serves /bot<token>/<method> and file downloads at /file/bot<token>/<file_path>, records every call,
lets a test inject updates (inject.py), refuses what Telegram refuses (see rules.py), and can answer 500
or 429 for the next N calls. Long polling honours `offset` and `timeout`.
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

from emulator.api import JSON, TelegramState
from emulator.inject import UpdateInjector
from emulator.rules import ApiError
from emulator.wire import parse_params

ERROR_DESCRIPTIONS = {500: "Internal Server Error", 502: "Bad Gateway"}


@dataclass(frozen=True)
class Call:
    """One request the bot made, and what the emulator answered."""

    method: str
    params: JSON
    status: int
    response: JSON

    @property
    def ok(self) -> bool:
        """Tell whether Telegram accepted the call."""
        return self.status == 200


@dataclass
class _Failure:
    status: int
    retry_after: int | None
    methods: frozenset[str] | None  # lower-case method names, None for any
    remaining: int


class BotApiEmulator(UpdateInjector):
    """The test's Telegram: start() it, point TELEGRAM_BASE_URL at base_url, inject, then assert."""

    def __init__(self, token: str, username: str = "chamber_qa_bot", bot_id: int = 5_000_001) -> None:
        self.token = token
        self.telegram = TelegramState(bot_id, username)
        self.calls: list[Call] = []
        self._failures: list[_Failure] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    # --- lifecycle ---------------------------------------------------------------------------

    def start(self) -> BotApiEmulator:
        """Serve on a random free port of 127.0.0.1 in a background thread."""
        handler = type("Handler", (_Handler,), {"emulator": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._server.block_on_close = False
        serve = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        serve.start()
        return self

    def stop(self) -> None:
        """Wake pending long polls and stop serving."""
        self.telegram.close()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> BotApiEmulator:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """The value for TELEGRAM_BASE_URL (PTB appends the token)."""
        assert self._server is not None, "start() the emulator first"
        return f"http://127.0.0.1:{self._server.server_address[1]}/bot"

    @property
    def base_file_url(self) -> str:
        """Where files are downloaded from: `<base_file_url><token>/<file_path>` (as BotSettings derives
        it from base_url: …/bot -> …/file/bot)."""
        return self.base_url.removesuffix("/bot") + "/file/bot"

    @property
    def bot_user(self) -> JSON:
        """The bot's own User object, as getMe returns it."""
        return self.telegram.bot_user

    # --- faults ------------------------------------------------------------------------------

    def fail_next(
        self, n: int, status: int = 500, retry_after: int | None = None, methods: set[str] | None = None
    ) -> None:
        """Answer the next n calls (of `methods`, or any) with `status`, as Telegram does when in trouble."""
        wanted = frozenset(m.lower() for m in methods) if methods else None
        with self._lock:
            self._failures.append(_Failure(status, retry_after, wanted, n))

    def _take_failure(self, method: str) -> ApiError | None:
        with self._lock:
            for failure in self._failures:
                if failure.remaining and (failure.methods is None or method.lower() in failure.methods):
                    failure.remaining -= 1
                    if failure.status == 429:
                        after = failure.retry_after or 1
                        params = {"retry_after": after}
                        return ApiError(429, f"Too Many Requests: retry after {after}", params)
                    return ApiError(
                        failure.status, ERROR_DESCRIPTIONS.get(failure.status, "Internal Server Error")
                    )
        return None

    # --- the HTTP side -----------------------------------------------------------------------

    def handle(self, path: str, params: JSON) -> tuple[int, JSON]:
        """Answer one Bot API request and record it."""
        match = re.fullmatch(r"/bot([^/]+)/(\w+)", path)
        if match is None:
            return 404, ApiError(404, "Not Found").payload()
        token, method = match[1], match[2]
        try:
            if token != self.token:
                raise ApiError(401, "Unauthorized")
            if failure := self._take_failure(method):
                raise failure
            api = self.telegram.methods().get(method.lower())
            if api is None:
                raise ApiError(404, "Not Found: method not found")
            status, payload = 200, {"ok": True, "result": api(params)}
        except ApiError as error:
            status, payload = error.code, error.payload()
        with self._lock:
            self.calls.append(Call(method, params, status, payload))
        return status, payload

    # --- inspection and waiting ---------------------------------------------------------------

    def message(self, chat_id: int, message_id: int) -> JSON:
        """Return a stored message as Telegram has it now."""
        return self.telegram.messages[chat_id, message_id]

    def callback_answer(self, query_id: str) -> JSON | None:
        """Return what the bot answered a callback query with (text, show_alert, url, cache_time as
        sent), or None if it has not answered it."""
        with self.telegram.cond:
            return self.telegram.callback_answers.get(str(query_id))

    def file_content(self, path: str) -> bytes | None:
        """Return the bytes a download URL path (/file/bot<token>/<file_path>) serves, or None."""
        match = re.fullmatch(r"/file/bot([^/]+)/(.+)", unquote(path))
        if match is None or match[1] != self.token:
            return None
        return self.telegram.files.content(match[2])

    def calls_to(self, method: str, *, ok: bool | None = True) -> list[Call]:
        """Return the calls of one method (accepted ones by default; ok=None for all)."""
        with self._lock:
            return [
                c for c in self.calls if c.method.lower() == method.lower() and (ok is None or c.ok == ok)
            ]

    def sent_to(self, chat_id: int) -> list[Call]:
        """Return the accepted sendMessage calls to one chat, in order."""
        return [c for c in self.calls_to("sendMessage") if int(c.params["chat_id"]) == chat_id]

    async def wait_for(
        self, method: str, where: Callable[[Call], bool] | None = None, timeout: float = 10
    ) -> Call:
        """Wait for an accepted call of `method` matching `where`; fail the test after `timeout`."""
        found: list[Call] = []

        def seen() -> bool:
            found[:] = [c for c in self.calls_to(method) if where is None or where(c)]
            return bool(found)

        await self.wait_until(seen, timeout, f"no accepted {method} call matching the condition")
        return found[0]

    async def wait_until(self, condition: Callable[[], bool], timeout: float = 10, what: str = "") -> None:
        """Poll a condition every 10 ms until it holds; fail with the recorded calls after `timeout`."""
        deadline = asyncio.get_running_loop().time() + timeout
        while not condition():
            if asyncio.get_running_loop().time() > deadline:
                summary = [(c.method, c.status) for c in self.calls if c.method != "getUpdates"]
                raise AssertionError(f"{what or 'condition'} not met within {timeout}s; calls: {summary}")
            await asyncio.sleep(0.01)


class _Handler(BaseHTTPRequestHandler):
    """Route HTTP requests to the emulator; quiet, JSON in and out."""

    emulator: BotApiEmulator

    def do_GET(self) -> None:
        if self.path.startswith("/file/"):
            self._serve_file()
        else:
            self._serve()

    def do_POST(self) -> None:
        self._serve()

    def _serve_file(self) -> None:
        content = self.emulator.file_content(urlsplit(self.path).path)
        if content is None:
            self._reply(404, "application/json", json.dumps(ApiError(404, "Not Found").payload()).encode())
        else:
            self._reply(200, "application/octet-stream", content)

    def _serve(self) -> None:
        url = urlsplit(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            params = parse_params(self.headers.get("Content-Type", ""), body, url.query)
        except ApiError as error:
            status, payload = error.code, error.payload()
        except ValueError as error:  # malformed JSON in a parameter
            status, payload = 400, ApiError(400, f"Bad Request: {error}").payload()
        else:
            status, payload = self.emulator.handle(url.path, params)
        self._reply(status, "application/json", json.dumps(payload, ensure_ascii=False).encode())

    def _reply(self, status: int, content_type: str, data: bytes) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):  # the bot gave up on a long poll
            pass

    def log_message(self, format: str, *args: Any) -> None:
        """Keep the test output clean (and the token out of stderr)."""
