"""The emulator keeps the files users send: getFile answers as Telegram does, and the real PTB Bot
downloads the bytes from the URL the bot's settings compose."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from telegram import Bot
from telegram.error import BadRequest

from bot.settings import BotSettings
from emulator import BotApiEmulator
from emulator.files import MAX_DOWNLOAD_BYTES

TOKEN = "123:emulator-files-token"
CHAT = 101
PDF = b"%PDF-1.7\n\x00\xff\xfe binary \xe5\x95\x86\xe4\xbc\x9a\n%%EOF\n"


@pytest.fixture
def emu() -> Iterator[BotApiEmulator]:
    with BotApiEmulator(TOKEN) as emulator:
        yield emulator


def settings_for(emu: BotApiEmulator) -> BotSettings:
    return BotSettings(token=TOKEN, base_url=emu.base_url)


def ptb_bot(emu: BotApiEmulator) -> Bot:
    """The real PTB Bot, configured as the product configures it (bot/app.py)."""
    settings = settings_for(emu)
    return Bot(TOKEN, base_url=settings.base_url, base_file_url=settings.base_file_url)


def send_document(emu: BotApiEmulator, **kwargs: Any) -> dict[str, Any]:
    user = emu.user(CHAT)
    return emu.send_document(emu.private_chat(user), user, **kwargs)["message"]


def get_file(emu: BotApiEmulator, file_id: str) -> tuple[int, dict[str, Any]]:
    response = httpx.post(f"{emu.base_url}{TOKEN}/getFile", data={"file_id": file_id}, timeout=10)
    return response.status_code, response.json()


def test_the_download_url_is_the_one_the_bots_settings_compose(emu: BotApiEmulator) -> None:
    assert settings_for(emu).base_file_url == emu.base_file_url
    assert emu.base_file_url == emu.base_url.removesuffix("/bot") + "/file/bot"


async def test_a_sent_document_is_fetched_and_downloaded_by_ptb(emu: BotApiEmulator) -> None:
    message = send_document(emu, file_name="商会年报.pdf", content=PDF, caption="这份报告里有什么？")
    document = message["document"]
    assert (document["file_name"], document["mime_type"], document["file_size"]) == (
        "商会年报.pdf",
        "application/pdf",
        len(PDF),
    )
    assert message["caption"] == "这份报告里有什么？" and "file_path" not in document
    async with ptb_bot(emu) as bot:
        file = await bot.get_file(document["file_id"])
        assert (file.file_id, file.file_unique_id, file.file_size) == (
            document["file_id"],
            document["file_unique_id"],
            len(PDF),
        )
        assert file.file_path is not None
        assert file.file_path.startswith(f"{emu.base_file_url}{TOKEN}/documents/")
        assert file.file_path.endswith(".pdf")
        assert bytes(await file.download_as_bytearray()) == PDF


async def test_each_document_gets_its_own_ids_and_bytes(emu: BotApiEmulator) -> None:
    first, second = send_document(emu), send_document(emu, file_name="b.txt", content=b"second")
    assert first["document"]["file_name"] == "a.pdf"  # the default call keeps working
    assert second["document"]["mime_type"] == "text/plain"
    assert first["document"]["file_id"] != second["document"]["file_id"]
    assert first["document"]["file_unique_id"] != second["document"]["file_unique_id"]
    async with ptb_bot(emu) as bot:
        downloaded = [
            bytes(await (await bot.get_file(m["document"]["file_id"])).download_as_bytearray())
            for m in (first, second)
        ]
    assert downloaded[1] == b"second" and downloaded[0].startswith(b"%PDF")


def test_get_file_answers_the_file_object(emu: BotApiEmulator) -> None:
    document = send_document(emu, file_name="x.docx", content=b"abc")["document"]
    status, body = get_file(emu, document["file_id"])
    assert status == 200 and body["ok"] is True
    assert body["result"] == {
        "file_id": document["file_id"],
        "file_unique_id": document["file_unique_id"],
        "file_size": 3,
        "file_path": body["result"]["file_path"],
    }
    assert body["result"]["file_path"].startswith("documents/file_")


def test_get_file_refuses_unknown_ids(emu: BotApiEmulator) -> None:
    expected = {"ok": False, "error_code": 400, "description": "Bad Request: invalid file_id"}
    assert get_file(emu, "BQACAgUAAxkBAAInvented") == (400, expected)
    assert get_file(emu, "") == (400, expected)


def test_get_file_refuses_files_over_20_mb(emu: BotApiEmulator) -> None:
    fits = send_document(emu, file_name="fits.pdf", content=bytes(MAX_DOWNLOAD_BYTES))["document"]
    big = send_document(emu, file_name="big.pdf", content=bytes(MAX_DOWNLOAD_BYTES + 1))["document"]
    assert big["file_size"] == 20 * 1024 * 1024 + 1  # the message still tells the size
    assert get_file(emu, fits["file_id"])[0] == 200
    expected = {"ok": False, "error_code": 400, "description": "Bad Request: file is too big"}
    assert get_file(emu, big["file_id"]) == (400, expected)


async def test_ptb_raises_bad_request_for_a_file_too_big(emu: BotApiEmulator) -> None:
    big = send_document(emu, content=bytes(MAX_DOWNLOAD_BYTES + 1))["document"]
    async with ptb_bot(emu) as bot:
        with pytest.raises(BadRequest, match="File is too big"):
            await bot.get_file(big["file_id"])


def test_downloads_need_the_token_and_a_known_path(emu: BotApiEmulator) -> None:
    document = send_document(emu, content=b"bytes")["document"]
    path = get_file(emu, document["file_id"])[1]["result"]["file_path"]
    good = httpx.get(f"{emu.base_file_url}{TOKEN}/{path}", timeout=10)
    assert (good.status_code, good.content) == (200, b"bytes")
    not_found = {"ok": False, "error_code": 404, "description": "Not Found"}
    for url in (
        f"{emu.base_file_url}123:wrong/{path}",
        f"{emu.base_file_url}{TOKEN}/documents/file_999.pdf",
        f"{emu.base_file_url}{TOKEN}/",
    ):
        response = httpx.get(url, timeout=10)
        assert (response.status_code, json.loads(response.content)) == (404, not_found)
