"""End to end over the emulator, as the bot's users meet it: quiet groups (only the asker pages, 全文 goes
to the asker in private), buttons that outlive a restart, 👍/👎 counted by /stats, a greeting when added
to a group, photo captions in groups, and an admin's page file joining the archive."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from pdf_pages import draw_scan, front_page

from bot.buttons import results_changed
from bot.callbacks import Full, decode
from emulator import BotApiEmulator, Call
from replies import words
from replies.controls import EN_CONTROLS, ZH_CONTROLS
from retrieval import Answer, Archive, Chunk, Hit, Settings
from usage import AskLog, Shown

pytest_plugins = ["conftest_bot"]

ROOT = Path(__file__).resolve().parent.parent
QUESTION = "长葛市工商联举办了哪些培训？"
GROUP_ID = -100_400
ALICE, BOB, ADMIN = 201, 202, 203


def shown(call: Call) -> str:
    return call.response["result"]["text"]


def buttons(call: Call) -> dict[str, str]:
    rows = (call.params.get("reply_markup") or {}).get("inline_keyboard", [])
    return {b["text"]: b["callback_data"] for row in rows for b in row}


def toasts(emulator: BotApiEmulator) -> list[str | None]:
    return [c.params.get("text") for c in emulator.calls_to("answerCallbackQuery")]


async def reply_to(emulator: BotApiEmulator, chat: dict[str, Any], user: dict[str, Any], text: str) -> Call:
    """Send a message and wait for the bot's reply to it."""
    sent = emulator.send_text(chat, user, text)["message"]
    return await emulator.wait_for(
        "sendMessage",
        lambda c: (
            int(c.params["chat_id"]) == chat["id"] and c.response["result"]["message_id"] > sent["message_id"]
        ),
    )


async def test_in_a_group_only_the_asker_pages_or_opens_an_answer(
    emulator: BotApiEmulator, start_bot: Any
) -> None:
    group = emulator.group_chat(GROUP_ID)
    alice, bob = emulator.user(ALICE), emulator.user(BOB, language_code="en")
    async with start_bot():
        answer = await reply_to(emulator, group, alice, f"/ask {QUESTION}")
        message = answer.response["result"]
        for label in ("更多 ›", "全文"):
            emulator.press_button(message, buttons(answer)[label], bob)
        await emulator.wait_until(lambda: len(toasts(emulator)) == 2)
        assert toasts(emulator) == [EN_CONTROLS.asker_only] * 2, "told in their own language"
        assert emulator.calls_to("editMessageText") == [] and len(emulator.sent_to(GROUP_ID)) == 1
        emulator.press_button(message, buttons(answer)["更多 ›"], alice)
        edit = await emulator.wait_for("editMessageText")
        assert "原文 2/" in shown(edit)


async def test_full_in_a_group_goes_to_the_asker_in_private(
    emulator: BotApiEmulator, start_bot: Any, archive: Archive
) -> None:
    group, alice = emulator.group_chat(GROUP_ID), emulator.user(ALICE)
    article = archive.article(archive.ask(QUESTION).hits[0].chunk.article_id)
    assert article is not None
    async with start_bot():
        answer = await reply_to(emulator, group, alice, f"/ask {QUESTION}")
        full = buttons(answer)["全文"]
        # Alice never opened a private chat: Telegram lets the bot answer the press with a link that does.
        emulator.press_button(answer.response["result"], full, alice)
        link = await emulator.wait_for("answerCallbackQuery", lambda c: "url" in c.params)
        payload = decode(full)
        assert isinstance(payload, Full)
        start = f"full_{payload.ask}_{payload.screen}"
        assert link.params["url"] == f"https://t.me/chamber_qa_bot?start={start}"
        assert len(emulator.sent_to(GROUP_ID)) == 1, "the group sees nothing more"
        # The link opens the private chat with /start <parameter>: the article is sent there.
        await reply_to(emulator, emulator.private_chat(alice), alice, f"/start {start}")
        await emulator.wait_until(
            lambda: article.headline[0] in " ".join(map(shown, emulator.sent_to(ALICE)))
        )
        # Now that Alice has a private chat, the next press sends it there directly.
        before = len(emulator.sent_to(ALICE))
        emulator.press_button(answer.response["result"], full, alice)
        await emulator.wait_until(lambda: ZH_CONTROLS.full_sent in toasts(emulator))
        assert len(emulator.sent_to(ALICE)) > before and len(emulator.sent_to(GROUP_ID)) == 1


async def test_buttons_keep_working_after_a_restart(
    emulator: BotApiEmulator, start_bot: Any, tmp_path: Path
) -> None:
    chat, alice = emulator.private_chat(emulator.user(ALICE)), emulator.user(ALICE)
    async with start_bot(usage_db=tmp_path / "usage.sqlite"):
        answer = await reply_to(emulator, chat, alice, QUESTION)
    async with start_bot(usage_db=tmp_path / "usage.sqlite"):  # a new process would read the same file
        for label in ("更多 ›", "全文"):
            emulator.press_button(answer.response["result"], buttons(answer)[label], alice)
        edit = await emulator.wait_for("editMessageText")
        await emulator.wait_until(lambda: len(emulator.sent_to(ALICE)) >= 2)
    assert "原文 2/" in shown(edit) and words.BUTTON_EXPIRED not in toasts(emulator)


