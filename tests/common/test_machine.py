"""nerkit/common/machine.py: what a figure was measured on."""

import os

from nerkit.common.machine import blas_threads, describe_machine, peak_gpu_memory_mb, peak_rss_mb, stack_versions


def test_machine_description_names_the_cpu_and_its_cores():
    description = describe_machine(-1)
    assert description.startswith("CPU ") and description.endswith(f", {os.cpu_count()} cores")


def test_memory_threads_and_versions_of_this_process():
    assert peak_rss_mb() > 10 and peak_gpu_memory_mb(-1) is None
    assert isinstance(blas_threads(), int) and blas_threads() >= 1
    versions = stack_versions()
    assert versions["spacy"] == "3.8.18" and versions["spacy-transformers"] == "1.4.0" and versions["python"]
