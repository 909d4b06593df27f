"""scripts/benchmark_cpu_configs.py: timing in turns, the table, and the
script end to end on a tiny corpus (two variants trained a few steps)."""

import json
import sys
import time

import pytest
from spacy.util import load_config

from benchmark_cpu_configs import markdown_table, time_in_turns
from conftest import ROOT, run


def sleeping_run(seconds: float, words: int):
    def process() -> int:
        time.sleep(seconds)
        return words

    return process


def test_turns_give_each_run_its_words_per_second_without_the_warm_up_turn():
    calls = []

    def counted() -> int:
        calls.append(1)
        time.sleep(0.01)
        return 100

    speed = time_in_turns({"slow": sleeping_run(0.02, 100), "counted": counted}, rounds=3)
    assert len(calls) == 4  # one warm-up turn, then three timed
    assert 3_000 < speed["slow"]["words_per_second"] <= 5_000  # 100 words in 20 ms, and a little more
    assert 6_000 < speed["counted"]["words_per_second"] <= 10_000
    assert speed["slow"]["min"] <= speed["slow"]["words_per_second"] <= speed["slow"]["max"]


def scores(fp: int, fn: int = 0) -> dict:
    return {"tp": 10 - fn, "fp": fp, "fn": fn, "f": (2 * (10 - fn)) / (2 * (10 - fn) + fp + fn)}


def test_table_shows_the_worst_text_variant_the_sentence_sets_and_the_ratio():
    results = {
        name: {
            "overrides": overrides,
            "training": {"loop_seconds": loop},
            "scores": {
                "gold_tokens": {"ents_f": 1.0},
                "raw_text": {
                    "as_converted": scores(0),
                    "upper_case": scores(fp),
                    "user_sentences": {"tp": 46, "fp": 0, "fn": 1, "f": 0.99},
                },
            },
        }
        for name, overrides, loop, fp in (("before", {}, 300, 1), ("narrow", {"a.width": "32"}, 100, 3))
    }
    speed = {
        "before@64": {"words_per_second": 10_000},
        "before@256": {"words_per_second": 11_000},
        "narrow@64": {"words_per_second": 25_000},
        "narrow@256": {"words_per_second": 30_000},
        "tokenizer": {"words_per_second": 500_000},
    }
    table = markdown_table(results, speed, "before", [64, 256]).splitlines()
    assert "words/s (batch 64 / 256)" in table[0]
    assert table[2].startswith("| before | (as committed) | 300 | 1.0000 | 0.9524 | 1 | 0 | 46/47 |")
    assert table[2].endswith("| 10,000 / 11,000 | 1.00 |")
    assert table[3].startswith("| narrow | `a.width=32` | 100 | 1.0000 | 0.8696 | 3 | 0 | 46/47 |")
    assert table[3].endswith("| 25,000 / 30,000 | 2.50 |")
    assert "500,000 words/s" in table[-1]


@pytest.mark.slow
def test_script_trains_scores_and_times_each_variant(tiny_corpus, tmp_path):
    output = tmp_path / "configs.json"
    run(
        [
            sys.executable,
            ROOT / "scripts" / "benchmark_cpu_configs.py",
            ROOT / "configs" / "sm.cfg",
            tiny_corpus,
            output,
            "--work-dir",
            tmp_path / "work",
            "--variant",
            "before:nlp.after_pipeline_creation=null,training.max_steps=6,training.eval_frequency=3",
            "--variant",
            "narrow:components.tok2vec.model.encode.width=32,training.max_steps=6,training.eval_frequency=3",
            "--sentences",
            f"user_sentences={ROOT / 'corpus' / 'eval' / 'user_sentences.jsonl'}",
            "--batch-sizes",
            "8,32",
            "--rounds",
            "1",
        ]
    )
    result = json.loads(output.read_text())
    assert result["baseline"] == "before" and list(result["variants"]) == ["before", "narrow"]
    assert result["speed_settings"]["batch_sizes"] == [8, 32] and result["speed_settings"]["blas_threads"] == 1
    narrow = result["variants"]["narrow"]
    assert narrow["overrides"]["components.tok2vec.model.encode.width"] == "32"
    assert [point["step"] for point in narrow["dev_curve"]] == [0, 3, 6]
    assert set(narrow["raw_text_tp_fp_fn"]) == {
        "as_converted",
        "sentence_case",
        "title_case",
        "upper_case",
        "nfkc",
        "pdf_ligatures",
        "pdf_web",
        "user_sentences",
    }
    assert set(narrow["speed"]) == {"8", "32"} and narrow["speed"]["8"]["words_per_second"] > 0
    assert result["variants"]["before"]["speed"]["8"]["ratio_to_baseline"] == 1.0
    assert result["tokenizer_speed"]["words_per_second"] > narrow["speed"]["8"]["words_per_second"]
    trained = load_config(tmp_path / "work" / "narrow" / "model-best" / "config.cfg")
    assert trained["components"]["tok2vec"]["model"]["encode"]["width"] == 32
    assert "| narrow |" in output.with_suffix(".md").read_text()
