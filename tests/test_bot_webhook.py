"""End to end in webhook mode: PTB's webhook server on 127.0.0.1; the test posts what Telegram would."""

from __future__ import annotations

import re
import socket
from typing import Any

import httpx

from emulator import BotApiEmulator

pytest_plugins = ["conftest_bot"]

SECRET = "s3cret-Token_for-tests"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ALICE = 101


def free_port() -> int:
    """Return a TCP port of 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_webhook_needs_the_secret_on_every_request(emulator: BotApiEmulator, start_bot: Any) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    webhook = {
        "webhook_url": url,
        "webhook_secret": SECRET,
        "webhook_listen": "127.0.0.1",
        "webhook_port": port,
    }
    async with start_bot(**webhook):
        registered = emulator.calls_to("setWebhook")[0].params
        assert (registered["url"], registered["secret_token"]) == (url, SECRET)
        user = emulator.user(ALICE)
        chat = emulator.private_chat(user)
        forged = [emulator.send_text(chat, user, f"伪造的更新 {n}") for n in range(2)]
        genuine = emulator.send_text(chat, user, "长葛市工商联举办了哪些培训？")
        async with httpx.AsyncClient(timeout=10) as client:
            missing = await client.post(url, json=forged[0])
            wrong = await client.post(url, json=forged[1], headers={SECRET_HEADER: "not-the-secret"})
            accepted = await client.post(url, json=genuine, headers={SECRET_HEADER: SECRET})
        assert (missing.status_code, wrong.status_code, accepted.status_code) == (403, 403, 200)
        reply = await emulator.wait_for("sendMessage", lambda c: int(c.params["chat_id"]) == ALICE)
    text = reply.response["result"]["text"]
    assert re.search(r"第\d+段", text) or text.startswith("档案里没有找到")
    assert len(emulator.sent_to(ALICE)) == 1
    assert emulator.calls_to("getUpdates", ok=None) == []