async def test_feedback_is_kept_and_counted_by_stats_for_admins_only(
    emulator: BotApiEmulator, start_bot: Any, tmp_path: Path
) -> None:
    alice, admin = emulator.user(ALICE), emulator.user(ADMIN)
    chat = emulator.private_chat(alice)
    async with start_bot(usage_db=tmp_path / "usage.sqlite", admin_user_ids=frozenset({ADMIN})):
        liked = await reply_to(emulator, chat, alice, QUESTION)
        disliked = await reply_to(emulator, chat, alice, "驾驶员自助体检要多长时间？")
        await reply_to(emulator, chat, alice, "郑州市有多少家商会入选了全国“四好”商会？")
        emulator.press_button(liked.response["result"], buttons(liked)["👍"], alice)
        emulator.press_button(disliked.response["result"], buttons(disliked)["👎"], alice)
        await emulator.wait_until(lambda: toasts(emulator).count(ZH_CONTROLS.voted) == 2)
        refused = await reply_to(emulator, chat, alice, "/stats")
        assert shown(refused) == words.STATS_REFUSED
        report = shown(await reply_to(emulator, emulator.private_chat(admin), admin, "/stats"))
    assert re.search(r"提问 3 次，有答案 2 次，未找到 1 次.*👍 1 · 👎 1", report)
    assert "郑州市有多少家商会入选了全国“四好”商会？" in report.split("没找到答案")[1]
    assert "驾驶员自助体检要多长时间？" in report.split("👎 的回答")[1]
    assert str(ALICE) not in report and "Reader" not in report


async def test_being_added_to_a_group_gets_one_short_greeting(
    emulator: BotApiEmulator, start_bot: Any
) -> None:
    group = emulator.group_chat(GROUP_ID)
    async with start_bot() as application:
        emulator.add_to_group(group, emulator.user(ALICE))
        greeting = await emulator.wait_for("sendMessage", lambda c: int(c.params["chat_id"]) == GROUP_ID)
        answer = await reply_to(emulator, group, emulator.user(ALICE), f"/ask {QUESTION}")
    assert shown(greeting) == ZH_CONTROLS.greeting.format(username=application.bot.username)
    assert "/ask" in shown(greeting) and len(emulator.sent_to(GROUP_ID)) == 2, "one greeting, then answers"
    assert "原文 1/" in shown(answer)


async def test_a_photo_in_a_group_asks_when_its_caption_mentions_the_bot(
    emulator: BotApiEmulator, start_bot: Any
) -> None:
    group, alice = emulator.group_chat(GROUP_ID), emulator.user(ALICE)
    async with start_bot() as application:
        emulator.send_photo(group, alice, caption="大家看这张照片")  # chatter: left alone
        emulator.send_photo(group, alice, caption=f"@{application.bot.username} {QUESTION}")
        answer = await emulator.wait_for("sendMessage", lambda c: int(c.params["chat_id"]) == GROUP_ID)
    assert "原文 1/" in shown(answer) and len(emulator.sent_to(GROUP_ID)) == 1


PAGE = """本报讯（记者 张三）日前，许昌市青瓷产业商会在禹州市神垕镇
举办首届青瓷文化节，来自全国各地的二百余家青瓷企
业参加了展销活动。

文化节期间，商会组织了青瓷技艺展示和产销对接会，现场签约金额达三亿元。

青瓷产业商会举办首届青瓷文化节
"""


@pytest.fixture
def own_archive(tmp_path: Path) -> Archive:
    """An archive over a private copy of the seeds, which a test may add pages to."""
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    return Archive.open(Settings(seeds_dir=tmp_path / "seeds", index_dir=tmp_path / "index"))


