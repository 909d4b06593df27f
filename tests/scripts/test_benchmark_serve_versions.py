"""scripts/benchmark_serve_versions.py end to end: the working tree against
itself as two versions, a trained pipeline, a short run in turns; every
request of both answered and the ratio to the baseline given turn by turn."""

import json
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow


def test_two_versions_are_run_in_turns_and_compared(sm_model, sm_model_test_split, script, tmp_path):
    output = tmp_path / "versions.json"
    options = ["--seconds", "1", "--rounds", "1", "--clients", "2", "--big-texts", "1", "--no-slow-clients"]
    subprocess.run(
        [sys.executable, script("benchmark_serve_versions"), sm_model, sm_model_test_split, output,
         "--versions", "here=.,again=.", "--work-dir", tmp_path / "work", *options],
        check=True,
    )  # fmt: skip
    figures = json.loads(output.read_text())
    assert figures["baseline"] == "here" and figures["versions"] == {"here": ".", "again": "."}
    for name in ("here", "again"):
        summary = figures["summary"][name]
        assert summary["one_sentence_requests_per_second"] > 0 and summary["one_sentence_errors"] == 0
        assert len(summary["ratio_to_baseline_by_turn"]) == 1
        big = figures["turns"][name][0]["beside_big_requests"]["big"]
        assert big["statuses"] == {"200": big["requests"]}
    assert figures["summary"]["here"]["ratio_to_baseline_by_turn"] == [1.0]
    assert figures["record"]["commit"]
