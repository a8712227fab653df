"""The public-benchmark quality benchmark (benchmarks.quality, .ranking, .public_sets): metrics, ranking,
split, both baselines and the main path.

A tiny in-code benchmark stands in for ../shared/bench, so the test needs no data outside the repository.
"""

from __future__ import annotations

import json
from pathlib import Path

import jieba
import pytest

from benchmarks import quality, ranking
from benchmarks.common import machine, machine_line
from benchmarks.meaning import FUSED, MEANING_ALONE, WITH_MEANING
from benchmarks.public_sets import BenchSet, Passage, Query, half_of
from retrieval.index import bm25
from retrieval.index.scoring import MODELS
from retrieval.models import Chunk
from retrieval.parse.chunks import indexed_text
from retrieval.terms.tokens import Tokenizer, TokenizerConfig

PASSAGES = [
    {
        "id": "P1#0",
        "parent": "P1",
        "title": "许昌市工商联",
        "text": "许昌市工商联成立于1953年，是全市民营企业的联合组织。",
    },
    {
        "id": "P1#1",
        "parent": "P1",
        "title": "许昌市工商联",
        "text": "工商联下设十七家县级商会，会员企业超过三千家。",
    },
    {
        "id": "P2#0",
        "parent": "P2",
        "title": "莲城智能体",
        "text": "莲城智能体是一个面向企业的政务服务平台，2024年上线。",
    },
    {"id": "P3#0", "parent": "P3", "title": "鄢陵花木", "text": "鄢陵县以花木种植闻名，被称为中国花木之乡。"},
    {
        "id": "P4#0",
        "parent": "P4",
        "title": "長葛市",
        "text": "長葛市的蜂產品產業歷史悠久，蜂業協會負責行業自律。",
    },
]
QUERIES = [
    ("q1", "许昌市工商联成立于哪一年？", ["P1#0"]),
    ("q2", "工商联下面有多少家县级商会？", ["P1#1"]),
    ("q3", "莲城智能体是什么平台？", ["P2#0"]),
    ("q4", "哪个县被称为花木之乡？", ["P3#0"]),
    ("q5", "长葛市的蜂产品产业由谁负责自律？", ["P4#0"]),
    ("q6", "莲城智能体什么时候上线？", ["P2#0"]),
    ("q7", "鄢陵县种植什么闻名？", ["P3#0"]),
    ("q8", "会员企业有多少家？", ["P1#1"]),
]


def test_summarize_on_a_hand_computed_example() -> None:
    m = ranking.summarize([1, 3, None, 12, 2])
    assert m.questions == 5
    assert m.recall_at_1 == pytest.approx(1 / 5)
    assert m.recall_at_5 == pytest.approx(3 / 5)  # ranks 1, 3 and 2
    assert m.mrr_at_10 == pytest.approx((1 + 1 / 3 + 1 / 2) / 5)  # rank 12 is past the MRR depth
    assert ranking.summarize([]) == ranking.Metrics(0, 0.0, 0.0, 0.0)


def test_first_relevant_rank() -> None:
    assert ranking.first_relevant_rank(["a", "b", "c"], ["c", "b"]) == 2
    assert ranking.first_relevant_rank(["a", "b"], ["z"]) is None


def test_halves_are_stable_and_both_used() -> None:
    ids = [f"Q{i}" for i in range(200)]
    halves = [half_of(i) for i in ids]
    assert halves == [half_of(i) for i in ids]
    assert 70 < halves.count("tune") < 130
    # The first byte of SHA-256, not hash(): the same on every run and machine (0xba and 0xfd here).
    assert (half_of("DEV_0_QUERY_3"), half_of("DEV_0_QUERY_0")) == ("tune", "test")
    # Neighbouring ids are not bunched into one half (crc32's low bit would put 0-3 together).
    assert len({half_of(f"DEV_0_QUERY_{k}") for k in range(4)}) == 2


