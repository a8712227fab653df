"""Normalize extracted PDF text: str -> str, and measure printed line width.

Pure functions shared by the parser (pages) and the tokenizer (questions), so both see the same text.
"""

from __future__ import annotations

import re
import unicodedata

# Sentence-final punctuation: a line ending in one of these may end a paragraph. Closing quotes and
# brackets count when they follow one (…。” is checked by stripping closers first).
SENTENCE_END = "。！？!?…；;"
CLOSERS = "”’」』）)》〉】\"'"
CJK_PUNCT = "，。、；：！？“”‘’（）《》〈〉【】「」『』—…·～"

# Full-width forms (U+FF01..U+FF5E) that are *not* Chinese punctuation: letters, digits and symbols
# become ASCII; ！（），：；？ etc. stay as printed.
_KEEP_FULLWIDTH = set("！＂＇（），－．：；？［］｛｝～")
_FULLWIDTH_MAP = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F) if chr(cp) not in _KEEP_FULLWIDTH} | {
    0x3000: 0x20
}


def is_cjk(ch: str) -> bool:
    """Tell whether a character is a CJK ideograph (or a kana/hangul letter)."""
    cp = ord(ch)
    return (
        0x4E00 <= cp <= 0x9FFF
        or 0x3400 <= cp <= 0x4DBF
        or 0x20000 <= cp <= 0x2FA1F
        or 0xF900 <= cp <= 0xFAFF
        or 0x3040 <= cp <= 0x30FF
        or 0xAC00 <= cp <= 0xD7AF
    )


def _is_wide(ch: str) -> bool:
    return is_cjk(ch) or ch in CJK_PUNCT or unicodedata.east_asian_width(ch) in "WF"


def width(line: str) -> float:
    """Return the printed width of a line in CJK character cells; layout spaces take none."""
    return sum(1.0 if _is_wide(ch) else 0.5 for ch in line if not ch.isspace())


def to_halfwidth(text: str) -> str:
    """Map full-width letters, digits and symbols to ASCII, keeping Chinese punctuation as printed."""
    return text.translate(_FULLWIDTH_MAP)


_SPACE = re.compile(r"\s")
# Three or more single CJK characters one space apart inside an otherwise tight line: type spaced out for
# emphasis (`本 报 讯 近日，…`), read as the word it prints. Two (`张 宁`) may be a spaced name and stay.
_SPACED_RUN = re.compile(r"(?<![\u4e00-\u9fff])[\u4e00-\u9fff](?: [\u4e00-\u9fff]){2,}(?![\u4e00-\u9fff])")


def _tight(ch: str) -> bool:
    """Characters next to which a space is never meaningful in Chinese text."""
    return is_cjk(ch) or ch in CJK_PUNCT


def is_letterspaced(line: str) -> bool:
    """Tell whether a justified line has spaces between most of its CJK characters (`商 会 组 织`)."""
    spaced = len(re.findall(r"(?<=[\u4e00-\u9fff]) +(?=[\u4e00-\u9fff])", line))
    tight = len(re.findall(r"(?<=[\u4e00-\u9fff])(?=[\u4e00-\u9fff])", line))
    return spaced >= 2 and spaced > tight


def squeeze_line(line: str, *, keep_word_spaces: bool = True) -> str:
    """Delete layout spaces in one line.

    A space goes when it touches CJK punctuation or sits between CJK and a digit or Latin letter
    (`与 17 家` -> `与17家`). A single space between two CJK characters is kept in headlines and names
    (`抓党建 促商会模范带动`, `本报记者 魏东雅`) unless the whole line is letter-spaced, or the caller
    says it is body text (`keep_word_spaces=False`). Spaces between Latin words stay.
    """
    line = to_halfwidth(line).strip()
    if not _SPACE.search(line):
        return line  # most lines of extracted text: nothing to squeeze
    letterspaced = is_letterspaced(line)
    if not letterspaced:
        line = _SPACED_RUN.sub(lambda m: m[0].replace(" ", ""), line)
    out: list[str] = []
    parts = re.split(r"(\s+)", line)
    for i, part in enumerate(parts):
        if not part.isspace():
            out.append(part)
            continue
        left = parts[i - 1][-1] if i > 0 and parts[i - 1] else ""
        right = parts[i + 1][0] if i + 1 < len(parts) and parts[i + 1] else ""
        both_cjk = is_cjk(left) and is_cjk(right)
        if both_cjk and keep_word_spaces and not letterspaced:
            out.append(" ")
        elif _tight(left) or _tight(right):
            continue
        else:
            out.append(" ")
    return "".join(out)


def join_lines(lines: list[str]) -> str:
    """Join hard-wrapped lines: no separator in Chinese, a space between two Latin words."""
    text = ""
    for line in lines:
        if (
            text
            and line
            and text[-1].isascii()
            and text[-1].isalpha()
            and line[0].isascii()
            and line[0].isalpha()
        ):
            text += " "
        text += line
    return text


def ends_sentence(line: str) -> bool:
    """Tell whether a line ends with sentence-final punctuation (closing quotes allowed after it)."""
    stripped = line.rstrip().rstrip(CLOSERS)
    return bool(stripped) and stripped[-1] in SENTENCE_END


def normalize(text: str) -> str:
    """Normalize free text (a question, a snippet) the way page text is normalized."""
    text = unicodedata.normalize("NFC", text)
    lines = (line if line.isprintable() else _printable(line) for line in text.splitlines())
    return " ".join(squeeze_line(line) for line in lines if line.strip())


def _printable(line: str) -> str:
    """Replace a line's control and format characters with spaces."""
    return "".join(ch if ch.isprintable() or ch == "\t" else " " for ch in line)


# A pasted link, e-mail address or markup tag in a question: not words to search or to read as English.
_LINKS_AND_TAGS = re.compile(
    r"(?:https?://|ftp://|www\.)[^\s\u3000-\u303f\uff00-\uffef\u4e00-\u9fff]+"
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
    r"|</?[A-Za-z][^<>\n]{0,200}>",
    re.ASCII,
)


def without_links(text: str) -> str:
    """A question's text with links, e-mail addresses and markup tags (<b>…</b>) taken out; the words
    between tags stay."""
    return " ".join(_LINKS_AND_TAGS.sub(" ", text).split()) if _LINKS_AND_TAGS.search(text) else text
