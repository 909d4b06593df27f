"""nerkit/serving/allocator.py: after a burst of body-sized blocks is freed,
a fresh process keeps their pages until the heap is trimmed, then gives
them back (glibc; elsewhere trim_heap says it could not). The blocks are
made in a process of their own, whose heap holds nothing else, as a
server's does after its start."""

import json
import subprocess
import sys

import pytest

from nerkit.serving.allocator import MALLOC_TRIM

BURST = """
import gc, json, psutil
from nerkit.serving.allocator import trim_heap
process = psutil.Process()
trim_heap()
start = process.memory_info().rss
blocks = [bytes(65_000) for _ in range(3_000)]  # 195 MB of bodies' chunks
pinned = bytes(65_000)  # allocated above them: free() alone cannot shrink the heap's top
held = process.memory_info().rss - start
del blocks
gc.collect()
kept = process.memory_info().rss - start
trimmed = trim_heap()
print(json.dumps({"held": held, "kept": kept, "trimmed": trimmed, "after": process.memory_info().rss - start}))
"""


@pytest.mark.skipif(MALLOC_TRIM is None, reason="no malloc_trim in this C library")
def test_freed_pages_stay_until_the_heap_is_trimmed():
    run = subprocess.run([sys.executable, "-c", BURST], capture_output=True, text=True, check=True)
    memory = json.loads(run.stdout)
    assert memory["trimmed"] and memory["held"] > 100e6, memory
    assert memory["kept"] > 100e6, memory  # freed, but still the process's
    assert memory["kept"] - memory["after"] > 100e6, memory  # given back by the trim
