"""dlbook/benchmarks/cpu_configs.py: timing in turns on a fake clock, and
the table of variants."""

import pytest

import dlbook.benchmarks.cpu_configs
from dlbook.benchmarks.cpu_configs import markdown_table, time_in_turns


def test_turns_give_each_run_its_words_per_second_without_the_warm_up_turn(fake_clock, monkeypatch):
    monkeypatch.setattr(dlbook.benchmarks.cpu_configs, "time", fake_clock)
    calls = []

    def run(seconds: float, words: int):
        def process() -> int:
            calls.append(seconds)
            fake_clock.advance(seconds * (2 if len(calls) <= 2 else 1))  # the warm-up turn is slower
            return words

        return process

    speed = time_in_turns({"slow": run(0.02, 100), "fast": run(0.01, 100)}, rounds=3)
    assert calls == [0.02, 0.01] * 4  # one warm-up turn, then three timed, in turns
    assert speed["slow"] == pytest.approx({"words_per_second": 5000.0, "min": 5000.0, "max": 5000.0})
    assert speed["fast"]["words_per_second"] == pytest.approx(10000.0)


def scores(fp: int, fn: int = 0) -> dict:
    return {"tp": 10 - fn, "fp": fp, "fn": fn, "f": (2 * (10 - fn)) / (2 * (10 - fn) + fp + fn)}


def test_table_shows_the_worst_text_variant_the_sentence_sets_and_the_ratio():
    results = {
        name: {
            "overrides": overrides,
            "training": {"seconds": loop},
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
