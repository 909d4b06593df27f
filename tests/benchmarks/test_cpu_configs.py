"""nerkit/benchmarks/cpu_configs.py: the table of configs, with the worst
text variant, the sentence sets and the ratio to the baseline; the config
the dev split chooses."""

import pytest

from nerkit.benchmarks.cpu_configs import choice_markdown, dev_choice, markdown_table, spread


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
    table = markdown_table(results, speed, "before", [64, 256]).splitlines()
    assert "words/s (batch 64 / 256)" in table[0]
    assert table[2].startswith("| before | (as committed) | 300 | 1.0000 | 1.0000 | 0.9524 | 1 | 0 | 46/47 |")
    assert table[2].endswith("| 10,000 / 11,000 | 1.00 |")
    assert table[3].startswith("| narrow | `a.width=32` | 100 | 1.0000 | 1.0000 | 0.8696 | 3 | 0 | 46/47 |")
    assert table[3].endswith("| 25,000 / 30,000 | 2.50 |")
    assert "500,000 words/s" in table[-1]


def summary(**configs) -> dict:
    """A summary of benchmark_cpu_configs: name=(best dev F, words/s at batch 64)."""
    return {
        "speed_settings": {"batch_sizes": [64, 256]},
        "configs": {
            name: {
                "training": {"best_dev_score": dev},
                "gold_tokens": {"ents_f": 1.0 - dev},  # the test split, which must not matter
                "speed": {64: {"words_per_second": rate}, 256: {"words_per_second": 1e9 - rate}},
            }
            for name, (dev, rate) in configs.items()
        },
    }


def test_the_dev_split_chooses_and_speed_breaks_its_ties():
    choice = dev_choice(summary(a=(0.99, 90_000), b=(1.0, 10_000), c=(1.0, 20_000), d=(0.5, 99_000)))
    assert choice["config"] == "c"
    assert choice["tied_on_dev"] == ["b", "c"]
    assert choice["best_dev_score"] == 1.0
    assert choice_markdown(choice).startswith("Chosen on the dev split: `c` (best dev F")
    # a better dev F wins over speed
    assert dev_choice(summary(a=(0.99, 1.0), b=(0.98, 2.0)))["config"] == "a"


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
