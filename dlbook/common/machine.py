"""What a figure was measured on and with: the CPU or GPU, the threads of
numpy's BLAS, peak memory (GPU and resident), the versions of the stack."""

import os
import platform
import resource
from importlib.metadata import version
from typing import Dict, Optional

from threadpoolctl import threadpool_info


def describe_machine(gpu_id: int) -> str:
    if gpu_id >= 0:
        import torch

        return f"GPU {torch.cuda.get_device_name(gpu_id)}"
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            cpu = next(line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"CPU {cpu}, {os.cpu_count()} cores"


def blas_threads() -> Optional[int]:
    """Threads of numpy's BLAS, which runs the CNN's matrix products (every
    core unless limited)."""
    return max((pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"), default=None)


def reset_peak_gpu_memory(gpu_id: int) -> None:
    if gpu_id >= 0:
        import torch

        torch.cuda.reset_peak_memory_stats(gpu_id)


def peak_gpu_memory_mb(gpu_id: int) -> Optional[float]:
    """Peak GPU memory allocated by torch in this process (MB); None on the CPU."""
    if gpu_id < 0:
        return None
    import torch

    return torch.cuda.max_memory_allocated(gpu_id) / 2**20


def peak_rss_mb() -> float:
    """This process's peak resident memory (MB). VmHWM, because ru_maxrss
    keeps the high-water mark of the parent a worker process was forked from."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb() -> float:
    """This process's resident memory now (MB)."""
    import psutil

    return psutil.Process().memory_info().rss / 2**20


def stack_versions() -> Dict[str, Optional[str]]:
    """Python and the versions of the transformer stack (torch's CUDA, cupy)."""
    import torch

    packages = ("spacy", "thinc", "spacy-transformers", "transformers", "tokenizers", "torch")
    found: Dict[str, Optional[str]] = {name: version(name) for name in packages}
    try:
        import cupy  # its distribution is named after the CUDA version (cupy-cuda12x, ...)

        found["cupy"] = cupy.__version__
    except ImportError:
        found["cupy"] = None
    return {"python": platform.python_version(), **found, "cuda": torch.version.cuda}
