"""Turn text into index terms: str -> list[str], one tokenizer for pages and questions alike.

Text is normalized (layout spaces, full-width forms, Traditional -> Simplified by OpenCC, Latin lower-cased),
segmented by jieba with the domain dictionary loaded, and cleaned of punctuation and stopwords. jieba's
precise mode hides words inside compounds (`商会会长` hides `商会`), so by default the search mode's
sub-words and CJK character bigrams are added: the choice was measured on the question sets
(`python -m benchmarks.tokenizers`, docs/quality.md).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

import jieba
import opencc

from retrieval.parse.text import is_cjk, normalize
from retrieval.terms.tagging import general_segmenter, word_tag
from retrieval.terms.wordlists import alias_groups, hand_terms, question_words, stopwords

Mode = Literal["cut", "search"]
BIGRAM_MARK = "·"  # bigrams live in their own namespace, so they never double a jieba word's count
_WORD = re.compile(r"[\w\u4e00-\u9fff]")
CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_ASKING_PREFIX = re.compile(r"^(?:哪些|哪几|哪个|哪一|哪|几|多少|什么)(?=.)")
# A yes-no question asked as "A not A" (会不会, 是不是, 可不可以, 喜欢不喜欢): the negated half is grammar,
# not something a passage must say (left in, 不是 outweighed the rest of 工商联是不是每年都开年会).
_A_NOT_A = re.compile(r"([\u4e00-\u9fff]{1,2})[不没]\1")
# Adverbs a question puts before its verb, which jieba may fuse with the verb's first character (一共建了 ->
# 一|共建, a word no passage about building needs): the question is cut after them.
_ADVERBS = re.compile(r"(一共|总共|一起|一直|一同|共同)")
_DOMAIN_FREQ = 50_000  # high enough that jieba keeps a domain term whole


@dataclass(frozen=True)
class TokenizerConfig:
    """How text becomes terms; stored in the index manifest so queries match the index."""

    mode: Mode = "search"
    bigrams: bool = True
    hmm: bool = False  # jieba's HMM invents splits of unknown words (`万人助/企`)


_CONVERTERS = threading.local()  # OpenCC converters by config, one set per thread


def _opencc(config: str, text: str) -> str:
    """Convert text with an OpenCC config ("t2s", "s2t"), made once per thread."""
    converter = getattr(_CONVERTERS, config, None)
    if converter is None:
        converter = opencc.OpenCC(config)
        setattr(_CONVERTERS, config, converter)
    return converter.convert(text)


def to_simplified(text: str) -> str:
    """Convert Traditional characters to Simplified (OpenCC t2s); Simplified text is unchanged."""
    return _opencc("t2s", text)


def to_traditional(text: str) -> str:
    """Convert Simplified characters to Traditional (OpenCC s2t): the product's own words for readers
    who write Traditional."""
    return _opencc("s2t", text)


def prepare(text: str) -> str:
    """Normalize text for tokenizing: layout spaces, full-width forms, Simplified, lower case."""
    return to_simplified(normalize(text)).lower()


def is_term(token: str) -> bool:
    """Tell whether a jieba token is worth indexing (not punctuation, space or a stopword)."""
    return bool(_WORD.search(token)) and token not in stopwords()


def _points_or_joins(word: str) -> bool:
    """Tell whether a word points at something (这种, 那样, 这次) or only joins or qualifies the question's
    words (要是, 真的, 最多: a conjunction or an adverb): no passage needs to print it."""
    tag = word_tag(word)
    return (word[0] in "这那" and tag == "r") or (tag in ("c", "d") and word != "不")


class Tokenizer:
    """jieba with the domain dictionary, configured once; thread-safe after the first call."""

    def __init__(self, terms: Iterable[str] = (), config: TokenizerConfig = TokenizerConfig()) -> None:
        self.config = config
        self.terms = tuple(dict.fromkeys([*hand_terms(), *terms]))
        self._jieba: jieba.Tokenizer | None = None
        self._lock = threading.Lock()
        self._aliases = {t: g for g in alias_groups() for t in g}

    def _segmenter(self) -> jieba.Tokenizer:
        with self._lock:
            if self._jieba is None:
                # A copy of the plain segmenter's dictionary: jieba loads its own in ~0.7 s each time.
                base = general_segmenter()
                seg = jieba.Tokenizer()
                seg.FREQ, seg.total, seg.initialized = dict(base.FREQ), base.total, True
                total = seg.total
                for term in self.terms:
                    seg.add_word(prepare(term), freq=_DOMAIN_FREQ)
                # add_word grows jieba's total count, which scales every word's probability: left so, a
                # term derived from one page would change how all other pages are cut. Restored, a text's
                # cut depends only on the dictionary words it contains, so an archive can keep the tokens
                # of its pages when another page adds terms (retrieval.index.writer relies on this).
                seg.total = total
                self._jieba = seg
        return self._jieba

    def _words(self, text: str) -> list[str]:
        seg = self._segmenter()
        if self.config.mode == "search":
            return list(seg.cut_for_search(text, HMM=self.config.hmm))
        return list(seg.cut(text, HMM=self.config.hmm))

    def tokenize(self, text: str) -> list[str]:
        """Return the index terms of a text (with repeats: BM25 counts them)."""
        prepared = prepare(text)
        terms = [w for w in self._words(prepared) if is_term(w.strip()) for w in [w.strip()]]
        if self.config.bigrams:
            for run in CJK_RUN.findall(prepared):
                terms.extend(BIGRAM_MARK + run[i : i + 2] for i in range(len(run) - 1))
        return terms

    def question_terms(self, question: str) -> list[str]:
        """Return the distinct content words of a question, in order: no question words."""
        text = self._without_asking(_ADVERBS.sub(r"\1 ", _A_NOT_A.sub(r"\1", prepare(question))))
        words = [w for w in self.tokenize(text) if not w.startswith(BIGRAM_MARK)]
        # jieba keeps some asking phrases whole (哪些地方, 哪几天): keep only what is asked about.
        words = [_ASKING_PREFIX.sub("", w) for w in words if w not in question_words()]
        words = [w for w in words if is_term(w) and w not in question_words() and not _points_or_joins(w)]
        return list(dict.fromkeys(words))

    def _without_asking(self, text: str) -> str:
        """Return a question with its asking phrases (多长时间, 什么时候) blanked in jieba's precise cut:
        the search mode would otherwise yield their parts (时间, 时候) as content words."""
        # jieba cuts some phrases in two (什么|时间): those of four characters go first, whole.
        for phrase in (w for w in question_words() if len(w) >= 4):
            text = text.replace(phrase, "，")
        words = self._segmenter().cut(text, HMM=self.config.hmm)
        # Every word stands apart, so the search mode cuts each as it would have in the whole question.
        return "，".join("" if w in question_words() else w for w in words)

    def query(self, question: str) -> list[str]:
        """Return the query tokens of a question: its terms, their aliases, and bigrams of its content."""
        terms = self.question_terms(question)
        expanded = list(terms)
        for term in terms:
            expanded.extend(a for a in self._aliases.get(term, ()) if a != term and a not in expanded)
        if self.config.bigrams:
            # Bigrams within each content word, never across words: the filler between a question's
            # words would otherwise add bigrams that no passage has.
            grams = (t[i : i + 2] for t in terms if all(is_cjk(ch) for ch in t) for i in range(len(t) - 1))
            expanded.extend(dict.fromkeys(BIGRAM_MARK + g for g in grams))
        return expanded

    def is_domain_term(self, word: str) -> bool:
        """Tell whether a word is in the domain dictionary (derived from the corpus or hand-kept)."""
        return word in self._domain

    @cached_property
    def _domain(self) -> frozenset[str]:
        return frozenset(prepare(t) for t in self.terms)

    def alias_of(self, term: str) -> tuple[str, ...]:
        """Return the other names of a term."""
        return tuple(a for a in self._aliases.get(term, ()) if a != term)
