"""Files users send the bot: stored bytes behind a file_id, getFile, and the download URL's content.

Telegram's download link is `<base_file_url><token>/<file_path>`; PTB composes it from the bot's
base_file_url (…/file/bot), its token and the file_path getFile returns.
"""

from __future__ import annotations

import itertools
import secrets
import threading
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from emulator.rules import bad_request

# telegram-bot-api's MAX_DOWNLOAD_FILE_SIZE (20 << 20 bytes): getFile refuses anything bigger.
MAX_DOWNLOAD_BYTES = 20 << 20


@dataclass(frozen=True)
class StoredFile:
    """One file Telegram keeps: its ids, where getFile says it lies, and its bytes."""

    file_id: str
    file_unique_id: str
    file_path: str
    content: bytes

    def as_json(self, *, with_path: bool = True) -> dict[str, Any]:
        """Return the File object (or, without the path, the ids and size a message carries)."""
        found: dict[str, Any] = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.content),
        }
        return found | ({"file_path": self.file_path} if with_path else {})


class FileStore:
    """The files of a test's Telegram, by file_id and by file_path; safe across server threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._numbers = itertools.count()
        self._by_id: dict[str, StoredFile] = {}
        self._by_path: dict[str, StoredFile] = {}

    def add(self, content: bytes, folder: str = "documents", file_name: str = "") -> StoredFile:
        """Keep bytes under a fresh file_id (opaque, as Telegram's are) and return the stored file."""
        suffix = PurePosixPath(file_name).suffix
        with self._lock:
            path = f"{folder}/file_{next(self._numbers)}{suffix}"
            stored = StoredFile(
                file_id="BQACAgUAAxkBAAI" + secrets.token_urlsafe(24),
                file_unique_id="AgAD" + secrets.token_urlsafe(9),
                file_path=path,
                content=content,
            )
            self._by_id[stored.file_id] = stored
            self._by_path[path] = stored
        return stored

    def getfile(self, params: dict[str, Any]) -> dict[str, Any]:
        """The Bot API method getFile: the File object, or Telegram's refusal."""
        with self._lock:
            stored = self._by_id.get(str(params.get("file_id") or ""))
        if stored is None:
            raise bad_request("invalid file_id")
        if len(stored.content) > MAX_DOWNLOAD_BYTES:
            raise bad_request("file is too big")
        return stored.as_json()

    def content(self, file_path: str) -> bytes | None:
        """Return the bytes served at a file_path, or None (the download answers 404); a file too big
        for getFile has no link to download."""
        with self._lock:
            stored = self._by_path.get(file_path)
        return None if stored is None or len(stored.content) > MAX_DOWNLOAD_BYTES else stored.content