async def test_an_admins_page_file_joins_the_archive_and_a_readers_is_refused(
    emulator: BotApiEmulator, start_bot: Any, own_archive: Archive
) -> None:
    admin, alice = emulator.user(ADMIN), emulator.user(ALICE)
    before = own_archive.stats
    async with start_bot(own_archive, admin_user_ids=frozenset({ADMIN})):
        emulator.send_document(emulator.private_chat(alice), alice, "page.txt", PAGE.encode())
        refusal = await emulator.wait_for("sendMessage", lambda c: int(c.params["chat_id"]) == ALICE)
        assert shown(refusal).startswith("只有管理员可以向档案添加版面")
        emulator.send_document(emulator.private_chat(admin), admin, "photo.jpg", b"\xff\xd8\xff\xe0")
        emulator.send_document(
            emulator.private_chat(admin), admin, "2023-05-12_05.txt", PAGE.encode("gb18030")
        )
        await emulator.wait_until(lambda: len(emulator.sent_to(ADMIN)) == 2, timeout=120)
        not_page, added = map(shown, emulator.sent_to(ADMIN))
        answer = await reply_to(
            emulator, emulator.private_chat(alice), alice, "青瓷文化节现场签约金额是多少？"
        )
        # The page is sent again with another headline: the old answer's 全文 says the article changed.
        changed = PAGE.replace("青瓷产业商会举办首届青瓷文化节", "首届青瓷文化节落幕")
        emulator.send_document(emulator.private_chat(admin), admin, "2023-05-12_05.txt", changed.encode())
        await emulator.wait_until(lambda: len(emulator.sent_to(ADMIN)) == 3, timeout=120)
        assert "已替换同名版面" in shown(emulator.sent_to(ADMIN)[2])
        emulator.press_button(answer.response["result"], buttons(answer)["全文"], alice)
        await emulator.wait_until(lambda: ZH_CONTROLS.article_changed in toasts(emulator))
    assert not_page == words.DOCUMENT_NOT_A_PAGE.format(name="photo.jpg")
    assert added.startswith("2023-05-12_05.txt：已加入档案。") and "版面 +1" in added, added
    assert (ROOT / "seeds" / "2023-05-12_05.txt").exists() is False, "into the archive's folder only"
    assert (own_archive.settings.seeds_dir / "2023-05-12_05.txt").is_file()
    assert f"现在共 {before.n_pages + 1} 个版面" in added
    assert "三亿元" in shown(answer) and "青瓷产业商会举办首届青瓷文化节" in shown(answer)


async def test_an_admins_pdf_page_joins_the_archive_and_a_scan_is_reported_by_name(
    emulator: BotApiEmulator, start_bot: Any, own_archive: Archive, tmp_path: Path
) -> None:
    admin = emulator.user(ADMIN)
    chat = emulator.private_chat(admin)
    page = front_page(tmp_path / "xcrb-20210903-05.pdf").read_bytes()
    scan = draw_scan(tmp_path / "scan.pdf").read_bytes()
    async with start_bot(own_archive, admin_user_ids=frozenset({ADMIN})):
        emulator.send_document(chat, admin, "xcrb-20210903-05.pdf", page)
        await emulator.wait_until(lambda: len(emulator.sent_to(ADMIN)) == 1, timeout=120)
        emulator.send_document(chat, admin, "scan.pdf", scan)
        await emulator.wait_until(lambda: len(emulator.sent_to(ADMIN)) == 2, timeout=120)
        added, refused = map(shown, emulator.sent_to(ADMIN))
        answer = await reply_to(emulator, chat, admin, "钧瓷商会在博览会上签约金额是多少？")
    assert added.startswith("xcrb-20210903-05.pdf：已加入档案。") and "版面 +1" in added, added
    assert refused.startswith("scan.pdf 已存入版面文件夹，但读不出可检索的文字") and "OCR" in refused
    assert "三千余万元" in shown(answer) and "禹州市钧瓷商会助力企业开拓市场" in shown(answer)


def test_paging_says_so_when_the_archive_changed_under_an_answer(tmp_path: Path) -> None:
    def hit(rank: int, article: str) -> Hit:
        chunk = Chunk(rank, article, "标题", None, 1, "p.txt", "正文。")
        return Hit(rank, 1.0, chunk, "正文。", ("正文",), ())

    log = AskLog(tmp_path / "usage.sqlite")
    ask = log.record("问题", "问题", answered=True, kind="", chat_type="private", lang="zh")
    log.record_shown(ask, 0, Shown("p#1", "标题", 1))
    state = SimpleNamespace(log=log)
    same = Answer("问题", ("问题",), answered=True, hits=(hit(1, "p#1"), hit(2, "p#2")))
    moved = Answer("问题", ("问题",), answered=True, hits=(hit(1, "p#9"), hit(2, "p#1")))
    assert not results_changed(state, same, ask)  # type: ignore[arg-type]
    assert results_changed(state, moved, ask)  # type: ignore[arg-type]


async def test_an_admins_page_the_parser_doubts_is_reported_with_its_lines(
    emulator: BotApiEmulator, start_bot: Any, own_archive: Archive
) -> None:
    admin = emulator.user(ADMIN)
    headless = "本报讯（记者 张三）日前，某商会召开\n会员大会，选举产生新一届理事会。\n".encode()
    async with start_bot(own_archive, admin_user_ids=frozenset({ADMIN})):
        emulator.send_document(emulator.private_chat(admin), admin, "headless.txt", headless)
        report = await emulator.wait_for("sendMessage", lambda c: int(c.params["chat_id"]) == ADMIN, 120)
    assert "headless.txt：已加入档案。" in shown(report)
    assert words.DOCUMENT_DOUBTS.format(n=1) in shown(report)
    assert "第 1 条（第 1–2 行）：没有找到标题" in shown(report)
