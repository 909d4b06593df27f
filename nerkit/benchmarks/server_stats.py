"""What the serve benchmarks read of a server process: its memory (all its
processes), once or every 50 ms while a block runs."""

import subprocess
import threading
from typing import Dict, List

import psutil


def server_memory_mb(server: subprocess.Popen) -> float:
    """Resident memory of the server and its worker processes (MB)."""
    process = psutil.Process(server.pid)
    return sum(p.memory_info().rss for p in [process, *process.children(recursive=True)]) / 2**20


class MemoryWatch:
    """The server's memory every 50 ms in a thread, while a block runs."""

    def __init__(self, server):
        self.server = server
        self.samples: List[float] = []
        self.stop = threading.Event()

    def __enter__(self):
        self.before = server_memory_mb(self.server)
        self.thread = threading.Thread(target=self._watch, daemon=True)
        self.thread.start()
        return self

    def _watch(self) -> None:
        while not self.stop.wait(0.05):
            self.samples.append(server_memory_mb(self.server))

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()
        self.after = server_memory_mb(self.server)

    def summary(self) -> Dict[str, float]:
        peak = max([self.before, self.after, *self.samples])
        return {"memory_mb_before": self.before, "memory_mb_peak": peak, "memory_mb_up": peak - self.before}
