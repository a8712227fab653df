"""jieba's general dictionary and part-of-speech tags: str -> words, words -> tags.

The domain tokenizer (tokens.py) starts from a copy of this dictionary; the dictionary stage
(dictionary.py) and the typed answers (ask/answer_types.py) read the tags to tell names from verbs.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import TYPE_CHECKING

import jieba

from retrieval.loading import load_once

if TYPE_CHECKING:
    from jieba.posseg import POSTokenizer

# jieba announces "Building prefix dict ..." on stderr at DEBUG: noise in a chat, a CLI pipe or a bot log.
jieba.setLogLevel(logging.WARNING)
SEGMENTER_VERSION = jieba.__version__  # part of the index's fingerprint: another jieba cuts otherwise
# jieba's tags for names: people, places, organisations, other proper nouns.
NAME_TAGS = frozenset({"nr", "nrt", "nrfg", "ns", "nt", "nz", "eng"})
PERSON_TAGS = frozenset({"nr", "nrt", "nrfg"})
PLACE_OR_ORG = frozenset({"ns", "nt", "nz", "eng"})


@load_once
def general_segmenter() -> jieba.Tokenizer:
    """Return jieba with its general dictionary loaded (once per process: ~0.6 s)."""
    seg = jieba.Tokenizer()
    seg.initialize()
    return seg


def plain_words(text: str) -> list[str]:
    """Segment text with jieba's general dictionary alone (precise mode, no HMM)."""
    return general_segmenter().lcut(text, HMM=False)


@load_once
def word_tags() -> dict[str, str]:
    """Return jieba's part-of-speech tag of each dictionary word (once per process: ~0.1 s)."""
    # jieba.posseg reads the same table line by line in Python (~0.3 s, and again for each tagger made);
    # each line of jieba's dictionary is `word frequency tag`, so one split reads all of it.
    with jieba.Tokenizer().get_dict_file() as lines:
        fields = lines.read().decode("utf-8").split()
    return dict(zip(fields[0::3], fields[2::3], strict=True))


@load_once
def _tagger() -> POSTokenizer:
    # Imported here: jieba.posseg's HMM tables take ~0.3 s to import, and only tagging needs them.
    from jieba.posseg import POSTokenizer

    # POSTokenizer's constructor would read the dictionary's tags again; it gets the table read above.
    tagger = POSTokenizer.__new__(POSTokenizer)
    tagger.tokenizer = general_segmenter()
    tagger.word_tag_tab = dict(word_tags())
    return tagger


TAGGED_CACHE = 4096  # sentences and questions; a few MB


@lru_cache(maxsize=TAGGED_CACHE)
def tagged_words(text: str) -> tuple[tuple[str, str], ...]:
    """Segment text with jieba's general dictionary and tag each word's part of speech.

    The HMM is on here, unlike for index terms: it is what tags a name the dictionary lacks (寇玉平 nr).
    Cached: the same evidence sentences are tagged for question after question, and tagging is slow.
    """
    return tuple((pair.word, pair.flag) for pair in _tagger().cut(text, HMM=True))


def word_tag(word: str) -> str | None:
    """Return jieba's part-of-speech tag of a dictionary word (`v` verb, `n` noun ...), if it has one."""
    return word_tags().get(word)


def is_common_word(word: str) -> bool:
    """Tell whether a word is an everyday dictionary word rather than a name or an unknown string."""
    tag = word_tag(word)
    return tag is not None and tag not in NAME_TAGS and not any(ch.isascii() for ch in word)


def is_person(word: str) -> bool:
    """Tell whether jieba takes a word for a person's name, as a dictionary word or as tagged (黄玉|霞)."""
    tag = word_tag(word)
    if tag is not None:
        return tag in PERSON_TAGS
    return 2 <= len(word) <= 4 and tagged_words(word)[0][1] in PERSON_TAGS


def is_name(word: str) -> bool:
    """Tell whether jieba tags a word as a name: a person, place, organisation or other proper noun."""
    return word_tag(word) in NAME_TAGS or (
        word_tag(word) is None and any(tag in NAME_TAGS for _, tag in tagged_words(word))
    )