@pytest.mark.parametrize("model", MODELS)
def test_gold_ranks_equal_the_ranking_of_top_k(model: str) -> None:
    corpus = [["a", "b"], ["a", "c", "c"], ["d"], ["a", "b"], ["e", "f", "a"], ["b", "b", "c"]]
    queries = [["a", "b"], ["c"], ["d", "a"], ["z"], ["b", "b", "e"], ["f"]]
    gold = [[3], [1, 5], [0], [2], [4], [2]]  # 0 and 3 tie; golds 2 (q4) and 2 (q6) share no term
    index = bm25.build(corpus, model=model)
    expected = []
    for query, wanted in zip(queries, gold, strict=True):
        ids, _ = index.top_k(query, index.n_docs)
        expected.append(ranking.first_relevant_rank([str(i) for i in ids], [str(g) for g in wanted]))
    assert ranking.gold_ranks(index, queries, gold) == expected
    assert expected[3] is None and expected[5] is None


def test_answer_ranks_reorder_only_the_passages_answers_reorder(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = ["许昌商会培训", "许昌商会", "许昌", "商会", "天气"]
    tokenizer = Tokenizer([], TokenizerConfig())
    index = bm25.build([tokenizer.tokenize(t) for t in texts], model="lucene", k1=0.5, b=0.5)
    questions = ["许昌商会培训"] * 4
    queries = [tokenizer.query(q) for q in questions]
    gold = [[0], [1], [2], [4]]
    assert ranking.gold_ranks(index, queries, gold) == [1, 2, 3, None]
    searched = ranking.Searched(index, tokenizer)
    # The real coverage order keeps this BM25 order: the passage covering most of the question is first.
    assert ranking.answer_ranks(searched, questions, queries, gold, texts) == [1, 2, 3, None]
    # Answers reorder the first TYPED_DEPTH passages only: reversed, 0 and 1 swap and 2 keeps its rank.
    monkeypatch.setattr(ranking, "TYPED_DEPTH", 2)
    seen: list[list[str]] = []

    def reverse(
        asked: object, question: str, texts: list[str], scores: list[float]
    ) -> list[tuple[int, float]]:
        seen.append(texts)
        return [(i, scores[i]) for i in reversed(range(len(texts)))]

    monkeypatch.setattr(ranking, "coverage_order", reverse)
    assert ranking.answer_ranks(searched, questions, queries, gold, texts) == [2, 1, 3, None]
    assert seen[0] == ["许昌商会培训", "许昌商会"]  # the prepared texts of BM25's first two, best first


def test_product_text_is_what_the_index_sees_of_a_chunk() -> None:
    chunk = Chunk(0, "a1", "许昌市工商联", None, 1, "p.txt", "工商联下设十七家县级商会。")
    passage = Passage("P1#1", "许昌市工商联", "工商联下设十七家县级商会。", "P1")
    assert quality.product_text(passage) == indexed_text(chunk)
    # The fair baseline is given the very string chamber-qa indexes; the other one the text alone.
    assert quality.BASELINES[quality.BASELINE_TITLED](passage) == indexed_text(chunk)
    assert quality.BASELINES[quality.BASELINE_TEXT](passage) == chunk.text


def test_the_title_baseline_reads_the_headlines_the_text_baseline_does_not(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(quality, "derive_terms", lambda texts: [])
    # The same text in every passage: only the headlines tell them apart.
    text = "会议在会议室举行，大家讨论了工作安排。"
    passages = tuple(Passage(f"P{i}", t, text) for i, t in enumerate(("鄢陵花木", "长葛蜂业", "禹州钧瓷")))
    queries = tuple(Query(f"Q{i}", f"{p.title}的会议在哪里举行？", (p.id,)) for i, p in enumerate(passages))
    prepared = quality.Prepared(BenchSet("headlines", passages, queries))
    titled, alone = prepared.baselines[quality.BASELINE_TITLED], prepared.baselines[quality.BASELINE_TEXT]
    assert titled.passages == [jieba.lcut(f"{p.title} {p.text}") for p in passages]
    assert alone.passages == [jieba.lcut(p.text) for p in passages]
    assert titled.queries == alone.queries == [jieba.lcut(q.query) for q in queries]

    def found_first(baseline: str) -> float:
        halves = [prepared.metrics(quality.BASELINE_SETTING, h, baseline=baseline) for h in ("tune", "test")]
        return sum(m.recall_at_1 * m.questions for m in halves)

    assert found_first(quality.BASELINE_TITLED) == len(queries)
    assert found_first(quality.BASELINE_TEXT) == 1  # three ties: the lowest passage number ranks first


def _write_bench(root: Path) -> None:
    folder = root / "cmrc2018"
    folder.mkdir(parents=True)
    (folder / "corpus.jsonl").write_text(
        "\n".join(json.dumps({**p, "split": "dev"}, ensure_ascii=False) for p in PASSAGES), encoding="utf-8"
    )
    queries = [{"id": i, "query": q, "gold": g, "answers": [], "split": "dev"} for i, q, g in QUERIES]
    (folder / "queries.jsonl").write_text(
        "\n".join(json.dumps(q, ensure_ascii=False) for q in queries), encoding="utf-8"
    )


def test_main_runs_end_to_end_on_a_tiny_benchmark(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _write_bench(tmp_path)
    # A small grid: the test checks the plumbing, not the choice.
    monkeypatch.setattr(quality, "TOKENIZERS", (TokenizerConfig(),))
    monkeypatch.setattr(quality, "MODELS", ("lucene", "okapi"))
    monkeypatch.setattr(quality, "K1S", (0.5, 1.2))
    monkeypatch.setattr(quality, "BS", (0.75,))
    # derive_terms is retrieval's (tested in test_tokens.py) and loads jieba's tag table: a second or more.
    seen: list[list[str]] = []
    monkeypatch.setattr(quality, "derive_terms", lambda texts: seen.append(list(texts)) or ["县级商会"])
    assert {half_of(i) for i, _, _ in QUERIES} == {"tune", "test"}

    cache = tmp_path / "vectors"
    argv = ["--sets", "cmrc2018", "--bench-dir", str(tmp_path), "--limit", "7", "--json"]
    assert quality.main([*argv, "--vector-cache", str(cache)]) == 0
    out = json.loads(capsys.readouterr().out)
    result = out["sets"]["cmrc2018"]
    assert result["passages"] == len(PASSAGES)
    systems = [quality.BASELINE_TEXT, quality.BASELINE_TITLED, quality.DEFAULTS, quality.ANSWERS]
    meaning = [MEANING_ALONE, FUSED, WITH_MEANING]
    # Both baselines side by side, then the semantic rows (the model installs with the tests).
    assert list(result["test"]) == [*systems, quality.PER_SET, quality.SHARED, *meaning]
    assert out["semantic_mix"]["chosen"] is not None
    assert sorted(p.name for p in cache.glob("*/*.keys.npy")) == [
        "cmrc2018.passages.keys.npy",
        "cmrc2018.questions.keys.npy",
    ]
    test_half = sum(half_of(i) == "test" for i, _, _ in QUERIES[:7])
    for metrics in result["test"].values():
        assert metrics["questions"] == test_half
        assert 0 <= metrics["recall_at_1"] <= metrics["recall_at_5"] <= 1
    # Every question of this corpus names its passage's distinctive words: the product finds them all.
    assert result["test"][quality.DEFAULTS]["recall_at_1"] == 1.0
    assert result["test"][quality.ANSWERS]["recall_at_1"] == 1.0
    # The dictionary is derived from whole paragraphs (chunks joined back), as the index writer reads them.
    assert seen == [[PASSAGES[0]["text"] + PASSAGES[1]["text"], *(p["text"] for p in PASSAGES[2:])]]


def test_domain_terms_are_derived_terms_then_headlines(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(quality, "derive_terms", lambda texts: ["县级商会"])
    bench = BenchSet("x", tuple(Passage(p["id"], p["title"], p["text"]) for p in PASSAGES), ())
    assert quality.domain_terms(bench) == ["县级商会", "许昌市工商联", "莲城智能体", "鄢陵花木", "長葛市"]


def test_report_is_a_markdown_table_per_half() -> None:
    m = ranking.Metrics(10, 0.5, 0.8, 0.625)
    setting = quality.default_setting()
    row = quality.SetResult(
        "drcd", 2000, setting, {"test": {quality.DEFAULTS: m}, "tune": {quality.DEFAULTS: m}}
    )
    report = quality.report([row], setting, 12.3)
    assert "| drcd | 2,000 | chamber-qa defaults | 10 | 0.500 | 0.800 | 0.625 |" in report
    assert report.index("Test half") < report.index("Tune half")
    assert machine_line(machine()).split("; load average")[0] in report and "wall time 12 s" in report


def test_main_names_a_missing_benchmark(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert quality.main(["--sets", "drcd", "--bench-dir", str(tmp_path)]) == 2
    assert f"no benchmark drcd in {tmp_path}" in capsys.readouterr().err
