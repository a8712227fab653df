"""Replies as pure functions: escaping, marking, citations, Telegram's 4096 limit, splitting, buttons."""

from __future__ import annotations

import re
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from bot import browse, callbacks, messages
from bot.telegram_text import MAX_MESSAGE_CHARS, clip, pack, split_plain, utf16_len, visible_length
from emulator import parse_html
from replies import words
from retrieval import Answer, Article, Chunk, Hit, PageMeta, Paragraph, ShortAnswer

SENTENCE = "长葛市工商联举办了电商培训。"
TEXT = "近年来，商会发展很快。" + SENTENCE + "共有 200 多名会员参加。"


def chunk(
    text: str = TEXT, title: str = "长葛工商联 <培训> & 服务", section: str | None = "抓服务", **kw: object
) -> Chunk:
    source = str(kw.pop("source", "001_page.txt"))
    fields = {"paper": "许昌日报", "date": "2021-12-01", "page": "5 经济"} | kw
    return Chunk(1, "p#1", title, section, 3, source, text, **fields)  # type: ignore[arg-type]


def hit(
    text: str = TEXT, sentence: str = SENTENCE, terms: tuple[str, ...] = ("工商联", "培训"), **kw: object
) -> Hit:
    return Hit(1, 9.5, chunk(text, **kw), sentence, terms, ())  # type: ignore[arg-type]


def answer(*hits: Hit, question: str = "长葛市工商联举办了哪些培训？") -> Answer:
    return Answer(question, ("工商联", "培训"), bool(hits), hits)


def shown(html_text: str) -> str:
    """The text Telegram shows, via the emulator's independent parser (raises if Telegram would)."""
    return parse_html(html_text)


# --- measuring and splitting --------------------------------------------------------------------


def test_utf16_len_counts_astral_characters_twice() -> None:
    assert (utf16_len("商会"), utf16_len("📄"), utf16_len("a📄b")) == (2, 2, 4)


def test_visible_length_ignores_tags_and_decodes_entities() -> None:
    assert visible_length("<b>商&amp;会</b> &lt;x&gt;") == len("商&会 <x>")


def test_clip_marks_the_cut() -> None:
    assert (clip("商会工商联", 3), clip("商会", 3)) == ("商会…", "商会")


def test_split_plain_cuts_after_sentence_ends() -> None:
    text = "第一句话。第二句话很长很长。第三句！"
    assert split_plain(text, 12) == ["第一句话。", "第二句话很长很长。", "第三句！"]


def test_split_plain_falls_back_to_clause_ends() -> None:
    assert split_plain("商会，工商联总商会", 6) == ["商会，", "工商联总商会"]


def test_split_plain_cuts_hard_when_there_is_no_break() -> None:
    assert split_plain("商" * 10, 4) == ["商商商商", "商商商商", "商商"]


def test_pack_joins_blocks_up_to_the_limit() -> None:
    assert pack(["aaa", "bbb", "ccc"], limit=8) == ["aaa\n\nbbb", "ccc"]


def test_pack_refuses_a_block_that_cannot_fit() -> None:
    try:
        pack(["a" * 10], limit=5)
    except ValueError as error:
        assert "cannot fit" in str(error)
    else:
        raise AssertionError("an over-long block must not be sent")


# --- answers -----------------------------------------------------------------------------------


def test_mark_bolds_the_evidence_and_underlines_terms() -> None:
    html_text = messages.mark(TEXT, SENTENCE, ("工商联", "发展"))
    assert (
        html_text
        == "近年来，商会<u>发展</u>很快。<b>长葛市<u>工商联</u>举办了电商培训。</b>共有 200 多名会员参加。"
    )
    assert shown(html_text) == TEXT


def test_mark_escapes_corpus_text() -> None:
    html_text = messages.mark("a<b>&c", "", ("<b>",))
    assert html_text == "a<u>&lt;b&gt;</u>&amp;c"


def test_mark_skips_single_character_terms() -> None:
    assert "<u>" not in messages.mark(TEXT, "", ("会",))


def test_citation_lists_headline_section_paper_date_page_and_paragraph() -> None:
    expected = "《长葛工商联 &lt;培训&gt; &amp; 服务》 · 抓服务 · 许昌日报, 2021-12-01, 5 经济 · 第3段"
    assert messages.citation(chunk(), "zh") == expected


def test_citation_names_who_wrote_or_took_it() -> None:
    line = messages.citation(chunk(title="", section=None, byline="魏东雅 乔璐洋 摄"), "zh")
    assert line == "（图片说明） · 许昌日报, 2021-12-01, 5 经济 · 第3段 · 魏东雅 乔璐洋 摄"


