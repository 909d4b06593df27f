"""nerkit/benchmarks/server_stats.py: a server's memory counts its worker
processes, and a watch sees its peak while a block runs."""

import subprocess
import sys
import time

import psutil

from nerkit.benchmarks.server_stats import MemoryWatch, server_memory_mb


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


def test_a_watch_sees_the_peak_of_memory_held_for_a_moment():
    code = "import time; time.sleep(0.5); x = bytearray(150 * 2**20); x[::4096] = b'1' * len(x[::4096]); time.sleep(60)"
    server = subprocess.Popen([sys.executable, "-c", code])
    try:
        with MemoryWatch(server) as memory:
            deadline = time.monotonic() + 60
            while server_memory_mb(server) < memory.before + 150 and time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(0.2)  # the watch's thread samples every 50 ms
    finally:
        server.kill()
        server.wait()
    summary = memory.summary()
    assert summary["memory_mb_up"] >= 150 and max(memory.samples) >= summary["memory_mb_before"] + 150
