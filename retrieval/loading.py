"""Tables loaded once per process and shared by every thread (jieba's dictionary, its tags, Cilin,
CC-CEDICT): a server warms them in the background while a first question may already want one."""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import cache, wraps
from typing import Generic, TypeVar

T = TypeVar("T")


class LoadOnce(Generic[T]):
    """A loader called at most once: the first caller loads the table, a caller meanwhile waits for that
    table rather than building a second one (functools.cache alone would let both build it), later
    callers get it at once."""

    def __init__(self, load: Callable[[], T]) -> None:
        self._load = cache(load)
        self._lock = threading.Lock()
        wraps(load)(self)

    def __call__(self) -> T:
        with self._lock:
            return self._load()

    def cache_clear(self) -> None:
        """Forget the table (tests)."""
        self._load.cache_clear()


def load_once(load: Callable[[], T]) -> LoadOnce[T]:
    """Decorate a table's loader so that it runs once per process, whichever thread asks first."""
    return LoadOnce(load)
