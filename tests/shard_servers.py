"""Shard servers for the tests: xapian-tcpsrv on 127.0.0.1, each in its own process group, stopped and
started again as a machine going down and coming back."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

from benchmarks.shard_engines import free_port, start_server


def needed(program: str) -> str:
    """The path of one of Xapian's servers, or the test skipped saying why (``make test`` installs them
    where it runs as root, as CI does)."""
    found = shutil.which(program)
    if found is None:
        pytest.skip(f"{program} not installed (Debian package xapian-tools)")
    return found


class Server:
    """xapian-tcpsrv serving one shard folder on 127.0.0.1, stopped and started at will."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.port = folder, free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        # Stopped with its process group: a machine that goes down takes the connection handlers along.
        self.process = start_server(needed("xapian-tcpsrv"), self.folder, self.port)

    def stop(self) -> None:
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(5)
            self.process = None
