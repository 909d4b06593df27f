"""What the serve benchmarks read of a server: its memory (all its
processes) and latency percentiles."""

import subprocess
from typing import List

import psutil

LATENCY_PERCENTILES = (("p50", 0.5), ("p95", 0.95), ("p99", 0.99))


def server_memory_mb(server: subprocess.Popen) -> float:
    """Resident memory of the server and its worker processes (MB)."""
    process = psutil.Process(server.pid)
    return sum(p.memory_info().rss for p in [process, *process.children(recursive=True)]) / 2**20


def percentile(values: List[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]
