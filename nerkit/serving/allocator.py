"""Memory given back to the system after a burst. CPython frees a request's
body to the C allocator, and glibc's malloc keeps the freed pages of its
heaps for later use, so a server's resident memory stays at its peak after
a burst of large bodies (measured: docs/serve.md). `malloc_trim(0)` returns
the free pages of every heap to the system; where the C library has no such
call (not glibc), nothing is done."""

import ctypes
import ctypes.util
from typing import Any, Optional


def _malloc_trim() -> Optional[Any]:
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):
        return None


MALLOC_TRIM = _malloc_trim()


def trim_heap() -> bool:
    """Gives the allocator's free pages back to the system; whether it could."""
    if MALLOC_TRIM is None:
        return False
    MALLOC_TRIM(0)
    return True
