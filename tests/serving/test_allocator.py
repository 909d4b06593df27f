"""nerkit/serving/allocator.py: after a burst of body-sized blocks is freed,
the process keeps their pages until the heap is trimmed, then gives them
back (glibc; elsewhere trim_heap says it could not)."""

import gc

import psutil
import pytest

from nerkit.serving.allocator import MALLOC_TRIM, trim_heap


@pytest.mark.skipif(MALLOC_TRIM is None, reason="no malloc_trim in this C library")
def test_freed_pages_stay_until_the_heap_is_trimmed():
    process = psutil.Process()
    trim_heap()
    start = process.memory_info().rss
    blocks = [bytes(65_000) for _ in range(3_000)]  # 195 MB of bodies' chunks
    pinned = bytes(65_000)  # allocated above them: free() alone cannot shrink the heap's top
    assert process.memory_info().rss - start > 100e6
    del blocks
    gc.collect()
    kept = process.memory_info().rss - start
    assert trim_heap()
    given_back = kept - (process.memory_info().rss - start)
    assert kept > 100e6 and given_back > 100e6, (kept, given_back)
    del pinned