def test_citation_without_metadata_says_the_date_is_unknown_and_names_the_page_file_readably() -> None:
    line = messages.citation(chunk(title="", section=None, paper=None, date=None, page=None), "en")
    assert line == "(photo caption) · date unknown, 001_page · para. 3"
    hashed = chunk(paper=None, date=None, page=None, source="000_ceb8d8b2816fae3d.txt")
    assert "ceb8d8b2816fae3d" not in messages.citation(hashed, "zh")
    assert "日期不详 · 第3段" in messages.citation(hashed, "zh"), "no page name rather than a number"


def test_format_answer_shows_one_passage_around_its_evidence_with_its_place() -> None:
    long_text = "前文很长，" * 100 + SENTENCE + "后文也很长。" * 100
    message = shown(messages.format_answer(answer(hit(long_text), hit()), "zh"))
    assert SENTENCE in message and message.count("《") == 1  # one passage, cited once
    assert message.count("后文也很长") < 40 and message.startswith("…")  # a window, not the paragraph
    assert "原文 1/2 · 《长葛工商联" in message


def test_format_answer_shows_the_screen_asked_for_in_english() -> None:
    two = answer(hit(), hit(TEXT.replace("电商", "直播"), SENTENCE.replace("电商", "直播")))
    assert "直播" in shown(messages.format_answer(two, "en", screen=1))
    assert "Passage 2 of 2 · " in shown(messages.format_answer(two, "en", screen=1))


def test_the_first_screen_shows_the_passage_that_holds_the_short_answer() -> None:
    first, second = hit(), Hit(2, 8.0, chunk("会长是张三。"), "会长是张三。", ("会长",), ())
    short = ShortAnswer("张三", 2, "person", "会长是张三。")
    message = shown(messages.format_answer(replace(answer(first, second), short_answer=short), "zh"))
    assert message.startswith("答：张三\n会长是张三。")
    assert "会长是张三" not in shown(
        messages.format_answer(replace(answer(first, second), short_answer=short), "zh", screen=1)
    )


def test_format_answer_fits_one_message_with_huge_passages() -> None:
    big = "很长的段落，" * 2000 + SENTENCE + "结尾。" * 500
    message = messages.format_answer(answer(hit(big), hit(big), hit(big)), "zh", note="(note)")
    assert utf16_len(shown(message)) <= messages.SCREEN_PASSAGE_CHARS + 200
    assert re.search(r"<b>.*</b>", message) and SENTENCE in shown(message)  # the evidence survives, bold


def test_format_no_answer_says_so_and_points_to_titles() -> None:
    refusal = Answer("<b>什么</b>", (), answered=False, near_titles=("商会 <党建>", "万人助企"))
    text = shown(messages.format_no_answer(refusal, "zh"))
    assert text == (
        "档案里没有找到能回答「<b>什么</b>」的原文。\n\n最接近的文章：\n• 《商会 <党建>》\n• 《万人助企》\n\n"
        + words.ZH.see_articles.format(command="/articles")
    )


def test_format_no_answer_says_what_a_near_miss_lacks() -> None:
    refusal = Answer(
        "会长是谁",
        ("会长",),
        answered=False,
        near_titles=("商会",),
        unstated_kind="person",
        unstated_about="会长",
    )
    assert "档案里有提到「会长」的原文，但没有一篇写明所问的姓名。" in shown(
        messages.format_no_answer(refusal, "zh")
    )
    english = shown(messages.format_no_answer(refusal, "en"))
    assert "Passages mention “会长”, but none states the name asked for." in english


def test_answer_keyboard_pages_opens_and_asks_for_feedback() -> None:
    buttons = callbacks.Buttons(
        7, callbacks.Page(7, 0, 42), callbacks.Full(7, 1, 42), callbacks.Page(7, 2, 42)
    )
    markup = messages.answer_keyboard("zh", buttons)
    rows = [[(b.text, b.callback_data) for b in row] for row in markup.inline_keyboard]
    assert rows == [
        [("‹ 上一条", "p:7:0:42"), ("全文", "f:7:1:42"), ("更多 ›", "p:7:2:42")],
        [("👍", "v:7:+"), ("👎", "v:7:-")],
    ]


def test_a_refusal_keyboard_asks_for_feedback_only() -> None:
    markup = messages.answer_keyboard("en", callbacks.Buttons(7, None, None, None))
    assert [[b.text for b in row] for row in markup.inline_keyboard] == [["👍", "👎"]]


def test_inline_results_insert_cited_passages() -> None:
    results = messages.inline_results(answer(hit(), hit()), "zh")
    assert [r.id for r in results] == ["1", "2"]
    assert all("《" in shown(r.input_message_content.message_text) for r in results)
    assert messages.inline_results(Answer("x", (), answered=False), "zh") == []


# --- browsing ----------------------------------------------------------------------------------


def article(paragraphs: list[str], headline: tuple[str, ...] = ("引题", "主标题 <商会>")) -> Article:
    paras = tuple(Paragraph(t, "小标题" if i > 1 else None, i, i) for i, t in enumerate(paragraphs))
    return Article(
        "p#1", "001_page.txt", "article", headline, "本报记者 张三", paras, PageMeta(paper="许昌日报")
    )


