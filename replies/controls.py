"""The bot's words on an answer's buttons and in its toasts, per language (Traditional converted with
OpenCC, as the other phrases are). Plain text; the bot escapes it."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from replies.words import Lang, traditional


@dataclass(frozen=True)
class Controls:
    """What stands on an answer's buttons and what a press answers."""

    previous: str
    next: str
    position: str  # {n} of {total} relevant passages, before the citation
    up: str
    down: str
    voted: str  # the toast after 👍 / 👎
    asker_only: str  # a group member pressed someone else's answer
    full_sent: str  # the toast after the whole article went to the asker's private chat
    full_open: str  # the toast when the asker must open a private chat first
    article_changed: str  # the article a "全文" names has changed or gone since the answer
    results_changed: str  # paging an answer after the archive changed under it
    greeting: str  # {username}: said once when the bot is added to a group


ZH_CONTROLS = Controls(
    previous="‹ 上一条",
    next="更多 ›",
    position="原文 {n}/{total}",
    up="👍",
    down="👎",
    voted="谢谢反馈！",
    asker_only="只有提问的人可以翻页或打开全文；你也可以自己问一次。",
    full_sent="全文已私信发给你。",
    full_open="请先打开与我的私聊，全文会发到那里。",
    article_changed="这篇文章已更新或移除，请重新提问。",
    results_changed="（档案已更新，结果可能与先前不同。）",
    greeting=(
        "大家好！我回答许昌地方报纸档案里的问题，答案都出自原报纸并注明出处。"
        "提问：/ask 问题，或 @{username} 加问题，或回复我的消息。"
    ),
)

EN_CONTROLS = Controls(
    previous="‹ Previous",
    next="More ›",
    position="Passage {n} of {total}",
    up="👍",
    down="👎",
    voted="Thanks for the feedback!",
    asker_only="Only the person who asked can page this answer or open the article; ask it yourself.",
    full_sent="The full text is in your private chat with me.",
    full_open="Open a private chat with me first; the full text goes there.",
    article_changed="This article has changed or been removed since; please ask again.",
    results_changed="(The archive has changed since; the results may differ from before.)",
    greeting=(
        "Hello! I answer questions from a local newspaper archive (Xuchang, Henan), quoting and citing the "
        "original pages. Ask with /ask and a question, @{username} and a question, or a reply to me."
    ),
)


@cache
def controls_for(lang: Lang) -> Controls:
    """Return the controls' words in one language."""
    return EN_CONTROLS if lang == "en" else traditional(ZH_CONTROLS) if lang == "zh-hant" else ZH_CONTROLS
