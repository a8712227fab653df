"""The product's own words: one table per language for every skin, then the bot's screens. Plain text.

Chinese first; English when the question is English, Traditional characters when it is written in them
(the Chinese phrases converted with OpenCC). The archive's passages are quoted as printed, whatever the
language of the question. The screens shown without a question (/start, /help, /about) follow the
user's Telegram language; admin messages (/reload ...) are in Chinese.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from functools import cache
from typing import Literal, TypeVar

from retrieval import is_english, to_simplified, to_traditional, without_links

Lang = Literal["zh", "zh-hant", "en"]  # Simplified, Traditional, English


@dataclass(frozen=True)
class Words:
    """Every phrase said around the archive's text in one language, by every skin (CLI text, bot HTML)."""

    paragraph: str  # {n} is the paragraph number within the article
    photo: str  # stands in for the headline of a photo caption
    photo_cited: str  # ... and so in a citation, where a headline stands in 《》
    no_answer: str  # {question}
    closest: str
    see_articles: str  # {command}: the skin's way to list the articles
    unstated: str  # {about}: the word passages mention; {kind}: the answer none states (KINDS)
    matched: str  # {terms}: the question's words a passage holds
    unmatched: str  # {terms}: those it does not
    separator: str  # between listed words
    clause_separator: str  # between the matched and the unmatched part of a line
    searched_for: str  # {terms}: the Chinese an English question was read as
    near_terms: str  # {terms}: the archive's words close to the question's unknown ones
    full: str
    no_more: str
    truncated: str  # {n} is the number of characters kept
    kinds: dict[str, str]  # the kinds of typed answer (ask/answer_types.py), as a sentence names them
    short_answer: str  # {text}: the short answer, the first line of an answer
    searched_as: str  # {question}: a follow-up as rewritten from the conversation
    not_mentioned: str  # {names}: names in the question the archive never mentions
    listed: str  # header of a list the archive prints
    small_talk: dict[str, str]  # by kind (ask/small_talk.py); {example} is a question the archive answers
    inline_none: str  # the button above no inline results: ask in a private chat instead
    date_unknown: str  # in a citation, where the page gives no date
    partial: str  # some of the archive's shards did not answer: the answer comes from the others


ZH = Words(
    paragraph="第{n}段",
    photo="图片说明",
    photo_cited="（图片说明）",
    no_answer="档案里没有找到能回答「{question}」的原文。",
    closest="最接近的文章：",
    see_articles="用 {command} 查看全部文章，或换个说法再问。",
    unstated="档案里有提到「{about}」的原文，但没有一篇写明所问的{kind}。",
    matched="匹配：{terms}",
    unmatched="未匹配：{terms}",
    separator="、",
    clause_separator="；",
    searched_for="检索词：{terms}",
    near_terms="档案里相近的词：{terms}",
    full="全文",
    no_more="没有更多结果了。",
    truncated="（问题太长，只用了前 {n} 个字。）",
    kinds={
        "year": "年份",
        "time": "时间",
        "date": "日期",
        "month": "月份",
        "duration": "时长",
        "money": "金额",
        "rate": "比例",
        "person": "姓名",
        "count": "数目",
        "size": "面积",
        "ordinal": "届次或等级",
        "place": "地点",
        "address": "地址",
        "title": "职务",
    },
    short_answer="答：{text}",
    searched_as="按「{question}」查找",
    not_mentioned="档案里没有提到「{names}」。",
    listed="原文列出：",
    inline_none="没有找到原文，点这里私聊提问",
    date_unknown="日期不详",
    partial="部分档案暂时不可用，以下结果来自其余部分。",
    small_talk={
        "greeting": "你好！我是许昌地方报纸档案的问答助手，直接提问就行，例如：{example}",
        "thanks": "不客气。还有问题可以接着问。",
        "goodbye": "再见，欢迎随时再来问。",
        "identity": "我是地方报纸档案的问答机器人：从原报纸里找出答案并注明出处，不编写任何内容。",
        "abilities": "我能回答档案里报道过的事：商会、工商联、人物、数字、日期……例如：{example}",
        "weather": "我查不了天气，只能回答档案里报道过的事，例如：{example}",
        "joke": "笑话我不会讲，不过可以问我报纸上的事，例如：{example}",
    },
)

