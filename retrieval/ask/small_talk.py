"""Small talk: a message -> the kind of small talk it is (greeting, thanks ...), or "" for a question.

Greetings, thanks, goodbyes and questions about the bot itself are recognised only when they are the whole
message (你好，请问许昌有几家商会？ is a question, and is searched); weather and jokes wherever they are
asked, since the archive holds neither. The reply is the skins' to word (replies/words.py).
"""

from __future__ import annotations

import re

from retrieval.terms.tokens import prepare

# The whole message, once punctuation, spaces and particles are gone.
_WHOLE = {
    "greeting": r"你好|您好|你们好|大家好|嗨|哈喽|哈啰|在吗|在不在|早上好|早安|上午好|中午好|"
    r"下午好|晚上好|晚安|"
    r"hello|hi|hey|hallo|good ?(?:morning|afternoon|evening)|greetings",
    "thanks": r"谢谢|谢谢你|谢谢您|多谢|感谢|非常感谢|谢了|辛苦了|好的谢谢|收到|明白了|懂了|"
    r"知道了|好的|好|ok|okay|"
    r"thanks|thank you|thank you very much|thanks a lot|thx|cheers|great|got it",
    "goodbye": r"再见|拜拜|回头见|下次见|bye|goodbye|bye bye|see you",
    "identity": r"你是谁|你叫什么|你叫什么名字|你是什么|你是机器人吗|你是人吗|你是真人吗|"
    r"who are you|what are you|are you a (?:bot|robot|human)|what is your name|what's your name",
    "abilities": r"你能做什么|你会什么|你可以做什么|你能干什么|你有什么用|怎么用|如何使用|怎么提问|"
    r"能问什么|可以问什么|"
    r"帮助|help|what can you do|how do i use (?:this|you)|how does this work|what can i ask",
}
# Matched with spaces gone, as the message is (whatcanyoudo).
_WHOLE_RE = {kind: re.compile(rf"(?:{pattern.replace(' ', '')})+") for kind, pattern in _WHOLE.items()}
_ANYWHERE = {
    "weather": re.compile(
        r"天气|会不会下雨|下雨吗|要下雨|下雪吗|气温|多少度|几度|"
        r"\bweather\b|\bforecast\b|is it (?:going to )?rain"
    ),
    "joke": re.compile(r"(?:讲|说|来)(?:一)?(?:个|段)(?:笑话|段子)|笑话|\bjokes?\b"),
}
_NOISE = re.compile(r"[\s\W_]+|[啊呀呢吧哈嘛哦噢喔啦嗯哟]+$|^(?:嗨|hi|hey|hello|你好|您好)(?=.)|机器人|bot$")


def small_talk(message: str) -> str:
    """Return the kind of small talk a message is ("greeting", "thanks", "goodbye", "identity",
    "abilities", "weather", "joke"), or "" when it is a question for the archive."""
    text = prepare(message)
    for kind, pattern in _ANYWHERE.items():
        if pattern.search(text):
            return kind
    bare = _NOISE.sub("", text)
    if not bare:
        return ""
    # A greeting before small talk (你好，你是谁) is that small talk.
    for kind in ("identity", "abilities", "goodbye", "thanks", "greeting"):
        if _WHOLE_RE[kind].fullmatch(bare) or _WHOLE_RE[kind].fullmatch(
            _NOISE.sub("", _strip_greeting(text))
        ):
            return kind
    return ""


def _strip_greeting(text: str) -> str:
    """Drop a greeting that opens a message (你好，…)."""
    return re.sub(rf"^\W*(?:{_WHOLE['greeting']})\W*", "", text)
