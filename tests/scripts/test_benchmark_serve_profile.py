"""scripts/benchmark_serve_profile.py end to end: py-spy samples the working
tree's server under a short one-sentence load; both threads sampled, each
thread's shares summing to one."""

import json
import shutil
import subprocess
import sys

import pytest

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("py-spy") is None, reason="py-spy is not installed (requirements-dev.txt)"),
]


def test_the_working_trees_server_is_profiled_under_load(sm_model, sm_model_test_split, script, tmp_path):
    output = tmp_path / "profile.json"
    subprocess.run(
        [sys.executable, script("benchmark_serve_profile"), sm_model, sm_model_test_split, output,
         "--versions", "here=.", "--work-dir", tmp_path / "work", "--seconds", "3", "--clients", "4"],
        check=True,
    )  # fmt: skip
    profile = json.loads(output.read_text())["profiles"]["here"]
    assert set(profile) == {"event loop", "lanes"}
    for thread in profile.values():
        assert thread["samples"] > 0 and sum(thread["shares"].values()) == pytest.approx(1.0)
    assert profile["lanes"]["shares"].get("tok2vec", 0) > 0