EN = Words(
    paragraph="para. {n}",
    photo="photo caption",
    photo_cited="(photo caption)",
    no_answer="The archive has no passage that answers “{question}”.",
    closest="Closest articles:",
    see_articles="Use {command} to see every article, or rephrase the question.",
    unstated="Passages mention “{about}”, but none states the {kind} asked for.",
    matched="Matched: {terms}",
    unmatched="not matched: {terms}",
    separator=", ",
    clause_separator="; ",
    searched_for="Searched for: {terms}",
    near_terms="Did you mean: {terms}",
    full="Full text",
    no_more="No more results.",
    truncated="(The question was long; only its first {n} characters were used.)",
    kinds={
        "year": "year",
        "time": "time of day",
        "date": "date",
        "month": "month",
        "duration": "length of time",
        "money": "sum of money",
        "rate": "rate",
        "person": "name",
        "count": "number",
        "size": "size",
        "ordinal": "edition or grade",
        "place": "place",
        "address": "address",
        "title": "position",
    },
    short_answer="Answer: {text}",
    searched_as="Searched as “{question}”",
    not_mentioned="The archive never mentions “{names}”.",
    listed="The archive lists:",
    inline_none="No passage found: ask me in a private chat",
    date_unknown="date unknown",
    partial="Part of the archive is unavailable just now; these results come from the rest.",
    small_talk={
        "greeting": "Hello! I answer questions from a local newspaper archive. Ask away, "
        "for example: {example}",
        "thanks": "You're welcome. Ask another question any time.",
        "goodbye": "Goodbye, come back any time.",
        "identity": "I am a question-answering bot over a local newspaper archive: I find the answer in the "
        "original pages and cite them; I write nothing myself.",
        "abilities": "I answer what the archive reports: chambers of commerce, people, figures, dates. "
        "For example: {example}",
        "weather": "I cannot look up the weather; I only answer what the archive reports, "
        "for example: {example}",
        "joke": "Jokes are not my line, but ask me what the paper reported, for example: {example}",
    },
)


@cache
def for_lang(lang: Lang) -> Words:
    """Return the phrases of one language."""
    return EN if lang == "en" else traditional(ZH) if lang == "zh-hant" else ZH


Phrases = TypeVar("Phrases")  # a frozen dataclass of phrases: Words, Screens, replies.controls.Controls


def traditional(phrases: Phrases) -> Phrases:
    """The same phrases in Traditional characters (OpenCC s2t), for readers who write them; placeholders
    and Latin text are left as they are."""

    def each(value: str | dict[str, str]) -> str | dict[str, str]:
        return (
            to_traditional(value)
            if isinstance(value, str)
            else {k: to_traditional(v) for k, v in value.items()}
        )

    return replace(phrases, **{f.name: each(getattr(phrases, f.name)) for f in fields(phrases)})


def lang_of(question: str) -> Lang:
    """Return the language to answer in: English for a question written in English, or for a message of
    Latin words and no Chinese at all (thanks!); Chinese otherwise, and for a Chinese question holding a
    link or markup."""
    words = without_links(question)  # a pasted link is no English, nor markup
    if not words:
        return "zh"
    latin_only = re.search(r"[A-Za-z]{2}", words) and not re.search(r"[\u3400-\u9fff]", words)
    if is_english(words) or latin_only:
        return "en"
    return "zh-hant" if _written_traditional(words) else "zh"


def _written_traditional(text: str) -> bool:
    """Tell whether Chinese text is written in Traditional characters: converting it to Simplified
    changes more characters than converting it to Traditional does."""
    simplified, traditional = to_simplified(text), to_traditional(text)
    return sum(map(str.__ne__, text, simplified)) > sum(map(str.__ne__, text, traditional))


# Command menu (set_my_commands): Chinese by default, English for English-language clients.
COMMANDS: dict[Lang, tuple[tuple[str, str], ...]] = {
    "zh": (
        ("ask", "提问，例如 /ask 工商联举办了哪些培训"),
        ("articles", "文章列表"),
        ("start", "档案简介和示例问题"),
        ("help", "使用说明"),
        ("about", "覆盖范围和索引版本"),
    ),
    "en": (
        ("ask", "Ask a question about the archive"),
        ("articles", "List the articles"),
        ("start", "What the archive holds, with example questions"),
        ("help", "How to use this bot"),
        ("about", "Coverage and index version"),
    ),
}


