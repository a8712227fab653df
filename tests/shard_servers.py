"""Shard servers for the tests: xapian-tcpsrv on 127.0.0.1, each in its own process group, stopped and
started again as a machine going down and coming back."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def needed(program: str) -> str:
    """The path of one of Xapian's servers, or the test skipped saying why (``make test`` installs them
    where it runs as root, as CI does)."""
    found = shutil.which(program)
    if found is None:
        pytest.skip(f"{program} not installed (Debian package xapian-tools)")
    return found


def wait_for_port(port: int, seconds: float = 10) -> None:
    """Wait until a server listens on 127.0.0.1:port."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port}")


class Server:
    """xapian-tcpsrv serving one shard folder on 127.0.0.1, stopped and started at will."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.port = folder, free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        binary = needed("xapian-tcpsrv")
        args = [binary, "--port", str(self.port), "--interface", "127.0.0.1", str(self.folder)]
        # Its own process group: xapian-tcpsrv forks a child per connection, and a machine that goes
        # down takes those with it.
        self.process = subprocess.Popen(
            args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        wait_for_port(self.port)

    def stop(self) -> None:
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(5)
            self.process = None
