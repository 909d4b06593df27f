"""scripts/benchmark_annotate_soak.py end to end on a small collection: both
soaks traced, the zone against no zone in turns, the vocabulary freed only
with the zone."""

import json
import sys

import pytest

pytestmark = pytest.mark.slow


def test_soak_traces_every_worker_and_times_the_zone_in_turns(sm_model, tmp_path, run, script):
    output = tmp_path / "soak.json"
    run(
        [
            sys.executable,
            script("benchmark_annotate_soak"),
            sm_model,
            output,
            "--work-dir",
            tmp_path / "work",
            "--words",
            "30000",
            "--flat-after-words",
            "5000",
            "--ab-words",
            "6000",
            "--words-per-line",
            "20",
            "--shard-bytes",
            "8000",
            "--zone-lines",
            "50",
        ]
    )
    result = json.loads(output.read_text())
    assert list(result["soak"]) == ["in_process_1", "dask_2"]
    in_process = result["soak"]["in_process_1"]
    assert in_process["summary"]["words"] == 30_000 and in_process["summary"]["records"] == 1500
    assert list(in_process["memory_growth"]) == ["main"]
    dask_workers = result["soak"]["dask_2"]["memory_growth"]
    assert sum(g["words"] for g in dask_workers.values()) == 30_000
    # inside the zone the 30,000 new words leave no strings behind; without it
    # each of the 6,000 other words stays (as a string, with its shape and more)
    assert in_process["memory_growth"]["main"]["strings_growth_after"] == 0
    pairs = result["memory_zone_vs_none"]["pairs"]
    assert len(pairs) == 2
    for pair in pairs:
        assert pair["memory_zone"]["strings_growth"] == 0
        assert pair["no_memory_zone"]["strings_growth"] > 5000
        assert pair["ratio"] == pair["memory_zone"]["words_per_second"] / pair["no_memory_zone"]["words_per_second"]
    assert not (tmp_path / "work" / "in_process_1").exists()