@dataclass(frozen=True)
class Screens:
    """The bot's screens without a question (/start, /help, /about), in one language."""

    intro: str
    examples: str  # above the example questions
    other_language: str  # the line for readers of the other language
    coverage: str  # {articles}, {pages}
    papers: str  # {papers}
    dates: str  # {dates}
    dates_unknown: str  # where no page's sidecar gives a date
    help: str  # {username}: the bot's
    about: str  # {coverage}
    about_admin: str  # {chunks}, {version}: for the bot's admins only
    ask_usage: str  # {example}: a question the archive answers
    non_text: str  # {example}
    unknown_command: str
    not_allowed: str
    something_wrong: str
    article_missing: str
    mention_hint: str  # {username}: one line for a bare @mention in a group
    document_refused: str  # {example}: a reader (not an admin) sent a file without a question


ZH_SCREENS = Screens(
    intro="许昌地方报纸档案问答。直接发来问题，我从原报纸里找出答案所在的段落，并注明出处。",
    examples="可以这样问（点一下即可复制）：",
    other_language="Questions in English work too; answers quote the Chinese originals.",
    coverage="档案收录 {articles} 篇文章，来自 {pages} 个版面。",
    papers="报纸：{papers}",
    dates="日期：{dates}",
    dates_unknown="日期：不详（版面未注明日期）",
    help=(
        "私聊：直接发送问题即可。\n"
        "群组：用 /ask 问题，或 @{username} 加问题，或回复我的消息。\n"
        "行内模式：在任何聊天里输入 @{username} 问题，挑一段原文发出。\n"
        "回答先给出原文里的答案（答：…）或原文列出的各项，再给出证据所在的一段原文（证据句加粗）并注明出处。"
        "「更多 ›」看下一段，「‹ 上一条」返回，「全文」看整篇文章（群组里私信发给提问的人），"
        "👍 / 👎 告诉编辑回答得好不好。\n"
        "可以接着追问（她还有什么职务？那长葛呢？）；群组里请回复我的回答来追问。\n"
        "/articles 文章列表 · /about 覆盖范围\n\n"
        "Private chat: just send a question. Groups: /ask, a mention, or a reply to me. "
        "Inline: type @{username} and a question in any chat."
    ),
    about="抽取式问答：回答里的每个字都出自原报纸，没有任何模型编写内容。\n{coverage}",
    about_admin="文本块：{chunks}\n索引版本：{version}",
    ask_usage="用法：/ask 你的问题，例如：/ask {example}",
    non_text="我只能读文字。请用文字提问，例如：{example}",
    unknown_command="不认识这个命令。发送 /help 查看用法。",
    not_allowed="抱歉，这个机器人只在受邀的聊天中使用。如需开通，请联系管理员。",
    something_wrong="抱歉，出了点问题，请稍后再试。",
    article_missing="没有这篇文章。发送 /articles 查看文章列表。",
    mention_hint="请在 @{username} 后面写上问题，或用 /ask 问题，或回复我的消息。",
    document_refused="只有管理员可以向档案添加版面。想问问题的话，直接发文字就行，例如：{example}",
)

EN_SCREENS = Screens(
    intro="Questions and answers over a local newspaper archive from Xuchang, Henan. Send a question; "
    "I find the passages of the original pages that answer it and cite them.",
    examples="For example (tap to copy; questions in English work too):",
    other_language="直接用中文提问也可以。Answers quote the Chinese originals as printed.",
    coverage="The archive holds {articles} articles from {pages} pages.",
    papers="Papers: {papers}",
    dates="Dates: {dates}",
    dates_unknown="Dates: unknown (the pages carry none)",
    help=(
        "Private chat: just send a question.\n"
        "Groups: /ask and a question, or @{username} and a question, or a reply to one of my messages.\n"
        "Inline: type @{username} and a question in any chat, then pick a passage to send.\n"
        "An answer gives the archive's own words first (Answer: …) or the list it prints, then the passage "
        "that states it, the evidence sentence in bold, and its citation. “More ›” shows the next passage, "
        "“‹ Previous” goes back, “Full text” sends the whole article (in groups, privately to whoever "
        "asked), and 👍 / 👎 tell the editors how it did. Ask follow-ups (What other position does she "
        "hold?); in groups, reply to my answer.\n"
        "/articles the articles · /about coverage"
    ),
    about="Extractive answers: every word quoted stands in the original pages; no model writes text.\n"
    "{coverage}",
    about_admin="Chunks: {chunks}\nIndex version: {version}",
    ask_usage="Usage: /ask your question, for example: /ask {example}",
    non_text="I can only read text. Please ask in words, for example: {example}",
    unknown_command="I do not know this command. Send /help to see how to ask.",
    not_allowed="Sorry, this bot serves invited chats only. Ask its admins to add this one.",
    something_wrong="Sorry, something went wrong. Please try again in a moment.",
    article_missing="There is no such article. Send /articles to see the list.",
    mention_hint="Write your question after @{username}, or use /ask and a question, or reply to my message.",
    document_refused="Only the bot's admins can add pages to the archive. To ask, just send your question "
    "as text, for example: {example}",
)


