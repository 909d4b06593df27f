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
            "--shard-bytes",
            "4000",
            "--baseline",
            other_model,
            "--scale-lines",
            "3000",
        ]
    )
    result = json.loads(output.read_text())
    runs = result["runs"]
    assert list(runs) == ["baseline_in_process_1", "in_process_1", "dask_1", "dask_2"]
    assert runs["baseline_in_process_1"]["model"] == str(other_model)
    words = {r["words"] for r in runs.values()}
    assert len(words) == 1 and words.pop() >= 20_000 and all(r["errors"] == 0 for r in runs.values())
    assert result["tokenizer_alone"]["words"] == runs["in_process_1"]["words"]
    # the client opened no input file on Dask (the workers read it), and did in process
    assert runs["dask_2"]["client_input_opens"] == 0 < runs["in_process_1"]["client_input_opens"]
    assert all(r["client_read_bytes"] > 0 and r["client_peak_rss_mb"] > 50 for r in runs.values())
    scale = result["client_at_scale"]
    assert (scale["lines"], scale["records"], scale["errors"], scale["client_input_opens"]) == (3000, 3000, 0, 0)
    assert scale["client_read_share_of_input"] == scale["client_read_bytes"] / scale["input_bytes"]
    assert 0 < runs["dask_2"]["overhead_seconds"] < runs["dask_2"]["wall_seconds"]
    assert result["fastest"]["name"] in runs and result["fastest"]["name"] != "baseline_in_process_1"
    ratio = runs["in_process_1"]["words_per_second"] / runs["baseline_in_process_1"]["words_per_second"]
    assert result["ratio_to_baseline"]["in_process_1"] == pytest.approx(ratio)
    assert result["dask_speedup"] == pytest.approx(
        runs["dask_2"]["words_per_second"] / runs["dask_1"]["words_per_second"]
    )
    assert result["dask_vs_in_process"] == pytest.approx(
        runs["dask_2"]["words_per_second"] / runs["in_process_1"]["words_per_second"]
    )
