"""Text normalization shared by the parser and the tokenizer (retrieval/text.py)."""

from __future__ import annotations

import pytest

from retrieval.parse.text import (
    ends_sentence,
    is_letterspaced,
    join_lines,
    normalize,
    squeeze_line,
    to_halfwidth,
    without_links,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("商 会 组 织 参 与 银 商", "商会组织参与银商"),
        ("商 会 组 织 参 与 银 商 对 接 活 动 20 多 场", "商会组织参与银商对接活动20多场"),
        ("持 复 工 复 产 18 条 措 施》提 供 了 依 据 。", "持复工复产18条措施》提供了依据。"),
        ("郑 文 青 荣 获 第 一 届 河 南 省 民 营 经 济", "郑文青荣获第一届河南省民营经济"),
    ],
)
def test_squeeze_line_deletes_spaces_of_letterspaced_lines(raw: str, expected: str) -> None:
    assert is_letterspaced(raw)
    assert squeeze_line(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("市长等市级领导干部与 17 家商会组织", "市长等市级领导干部与17家商会组织"),
        ("与 17 家", "与17家"),
        ("育为主的各级各类培训 20 多场次，培", "育为主的各级各类培训20多场次，培"),
        ("1 月 24 日 ，", "1月24日，"),
        ("1 月 24 日 ， 全 国 工 商 联 公 布 的", "1月24日，全国工商联公布的"),
        ("会，被民政部门评定为 5A 级社会组织，", "会，被民政部门评定为5A级社会组织，"),
        ("协议；在“10·17”扶贫日活动中 ，", "协议；在“10·17”扶贫日活动中，"),
    ],
)
def test_squeeze_line_deletes_spaces_between_cjk_and_digits_or_punctuation(raw: str, expected: str) -> None:
    assert squeeze_line(raw) == expected


def test_squeeze_line_deletes_spaces_of_short_letterspaced_run() -> None:
    assert squeeze_line("20 多 场 次") == "20多场次"


@pytest.mark.parametrize(
    "line",
    ["MINSHENG JINGJI", "Xuchang Daily chamber of commerce"],
)
def test_squeeze_line_keeps_spaces_between_latin_words(line: str) -> None:
    assert squeeze_line(f"  {line}  ") == line


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("抓党建 促商会模范带动", "抓党建 促商会模范带动"),
        ("本报记者 魏东雅", "本报记者 魏东雅"),
        ("抓党建   促商会模范带动", "抓党建 促商会模范带动"),  # squeezed to a single space
        ("标准与城市：新征程 新优势 新局面", "标准与城市：新征程 新优势 新局面"),
    ],
)
def test_squeeze_line_keeps_one_space_in_headline_like_lines(raw: str, expected: str) -> None:
    assert not is_letterspaced(raw)
    assert squeeze_line(raw) == expected


def test_squeeze_line_drops_word_spaces_in_body_text_when_asked() -> None:
    assert squeeze_line("抓党建 促商会模范带动", keep_word_spaces=False) == "抓党建促商会模范带动"


def test_squeeze_line_strips_ideographic_spaces() -> None:
    assert squeeze_line("\u3000\u3000近年来，市工商联 ") == "近年来，市工商联"


def test_to_halfwidth_maps_letters_and_digits_to_ascii() -> None:
    assert to_halfwidth("２０２０ＡＢ") == "2020AB"
    assert to_halfwidth("ｃｈａｍｂｅｒ＋１％") == "chamber+1%"
    assert squeeze_line("２０２０ＡＢ") == "2020AB"


def test_to_halfwidth_keeps_chinese_punctuation() -> None:
    punct = "，。（）：；！？"
    assert to_halfwidth(punct) == punct
    assert squeeze_line(f"商会{punct}") == f"商会{punct}"


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (
            ["党建工作集体述职会议，我心情非常激", "动。过去一年来"],
            "党建工作集体述职会议，我心情非常激动。过去一年来",
        ),
        (["MINSHENG", "JINGJI"], "MINSHENG JINGJI"),
        (["建成", "1000", "多平方米"], "建成1000多平方米"),
        (["China", "商会"], "China商会"),
        (["助推“万人助", "企”活动"], "助推“万人助企”活动"),
        ([], ""),
    ],
)
def test_join_lines_adds_a_space_only_between_latin_words(lines: list[str], expected: str) -> None:
    assert join_lines(lines) == expected


@pytest.mark.parametrize(
    "line",
    [
        "了。",
        "…了。”",
        "好多了！”",
        "真是为群众办实事、办好事。”",
        "人民基本的生活需求……",
        "问题？",
        "签订协议；",
    ],
)
def test_ends_sentence_accepts_final_punctuation_and_closing_quotes(line: str) -> None:
    assert ends_sentence(line)


@pytest.mark.parametrize("line", ["市委统战工作领", "飘扬，", "“莲城智能体”", "《葛商》", "", "   "])
def test_ends_sentence_rejects_unfinished_lines(line: str) -> None:
    assert not ends_sentence(line)


def test_normalize_squeezes_lines_and_control_characters() -> None:
    assert normalize("商 会 组 织 参 与 银 商\n\n２０２０\x07年") == "商会组织参与银商 2020年"


@pytest.mark.parametrize(
    ("question", "words"),
    [
        ("商会在哪 https://www.xcrb.com/a.html", "商会在哪"),
        (
            "许昌市工商联在哪里办公？https://xcrb.com/a?b=1，谢谢",
            "许昌市工商联在哪里办公？ ，谢谢",
        ),  # ends at ，
        ("<b>万人助企</b>是什么", "万人助企 是什么"),
        ("写信给 editor@xcrb.com 可以吗", "写信给 可以吗"),
        ("Who leads the chamber? www.example.org/x", "Who leads the chamber?"),
        ("a < b 和 c > d", "a < b 和 c > d"),  # comparisons are no tags
        ("长葛市工商联举办了哪些培训？", "长葛市工商联举办了哪些培训？"),
    ],
)
def test_links_addresses_and_tags_are_taken_out_of_a_question(question: str, words: str) -> None:
    assert without_links(question) == words


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("本 报 讯 近日，郑州市二七区餐饮行业商会组", "本报讯 近日，郑州市二七区餐饮行业商会组"),
        ("本报记者 张 宁", "本报记者 张 宁"),  # two spaced characters may be a spaced name: kept
    ],
)
def test_squeeze_line_joins_a_spaced_out_word_inside_a_tight_line(raw: str, expected: str) -> None:
    assert squeeze_line(raw) == expected