@cache
def screens_for(lang: Lang) -> Screens:
    """Return the screens of one language."""
    return EN_SCREENS if lang == "en" else traditional(ZH_SCREENS) if lang == "zh-hant" else ZH_SCREENS


def screen_lang(language_code: str | None) -> Lang:
    """The language of a screen shown without a question, from the user's Telegram ``language_code``:
    Chinese for Chinese (Traditional for zh-hant, zh-tw, zh-hk, zh-mo) and unknown clients, English for
    every other language."""
    code = (language_code or "zh").lower()
    if not code.startswith("zh"):
        return "en"
    return "zh-hant" if code.startswith(_TRADITIONAL_LOCALES) else "zh"


_TRADITIONAL_LOCALES = ("zh-hant", "zh-tw", "zh-hk", "zh-mo")


ARTICLES_HEADER = "文章列表（点命令打开全文）："
ARTICLES_MORE = "……共 {total} 篇，这里列出前 {shown} 篇；直接提问可以找到任何一篇。"
BUTTON_EXPIRED = "这个按钮已失效，请重新提问。(This button has expired; please ask again.)"
ADMIN_ERROR = "机器人出错：{error}"

# /reload, for admins only.
RELOAD_REFUSED = "抱歉，只有管理员可以重新加载索引。(Only the bot's admins can reload the index.)"
STATS_REFUSED = "抱歉，只有管理员可以查看提问统计。(Only the bot's admins can see what readers ask.)"
RELOAD_RUNNING = "索引正在重新加载，请稍后再试。"
RELOADED = "索引已重新加载。\n旧版本：{old}\n新版本：{new}\n版面 {pages} · 文章 {articles} · 文本块 {chunks}"
RELOAD_UNCHANGED = "索引没有新版本，仍是 {version}。\n版面 {pages} · 文章 {articles} · 文本块 {chunks}"
RELOAD_FAILED = "重新加载失败，仍在使用 {version}：\n{error}"

# An admin's page file sent to the bot (bot/documents.py).
DOCUMENT_ADDED = (
    "{name}：{change}。\n档案变化：版面 {pages:+d} · 文章 {articles:+d} · 文本块 {chunks:+d}\n"
    "现在共 {total_pages} 个版面、{total_articles} 篇文章；索引版本 {version}"
)
FOLDER_CHANGES = {
    "added": "已加入档案",
    "replaced": "已替换同名版面",
    "unchanged": "与档案中的同名版面相同，未改动",
}
DOCUMENT_NOT_A_PAGE = "{name} 不是版面文件：目前只接受 .txt 文本版面和 .pdf 电子版。"
DOCUMENT_TOO_BIG = "{name} 超过 20 MB，Telegram 不允许机器人下载；请用 chamber-qa add 添加。"
DOCUMENT_DOUBTS = "这一版有 {n} 处可能没读对（可用 sidecar 的 [parser] 设置修正，见 README）："
DOCUMENT_DOUBT = "第 {item} 条（第 {first}–{last} 行）：{problems}"
DOUBT_PROBLEMS = {
    "no headline": "没有找到标题",
    "headline reads as a sentence": "标题像正文句子",
    "almost no text": "几乎没有正文",
}
DOCUMENT_FAILED = "没能加入 {name}，档案保持原样：\n{error}"
DOCUMENT_UNREADABLE = "{name} 已存入版面文件夹，但读不出可检索的文字，未加入档案：\n{reason}"

# The terminal chat (chamber-qa chat, and chamber-qa run without a token).
CHAT_INTRO = "档案：{pages} 版，{articles} 篇文章。请输入问题（空行退出）。"
CHAT_EXAMPLES = "例如：{examples}"
CHAT_PROMPT = "问> "
NO_TOKEN = (
    "未设置 TELEGRAM_BOT_TOKEN：启动终端问答。\n"
    "在 .env 中设置令牌即可运行 Telegram 机器人（见 .env.example）。"
)
