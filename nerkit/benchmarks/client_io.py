"""What an annotate run costs the process that drives it (the client): the
bytes it reads of any kind (files, sockets and pipes: Linux's rchar), the
input files it opens (a Python audit hook on `open`), and its peak memory
(its resident size, sampled). On a cluster the client should plan and
count, and the workers should read the input.

Linux adds the counters of a reaped child to its parent's, so the reads of
a local cluster's worker processes would land on the client when they exit:
each descendant's rchar is sampled while it lives, and its last sample is
taken off the client's once it has exited. The sampling thread's own reads
(psutil reads /proc for every process to find the children) are taken off
too: they are the measurement's, not the run's."""

import os
import sys
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Dict, Iterator

import psutil

# the audit hook cannot be removed once added: one hook, pointed at the run being watched
_watched: Dict[str, Any] = {"prefix": None, "opens": 0}
_hooked = False


def _audit(event: str, args: tuple) -> None:
    if event == "open" and _watched["prefix"] is not None and isinstance(args[0], (str, Path)):
        if os.path.abspath(args[0]).startswith(_watched["prefix"]):
            _watched["opens"] += 1


def _descendant_reads(process: psutil.Process) -> Dict[int, int]:
    reads = {}
    for child in process.children(recursive=True):
        try:
            reads[child.pid] = child.io_counters().read_chars
        except psutil.Error:  # gone between the listing and the read
            pass
    return reads


@contextmanager
def client_io(input_prefix: str, sample_seconds: float = 0.05) -> Iterator[Dict[str, Any]]:
    """Around a run: fills the yielded dict, once the run ends, with
    `client_read_bytes` (its descendants' reads taken off),
    `client_input_opens` (opens of paths under `input_prefix`) and
    `client_peak_rss_mb`."""
    global _hooked
    if not _hooked:
        sys.addaudithook(_audit)
        _hooked = True
    process = psutil.Process()
    found: Dict[str, Any] = {}
    peak = [process.memory_info().rss]
    before_children = _descendant_reads(process)
    children: Dict[int, int] = dict(before_children)
    done = threading.Event()

    sampler_reads = [0]

    def sample() -> None:
        while not done.wait(sample_seconds):
            peak[0] = max(peak[0], process.memory_info().rss)
            children.update(_descendant_reads(process))
        with open("/proc/thread-self/io", "rb") as own:  # this thread's counters alone
            sampler_reads[0] = int(own.read().split(b"rchar:")[1].split()[0])

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _watched.update(prefix=os.path.abspath(input_prefix), opens=0)
    read_before = process.io_counters().read_chars
    try:
        yield found
    finally:
        read_after = process.io_counters().read_chars
        done.set()
        sampler.join()
        peak[0] = max(peak[0], process.memory_info().rss)
        alive = {child.pid for child in process.children(recursive=True)}  # not reaped: not counted on the client yet
        children_read = sum(reads - before_children.get(pid, 0) for pid, reads in children.items() if pid not in alive)
        found.update(
            client_read_bytes=read_after - read_before - children_read - sampler_reads[0],
            client_input_opens=_watched["opens"],
            client_peak_rss_mb=peak[0] / 2**20,
        )
        _watched.update(prefix=None, opens=0)
