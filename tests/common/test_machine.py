"""nerkit/common/machine.py: what a figure was measured on."""

import os

from nerkit.common.machine import (
    blas_threads,
    describe_machine,
    git_commit,
    peak_gpu_memory_mb,
    peak_rss_mb,
    stack_versions,
    with_run_record,
)


def test_machine_description_names_the_cpu_and_its_cores():
    description = describe_machine(-1)
    assert description.startswith("CPU ") and description.endswith(f", {os.cpu_count()} cores")


def test_memory_threads_and_versions_of_this_process():
    assert peak_rss_mb() > 10 and peak_gpu_memory_mb(-1) is None
    assert isinstance(blas_threads(), int) and blas_threads() >= 1
    versions = stack_versions()
    assert versions["spacy"] == "3.8.18" and versions["spacy-transformers"] == "1.4.0" and versions["python"]


def test_a_run_record_says_when_where_at_which_commit_and_with_what(tmp_path, project_root):
    figures = with_run_record({"words_per_second": 1.0})
    record = figures["record"]
    assert figures["words_per_second"] == 1.0 and set(record) == {"date", "machine", "commit", "command", "versions"}
    assert record["date"].endswith("+00:00") and record["machine"]["cores"] == os.cpu_count()
    assert record["machine"]["memory_gb"] > 0 and record["machine"]["gpu"] is None
    assert record["versions"]["spacy"] == "3.8.18" and record["versions"]["python"]
    commit = git_commit(project_root)
    assert commit is None or len(commit.removesuffix("-dirty")) == 40  # None where CI copies a tree without .git
    assert git_commit(tmp_path) is None  # not a checkout
