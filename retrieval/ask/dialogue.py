"""Follow-up questions: (conversation, question) -> the question as searched; (answer) -> the conversation.

A follow-up leans on the previous turn in one of three ways, and is rewritten into a question that stands
on its own (the rewrite is shown, so a wrong one is visible):
- a pronoun (她, 他们, 该局, 这家银行, she ...) stands for the person or organisation the previous short
  answer named, else for what the previous question was about;
- ellipsis (那长葛呢？ What about Changge?) asks the previous question of another name: the name of the
  same kind (a place for a place), or the phrase opening alike (省级研发平台 for 省级重点实验室), in the
  previous question is swapped for it;
- a bare question (有多少名党员？ 是哪家银行？) names nothing: the previous question's names are added.
A question that names something of its own and has none of these marks stands alone, untouched.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from retrieval.ask.coverage import ASKING_WORDS
from retrieval.models import Answer, Conversation
from retrieval.terms.tagging import tagged_words
from retrieval.terms.tokens import to_simplified

# Pronouns for a person, and for an organisation or thing (该局, 这家银行, 此次活动 ...).
_PERSON = re.compile(
    r"(?<![其吉])他(?!们|人)|她(?!们)|此人|这位|该人|\b(?:he|she|him|her|his)\b", re.IGNORECASE
)
_THING = re.compile(
    r"(?:该|这家|这个|那家|那个|此|本)(?:局|会|协会|商会|公司|企业|银行|单位|部门|机构|中心|平台|村|店|项目|活动|工程)"
    r"|他们|她们|它们|(?<!其)它|\b(?:it|its|they|them|their)\b",
    re.IGNORECASE,
)
# What a pronoun may own that an organisation's name ends in (她们协会, 他们公司).
_OWNED = ("协会", "商会", "公司", "企业", "银行", "单位", "部门", "局", "会")
_NOT_IN_PHRASE = frozenset("umrpcdyx")  # particles, numerals, pronouns, prepositions ... end a noun phrase
_PLURAL = frozenset({"他们", "她们", "它们", "they", "them", "their"})
# 那长葛呢？ / 长葛呢 / 那许昌市企业家协会呢 / What about Changge? / And Changge?
_ELLIPSIS = re.compile(
    r"^(?:那么?|还有|那)?(?P<name>[^，。？！,?!]{2,20}?)(?:呢|怎么样|又如何|如何)[？?！!。]*$"
)
_ELLIPSIS_EN = re.compile(r"^(?:and|what about|how about)\s+(?P<name>[^?]+?)\s*\??$", re.IGNORECASE)
# A question opening like this goes on from the previous one (还有什么职务？ 那最后呢？).
_GOES_ON = re.compile(
    r"^(?:那么?|还|另外|此外|然后|后来|最后|最终|也|又|再|其中|具体|分别)|^(?:and|also|then)\b", re.I
)
# Where the previous question's ask begins: 多少, 几家, 什么时候, 是谁, 多大 ...
_ASK = re.compile(r"有?(?:多少|多大|多久|多长|几|什么|哪|是谁|谁)")
BARE_MAX_CHARS = 14  # a question this short that names nothing is a follow-up
_PLACE_TAGS = frozenset({"ns"})
_LEADS_TO_ASK = frozenset("vudpcrymq")  # 是, 了, 在, 一共 …: what leads up to an ask, not what it is about
_ORG_ENDING = re.compile(r"(?:会|联|局|委|办|部|厅|公司|集团|银行|分行|中心|协会|学院|大学|院|所|站|店|村)$")


def rewrite(
    conversation: Conversation | None,
    asked: str,
    searched: str,
    names: Callable[[str], Sequence[str]],
) -> str:
    """Return the question to search: ``searched`` (the question, or the Chinese an English one was read
    as) rewritten from the conversation when ``asked`` leans on it, else ``searched`` unchanged.

    ``names`` returns the names a text holds (places, organisations, people, the archive's terms).
    """
    if conversation is None or not conversation.topic:
        return searched
    if m := (_ELLIPSIS.match(asked.strip()) or _ELLIPSIS_EN.match(asked.strip())):
        name = m["name"] if m.re is _ELLIPSIS else _first_name(names(searched), searched) or searched
        if name:
            return _swap(conversation, name)
    pronoun = _PERSON.search(asked)
    if pronoun and conversation.person:
        return _replace(searched, _PERSON, conversation.person)
    thing = _THING.search(asked)
    organisation = next(
        (n for n in (conversation.thing, *conversation.subject) if _kind(n) == "organisation"), ""
    )
    # 他们/她们 (their 协会) are the people of an organisation: it, before whatever else was named.
    plural = thing is not None and thing[0].lower() in _PLURAL
    antecedent = conversation.thing or (plural and organisation) or " ".join(conversation.subject)
    if thing and antecedent:
        return _replace(searched, _THING, antecedent)
    if pronoun and organisation:
        # 他 with no person named before: the organisation the conversation is about (该局's people), never
        # a place or a topic (他说… after a question on 许昌 is not 许昌说…).
        return _replace(searched, _PERSON, organisation)
    own = names(searched)
    bare = not own and len(searched) <= BARE_MAX_CHARS
    if bare or (_GOES_ON.search(asked) and not own):
        return _context(conversation) + searched
    return searched


def added_subject(conversation: Conversation | None, searched: str, rewritten: str) -> bool:
    """Tell whether a rewrite only put what the conversation was about before a bare question: a guess
    the caller checks against the archive (a question naming nothing the archive lacks may still move on)."""
    return conversation is not None and rewritten == _context(conversation) + searched != searched


def answers_within(found: Answer, conversation: Conversation | None) -> bool:
    """Tell whether the best passage for a bare question with the conversation's subject put before it
    names that subject; if not, the subject and the question never meet in one passage."""
    subject = conversation.subject if conversation else ()
    best = found.hits[0].chunk if found.answered and found.hits else None
    return best is not None and any(name in best.text or name in best.title for name in subject)


def _context(conversation: Conversation) -> str:
    """Return what a bare question (捐了多少？ 共有多少家企业参与？) goes on about: the previous question's
    words before its ask, without the verb that led to it (长葛市工商联在防汛救灾期间组织了 -> …期间),
    behind any of the conversation's names they lack."""
    ask = _ASK.search(topic := to_simplified(conversation.topic))
    words = list(tagged_words(topic[: ask.start()])) if ask else []
    while words and (words[-1][1][:1] in _LEADS_TO_ASK or words[-1][0] in ASKING_WORDS):
        words.pop()
    lead = "".join(word for word, _ in words)
    return "".join(n for n in conversation.subject if n not in lead) + lead


def _replace(text: str, pronoun: re.Pattern[str], antecedent: str) -> str:
    """Put the antecedent where the pronoun stands (in the Chinese read of an English question, in front);
    the noun after a pronoun that the antecedent ends in goes (她们协会 -> 许昌市企业家协会)."""
    m = pronoun.search(text)
    if m is None:
        return f"{antecedent} {text}"
    rest = text[m.end() :]
    noun = next((n for n in _OWNED if antecedent.endswith(n) and rest.startswith(n)), "")
    return text[: m.start()] + antecedent + rest[len(noun) :]


def _swap(conversation: Conversation, name: str) -> str:
    """Ask the previous question of another name: a place swaps for the place it asked about (那长葛呢？);
    anything else takes the previous question's ask, beside the names of another kind (那党群服务中心呢？
    after 基地有多大？ asks how large the 党群服务中心 is)."""
    topic = conversation.topic
    kind = _kind(name)
    same = [n for n in conversation.subject if _kind(n) == kind and n in topic]
    if kind == "place":  # also the place an organisation is named after (许昌市 of 许昌市工商联); the first
        same += [p for n in conversation.subject if (p := _leading_place(n)) and p in topic]
        same.sort(key=topic.find)
    if kind == "place" and same:
        old = same[0]
        # 许昌市 -> 长葛 keeps the 市 the topic printed: 长葛市.
        keep = old[-1] if old.endswith(("市", "县", "区")) and not name.endswith(("市", "县", "区")) else ""
        return topic.replace(old, name + keep, 1)
    if kind != "place" and (old := _parallel_phrase(topic, name)):
        return topic.replace(old, name, 1)  # 省级重点实验室呢？ after …几个省级研发平台？
    others = [n for n in conversation.subject if kind == "other" or n not in same]
    ask = _ASK.search(topic)
    return " ".join([*others, name]) + (topic[ask.start() :] if ask else "")


def _parallel_phrase(topic: str, name: str) -> str:
    """Return the noun phrase of the previous question that opens with the new name's first two characters
    (省级研发平台 for 省级重点实验室): the thing the ellipsis asks about instead, or ""."""
    said, at = [], 0
    for word, tag in tagged_words(topic):
        said.append((at, word, tag))
        at += len(word)
    for i, (pos, word, _) in enumerate(said):
        if topic.startswith(name[:2], pos):
            run = [word]
            for _, more, tag in said[i + 1 :]:
                if tag[:1] in _NOT_IN_PHRASE or not re.fullmatch(r"[\u4e00-\u9fff]+", more):
                    break
                run.append(more)
            phrase = "".join(run)
            return phrase if len(phrase) > 2 and phrase != name else ""
    return ""


def _kind(name: str) -> str:
    """Tell a place from an organisation or a person (an organisation's name ends as one does)."""
    if _ORG_ENDING.search(name):
        return "organisation"
    tags = {tag for _, tag in tagged_words(name)}
    return "place" if tags & _PLACE_TAGS else "other"


def _leading_place(name: str) -> str:
    """Return the place an organisation's name opens with (许昌市工商联 -> 许昌市), or ""."""
    words = tagged_words(name)
    return words[0][0] if len(words) > 1 and words[0][1] in _PLACE_TAGS else ""


def _first_name(found: Sequence[str], text: str) -> str:
    """Return the name standing first in a text."""
    return min(found, key=lambda n: text.find(n), default="")


def is_ellipsis(asked: str) -> bool:
    """Tell whether a question asks the previous one of another name (那长葛呢？ What about Changge?)."""
    return bool(_ELLIPSIS.match(asked.strip()) or _ELLIPSIS_EN.match(asked.strip()))


def remember(
    searched: str,
    names: Sequence[str],
    person: str = "",
    thing: str = "",
    *,
    earlier: Conversation | None = None,
) -> Conversation:
    """Return the conversation after a question: what it was about, and whom or what its answer named. A
    follow-up that leaned on the conversation (``earlier``) goes on about what it was about: its names are
    added to the earlier ones (她还有什么职务？ keeps her 协会 for 她们协会…). Whom a pronoun stands for is
    not carried on: the next 他 may be someone the passages name."""
    if earlier is None:
        return Conversation(topic=searched, subject=tuple(names), person=person, thing=thing)
    return Conversation(searched, tuple(dict.fromkeys([*names, *earlier.subject])), person, thing)
