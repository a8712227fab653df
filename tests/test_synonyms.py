"""Synonyms: Cilin's synonym sets plus the hand-kept table, and their use for paraphrased questions."""

from __future__ import annotations

from retrieval import Archive
from retrieval.terms.synonyms import MIN_WORD_CHARS, hand_kept, synonyms


def test_cilin_synonym_sets_are_read() -> None:
    assert "智慧" in synonyms("聪明")
    assert "诉讼" in synonyms("打官司")


def test_hand_kept_table_adds_what_cilin_lacks() -> None:
    assert "企业家" in hand_kept()["老板"]
    assert "企业家" in synonyms("老板") and "业主" in synonyms("老板")  # both sources


def test_synonyms_exclude_the_word_itself_and_single_characters() -> None:
    for word in ("老板", "聪明", "家属", "钱财"):
        found = synonyms(word)
        assert word not in found
        assert all(len(s) >= MIN_WORD_CHARS for s in found)
        assert list(found) == sorted(found)


def test_unknown_and_loose_words_have_no_synonyms() -> None:
    assert synonyms("莲城智能体") == ()
    assert "闹" not in synonyms("搞")  # 搞's set (做 干 办 搞 打 弄 闹 ...) is too loose to use


def test_a_paraphrase_reaches_the_article_through_a_synonym(seed_archive: Archive) -> None:
    # The page says 智慧城市; the question says a "cleverer" city.
    answer = seed_archive.ask("许昌要把城市建得更聪明，具体在定什么规矩？")
    assert answer.answered
    top = answer.hits[0]
    assert "莲城智能体" in top.chunk.title
    assert "聪明" in top.matched_terms and "智慧" in top.highlights  # transparent: what stood in for it


def test_synonyms_only_stand_in_for_words_the_archive_never_prints(seed_archive: Archive) -> None:
    # 企业家 is printed in the archive, so it is matched as itself and never expanded.
    answer = seed_archive.ask("企业家培训")
    assert all("企业家" in h.highlights for h in answer.hits if "企业家" in h.matched_terms)
