"""nerkit/benchmarks/corpora_summary.py: a config against stock (points,
the words/s ratio, the target) and the table of every corpus and config."""

import pytest

from nerkit.benchmarks.corpora_summary import compare, markdown_table


def config_result(f, seconds, words_per_second):
    return {
        "gold_f": {"mean": f, "sd": 0.0},
        "raw_f": {"mean": f, "sd": 0.0},
        "gold_f_per_label": {"PER": f},
        "training_seconds": {"mean": seconds},
        "words_per_second": {"words_per_second": words_per_second},
    }


def test_a_config_meets_the_target_only_with_the_points_and_the_speed():
    stock = config_result(0.50, 100, 10_000)
    assert compare(config_result(0.53, 90, 6_000), stock, 2.0, 0.5)["meets_target"] is True
    assert compare(config_result(0.51, 90, 6_000), stock, 2.0, 0.5)["meets_target"] is False  # 1 point
    slow = compare(config_result(0.60, 90, 4_000), stock, 2.0, 0.5)
    assert slow["meets_target"] is False and slow["words_per_second_ratio"] == pytest.approx(0.4)
    assert slow["gold_f_points"] == pytest.approx(10.0)


def test_the_table_has_a_row_per_corpus_and_config_with_the_gap_to_stock():
    stock, plan = config_result(0.50, 100, 10_000), config_result(0.53, 90, 6_000)
    summary = {"corpora": {"tweets": {"configs": {"stock": stock, "plan": plan}, "against_stock": {}}}}
    summary["corpora"]["tweets"]["against_stock"]["plan"] = compare(plan, stock, 2.0, 0.5)
    rows = markdown_table(summary).splitlines()
    assert len(rows) == 4
    assert rows[2].startswith("| tweets | stock | 0.500 ± 0.000 |") and rows[2].endswith("|  |")
    assert "| +3.0 / +3.0 points, × 0.60 words/s |" in rows[3] and "| PER 0.530 |" in rows[3]
