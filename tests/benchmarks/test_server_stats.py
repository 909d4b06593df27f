"""dlbook/benchmarks/server_stats.py: latency percentiles are values of the
sample; a server's memory counts its worker processes."""

import subprocess
import sys
import time

import psutil

from dlbook.benchmarks.server_stats import percentile, server_memory_mb


def test_percentiles_are_values_of_the_sample():
    values = [float(v) for v in range(1, 101)]
    assert (percentile(values, 0.5), percentile(values, 0.99), percentile(values, 1.0)) == (51.0, 100.0, 100.0)


def test_the_memory_of_a_server_is_that_of_its_process_and_its_children():
    child = "import time; x = bytearray(200 * 2**20); x[::4096] = b'1' * len(x[::4096]); time.sleep(60)"
    parent = f"import subprocess, sys, time; subprocess.Popen([sys.executable, '-c', {child!r}]); time.sleep(60)"
    server = subprocess.Popen([sys.executable, "-c", parent])
    try:
        process = psutil.Process(server.pid)
        deadline = time.monotonic() + 60
        while not process.children() or process.children()[0].memory_info().rss < 200 * 2**20:
            assert time.monotonic() < deadline, "the child never held its 200 MB"
        own = process.memory_info().rss / 2**20
        assert server_memory_mb(server) > own + 200
    finally:
        for child_process in psutil.Process(server.pid).children():
            child_process.kill()
        server.kill()
        server.wait()
