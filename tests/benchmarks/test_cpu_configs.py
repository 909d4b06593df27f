"""nerkit/benchmarks/cpu_configs.py: the table of configs, with the worst
text variant, the sentence sets and the ratio to the baseline; the config
the dev split chooses."""

import pytest

from nerkit.benchmarks.cpu_configs import dev_choice, markdown_table, spread


def scores(fp: int, fn: int = 0) -> dict:
    return {"tp": 10 - fn, "fp": fp, "fn": fn, "f": (2 * (10 - fn)) / (2 * (10 - fn) + fp + fn)}


def test_table_shows_the_worst_text_variant_the_sentence_sets_and_the_ratio():
    results = {
        name: {
            "overrides": overrides,
            "training": {"seconds": loop, "best_dev_score": 1.0},
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
    choice = dev_choice(results, {"before": 10_000, "narrow": 25_000}, 64)
    table = markdown_table(results, speed, "before", [64, 256], choice).splitlines()
    assert "words/s (batch 64 / 256)" in table[0]
    assert table[2].startswith("| before | (as committed) | 300 | 1.0000 | 1.0000 | 0.9524 | 1 | 0 | 46/47 |")
    assert table[2].endswith("| 10,000 / 11,000 | 1.00 |")
    assert table[3].startswith("| narrow | `a.width=32` | 100 | 1.0000 | 1.0000 | 0.8696 | 3 | 0 | 46/47 |")
    assert table[3].endswith("| 25,000 / 30,000 | 2.50 |")
    assert "500,000 words/s" in table[-3]
    assert table[-1].startswith("Chosen on the dev split: `narrow`")


def training(dev: float) -> dict:
    return {"training": {"best_dev_score": dev}, "scores": {"gold_tokens": {"ents_f": 1.0 - dev}}}


def test_the_dev_split_chooses_and_speed_breaks_its_ties():
    results = {"a": training(0.99), "b": training(1.0), "c": training(1.0), "d": training(0.5)}
    choice = dev_choice(results, {"a": 90_000, "b": 10_000, "c": 20_000, "d": 99_000}, 64)
    assert choice["config"] == "c"
    assert choice["tied_on_dev"] == ["b", "c"]
    assert choice["best_dev_score"] == 1.0
    # a better dev F wins over speed
    assert dev_choice({"a": training(0.99), "b": training(0.98)}, {"a": 1.0, "b": 2.0}, 64)["config"] == "a"


def test_the_spread_of_configs_that_differ_by_their_seed():
    results = {
        f"seed{seed}": {
            "scores": {
                "gold_tokens": {"ents_f": gold},
                "raw_text": {"as_converted": {"f": raw}, "pdf_web": {"f": raw - 0.01}},
            }
        }
        for seed, gold, raw in ((0, 1.0, 0.99), (1, 0.97, 0.96), (2, 0.994, 1.0))
    }
    found = spread(results)
    assert found["gold_tokens_f"] == pytest.approx({"mean": 0.988, "min": 0.97, "max": 1.0})
    assert found["raw_text_f.as_converted"] == pytest.approx({"mean": 0.9833333, "min": 0.96, "max": 1.0})
    assert found["raw_text_f.pdf_web"]["min"] == pytest.approx(0.95)
