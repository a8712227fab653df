"""An article continued on another page (（下转第3版） … （上接第1版）) is one article to a reader: 全文 and
/a_N show both parts, each passage still citing the page it is printed on."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from chamber_qa.cli import cli
from emulator import BotApiEmulator
from retrieval import Archive, Settings

pytest_plugins = ["conftest_bot"]

PAGES = Path(__file__).resolve().parent / "pages"
SIDECAR = 'paper = "许昌日报"\ndate = "2021-09-03"\npage_number = "{n}"\n'


def folder_of(tmp_path: Path, first_date: str = "2021-09-03") -> Path:
    """Page 1 (an article going on to page 3) and page 3 (its continuation), with their sidecars."""
    folder = tmp_path / "pages"
    folder.mkdir()
    shutil.copy(PAGES / "11_jump_out.txt", folder / "p1.txt")
    shutil.copy(PAGES / "12_jump_in.txt", folder / "p3.txt")
    (folder / "p1.toml").write_text(SIDECAR.format(n=1).replace("2021-09-03", first_date), encoding="utf-8")
    (folder / "p3.toml").write_text(SIDECAR.format(n=3), encoding="utf-8")
    return folder


def archive_of(folder: Path) -> Archive:
    return Archive.open(Settings(seeds_dir=folder, index_dir=folder.parent / "index", vectors=False))


async def first_reply(
    emulator: BotApiEmulator, start_bot: Any, archive: Archive, user: int, text: str
) -> str:
    """Send one private message to the bot over the archive and return the text of its first reply."""
    person = emulator.user(user)
    async with start_bot(archive):
        emulator.send_text(emulator.private_chat(person), person, text)
        await emulator.wait_until(lambda: bool(emulator.sent_to(user)))
    return emulator.sent_to(user)[0].response["result"]["text"]


def test_the_two_parts_read_as_one_article(tmp_path: Path) -> None:
    archive = archive_of(folder_of(tmp_path))
    first, other, rest, _ = archive.articles
    whole = archive.whole(first)
    text = "".join(p.text for p in whole.paragraphs)
    assert "会议指出" in text and "会议要求" in text and "下转" not in text and "上接" not in text
    assert whole.title == first.title and whole.source == "p1.txt + p3.txt"
    assert archive.whole(rest) == whole, "from either part"
    assert archive.whole(other) == other, "an article that does not jump stays as it is"
    hit = archive.ask("会议要求各级干部要深入企业听取企业诉求").hits[0]
    assert (hit.chunk.source, hit.chunk.page) == ("p3.txt", "3"), "a passage cites the page it is on"


def test_the_lists_show_a_continued_article_once_whole(tmp_path: Path) -> None:
    archive = archive_of(folder_of(tmp_path))
    first, other, _, photo = archive.articles
    listed = list(archive.listing())
    assert [n for n, _ in listed] == [1, 2, 4], "the part on page 3 is listed with its first part"
    assert listed[0][1] == archive.whole(first) and listed[1][1] == other and listed[2][1] == photo
    assert archive.listed_count == 3


def test_articles_command_lists_the_whole_article_once(tmp_path: Path) -> None:
    folder = folder_of(tmp_path)
    archive_of(folder)
    where = ["--seeds", str(folder), "--index-dir", str(folder.parent / "index"), "--no-vectors"]
    result = CliRunner().invoke(cli, ["articles", "--json", *where])
    assert result.exit_code == 0, result.output
    items = [json.loads(line) for line in result.output.splitlines()]
    assert len(items) == 3 and items[0]["source"] == "p1.txt + p3.txt"
    text = "".join(items[0]["paragraphs"])
    assert "会议指出" in text and "会议要求" in text and "上接" not in text


def test_parts_of_different_issues_are_not_joined(tmp_path: Path) -> None:
    archive = archive_of(folder_of(tmp_path, first_date="2021-09-02"))
    first = archive.articles[0]
    assert archive.whole(first) == first


async def test_articles_in_the_bot_lists_the_continued_article_once(
    tmp_path: Path, emulator: BotApiEmulator, start_bot: Any
) -> None:
    text = await first_reply(emulator, start_bot, archive_of(folder_of(tmp_path)), 302, "/articles")
    assert re.findall(r"^/a_(\d+)", text, re.MULTILINE) == ["1", "2", "4"]


async def test_full_text_in_the_bot_shows_both_parts(
    tmp_path: Path, emulator: BotApiEmulator, start_bot: Any
) -> None:
    # /a_3: the continuation, on page 3
    text = await first_reply(emulator, start_bot, archive_of(folder_of(tmp_path)), 301, "/a_3")
    assert "会议指出" in text and "会议要求" in text and text.startswith("全市“万人助企”活动推进会召开")
