"""What a figure was measured on and with: the CPU or GPU, the threads of
numpy's BLAS, peak memory (GPU and resident), the versions of the stack, and
a run's record (date, machine, commit, command, versions) for the JSON of a
measurement."""

import datetime
import os
import platform
import resource
import subprocess
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, Dict, Optional, Sequence

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


def package_versions(packages: Sequence[str]) -> Dict[str, Optional[str]]:
    """Python's version and each package's installed version (None: not installed)."""
    found: Dict[str, Optional[str]] = {"python": platform.python_version()}
    for package in packages:
        try:
            found[package] = version(package)
        except PackageNotFoundError:
            found[package] = None
    return found


def stack_versions() -> Dict[str, Optional[str]]:
    """Python and the versions of the transformer stack (torch's CUDA, cupy)."""
    import torch

    found = package_versions(("spacy", "thinc", "spacy-transformers", "transformers", "tokenizers", "torch"))
    try:
        import cupy  # its distribution is named after the CUDA version (cupy-cuda12x, ...)

        found["cupy"] = cupy.__version__
    except ImportError:
        found["cupy"] = None
    return {**found, "cuda": torch.version.cuda}


RECORDED_PACKAGES = ("spacy", "thinc", "numpy", "spacy-transformers", "transformers", "torch", "dask", "fastapi")


def git_commit(root: Path) -> Optional[str]:
    """The commit checked out at `root`, with "-dirty" where the tree holds
    changes to tracked files; None outside a git checkout."""
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True)
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    return head.stdout.strip() + ("-dirty" if status.stdout.strip() else "")


def with_run_record(figures: Dict[str, Any], gpu_id: int = -1) -> Dict[str, Any]:
    """A measurement's figures with the record of the run that made them
    under "record" (what every benchmark and evaluation JSON carries)."""
    return {"record": run_record(gpu_id), **figures}


def run_record(gpu_id: int = -1, root: Optional[Path] = None) -> Dict[str, Any]:
    """When, where and with what a figure was measured: UTC date and time, the
    machine (CPU model, cores, memory; the GPU where there is one), the commit
    of `root` (the working folder by default), the command line of this
    process, Python and package versions."""
    memory_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": {
            "cpu": describe_machine(-1),
            "cores": os.cpu_count(),
            "memory_gb": round(memory_gb, 1),
            "gpu": describe_machine(gpu_id) if gpu_id >= 0 else None,
        },
        "commit": git_commit(root or Path.cwd()),
        "command": " ".join([Path(sys.argv[0]).name if sys.argv[0] else "python", *sys.argv[1:]]),
        "versions": package_versions(RECORDED_PACKAGES),
    }