def test_format_article_keeps_every_word_over_several_messages() -> None:
    paragraphs = ["第一段。" * 300, "第二段，很长。" * 900, "短段。"]
    parts = browse.format_article(article(paragraphs))
    assert len(parts) >= 3 and all(utf16_len(shown(p)) <= MAX_MESSAGE_CHARS for p in parts)
    joined = "".join("".join(shown(p).split()) for p in parts)
    assert "".join(paragraphs) in joined.replace("小标题", "")
    assert shown(parts[0]).startswith("引题\n主标题 <商会>\n\n本报记者 张三\n\n许昌日报 001_page.txt")


def test_article_list_commands_are_valid_telegram_commands() -> None:
    items = [article(["正文。"]), article(["图片说明文字。"], headline=())]
    parts = browse.format_article_list(enumerate(items, 1), len(items))
    commands = re.findall(r"^/(\S+)", "\n".join(shown(p) for p in parts), re.MULTILINE)
    assert commands == ["a_1", "a_2"]
    assert all(re.fullmatch(r"[a-z0-9_]{1,32}", c) for c in commands)
    assert "图片说明：图片说明文字。" in shown(parts[0])


# --- properties: every message Telegram would accept ----------------------------------------------

PIECES = [
    *"商会工商联培训。，！？ \n<>&\"'*_`[]()/ab",
    "📄",
    "&amp;",
    "</b>",
    "<b>",
    "商会组织" * 50,
    "。" * 20,
]
nasty_text = st.lists(st.sampled_from(PIECES), min_size=1, max_size=1500).map("".join)


@settings(max_examples=60, deadline=None)
@given(texts=st.lists(nasty_text, min_size=1, max_size=5), data=st.data())
def test_every_answer_message_parses_and_fits(texts: list[str], data: st.DataObject) -> None:
    hits = []
    for text in texts:
        start = data.draw(st.integers(0, len(text) - 1))
        sentence = text[start : start + data.draw(st.integers(0, 400))]
        terms = tuple(data.draw(st.lists(st.sampled_from([*text.split(), "商会", "<>"]), max_size=4)))
        hits.append(hit(text, sentence, terms, title=data.draw(nasty_text), section=data.draw(nasty_text)))
    for screen in range(len(hits[:5])):
        message = messages.format_answer(answer(*hits[:5], question=texts[0]), "zh", screen, texts[-1][:100])
        assert 0 < utf16_len(shown(message)) <= MAX_MESSAGE_CHARS
    refusal = messages.format_no_answer(Answer(texts[0], (), answered=False, near_titles=tuple(texts)), "en")
    assert 0 < utf16_len(shown(refusal)) <= MAX_MESSAGE_CHARS


@settings(max_examples=40, deadline=None)
@given(paragraphs=st.lists(nasty_text, min_size=1, max_size=8), headline=st.lists(nasty_text, max_size=3))
def test_every_article_message_parses_fits_and_loses_nothing(
    paragraphs: list[str], headline: list[str]
) -> None:
    parts = browse.format_article(article(paragraphs, tuple(headline)))
    assert all(0 < utf16_len(shown(p)) <= MAX_MESSAGE_CHARS for p in parts)
    body = "".join("".join(shown(p).split()) for p in parts)
    assert "".join("".join(p.split()) for p in paragraphs) in body.replace("小标题", "")


@settings(max_examples=60, deadline=None)
@given(text=nasty_text, limit=st.integers(2, 500))
def test_split_plain_pieces_fit_and_keep_the_text(text: str, limit: int) -> None:
    pieces = split_plain(text, limit)
    assert all(0 < utf16_len(p) <= limit for p in pieces)
    assert "".join("".join(p.split()) for p in pieces) == "".join(text.split())


def test_a_partial_match_says_which_question_words_the_passage_lacks() -> None:
    partial = Hit(1, 9.5, chunk(), SENTENCE, ("工商联", "培训"), ("主席", "<现任>", "回"))
    zh = shown(messages.format_passage(partial, "zh", 1, 1))
    assert zh.endswith("未匹配：主席、<现任>")  # user words escaped, shown as typed; no lone characters
    en = shown(messages.format_passage(partial, "en", 1, 1))
    assert en.endswith("not matched: 主席, <现任>")
    assert "匹配" not in shown(messages.format_passage(hit(), "zh", 1, 1))  # a full match says nothing


def test_a_name_the_segmenter_cut_is_marked_whole() -> None:
    cut = Hit(
        1, 9.5, chunk("秘书长黄玉霞向记者吐露心声。"), "秘书长黄玉霞向记者吐露心声。", ("黄玉", "秘书长"), ()
    )
    message = messages.format_answer(answer(cut, question="黄玉霞是什么职务？"), "zh")
    assert "<u>黄玉霞</u>" in message and "<u>黄玉</u>霞" not in message
