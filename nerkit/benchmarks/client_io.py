"""What an annotate run costs the process that drives it (the client): the
bytes it reads of any kind (files and sockets: Linux's rchar), the input
files it opens (a Python audit hook on `open`), and its peak memory (its
resident size, sampled). On a cluster the client should plan and count, and
the workers should read the input."""

import sys
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Dict, Iterator, Optional

import psutil

# the audit hook cannot be removed once added: one hook, pointed at the run being watched
_watched: Dict[str, Any] = {"prefix": None, "opens": 0}


def _audit(event: str, args: tuple) -> None:
    if event == "open" and _watched["prefix"] is not None and isinstance(args[0], (str, Path)):
        if str(args[0]).startswith(_watched["prefix"]):
            _watched["opens"] += 1


_hooked = False


@contextmanager
def client_io(input_prefix: str, sample_seconds: float = 0.05) -> Iterator[Dict[str, Any]]:
    """Around a run: fills the yielded dict, once the run ends, with
    `client_read_bytes`, `client_input_opens` (opens of paths under
    `input_prefix`) and `client_peak_rss_mb`."""
    global _hooked
    if not _hooked:
        sys.addaudithook(_audit)
        _hooked = True
    process = psutil.Process()
    found: Dict[str, Any] = {}
    peak = [process.memory_info().rss]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(sample_seconds):
            peak[0] = max(peak[0], process.memory_info().rss)

    sampler: Optional[threading.Thread] = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _watched.update(prefix=input_prefix, opens=0)
    read_before = process.io_counters().read_chars
    try:
        yield found
    finally:
        read_after = process.io_counters().read_chars
        done.set()
        sampler.join()
        peak[0] = max(peak[0], process.memory_info().rss)
        found.update(
            client_read_bytes=read_after - read_before,
            client_input_opens=_watched["opens"],
            client_peak_rss_mb=peak[0] / 2**20,
        )
        _watched.update(prefix=None, opens=0)
