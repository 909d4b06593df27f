"""scripts/benchmark_annotate.py end to end on a small collection: the
runs (one process, Dask with 1 and 2 workers), the baseline beside them, the tokenizer alone, the ratios."""

import json
import sys

import pytest

pytestmark = pytest.mark.slow


def test_benchmark_times_every_run_the_baseline_and_the_tokenizer(
    sm_model, other_model, tmp_path, run, script, sm_model_test_split
):
    output = tmp_path / "annotate_speed.json"
    run(
        [
            sys.executable,
            script("benchmark_annotate"),
            sm_model,
            sm_model_test_split,
            output,
            "--work-dir",
            tmp_path / "work",
            "--min-words",
            "20000",
            "--shard-size",
            "20",
            "--baseline",
            other_model,
        ]
    )
    result = json.loads(output.read_text())
    runs = result["runs"]
    assert list(runs) == ["baseline_in_process_1", "in_process_1", "dask_1", "dask_2"]
    assert runs["baseline_in_process_1"]["model"] == str(other_model)
    words = {r["words"] for r in runs.values()}
    assert len(words) == 1 and words.pop() >= 20_000 and all(r["errors"] == 0 for r in runs.values())
    assert result["tokenizer_alone"]["words"] == runs["in_process_1"]["words"]
    assert result["fastest"]["name"] in runs and result["fastest"]["name"] != "baseline_in_process_1"
    ratio = runs["in_process_1"]["words_per_second"] / runs["baseline_in_process_1"]["words_per_second"]
    assert result["ratio_to_baseline"]["in_process_1"] == pytest.approx(ratio)
    assert result["dask_speedup"] == pytest.approx(
        runs["dask_2"]["words_per_second"] / runs["dask_1"]["words_per_second"]
    )
    assert result["dask_vs_in_process"] == pytest.approx(
        runs["dask_2"]["words_per_second"] / runs["in_process_1"]["words_per_second"]
    )
