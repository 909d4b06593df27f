"""A Dask cluster on this machine: one-thread worker processes on 127.0.0.1
(annotate's workers, benchmark-corpora's trainings)."""

import os
from contextlib import contextmanager
from typing import Iterator

import dask
from distributed import LocalCluster

# Two Dask defaults that slow the CNN on a worker (measured in docs/annotate.md,
# which gives the same settings for a cluster of one's own): MALLOC_TRIM_THRESHOLD_
# turns off glibc's adaptive mmap threshold, so every layer's output array is
# mapped and faulted in anew; the worker's statistical profiler samples every
# thread's stack 100 times a second.
DASK_WORKER_SETTINGS = {
    "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
    "distributed.worker.profile.enabled": False,
}
MALLOC_VARIABLE = "MALLOC_TRIM_THRESHOLD_"


@contextmanager
def _spawn_environment() -> Iterator[None]:
    """A Dask nanny writes its pre-spawn variables into its own process's
    os.environ before it spawns a worker, so a cluster started earlier in
    this process with Dask's defaults leaves MALLOC_TRIM_THRESHOLD_ there
    for every later worker to inherit. The workers are spawned without it,
    and this process's environment is given back as it was."""
    before = dict(os.environ)
    os.environ.pop(MALLOC_VARIABLE, None)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(before)


def local_cluster(workers: int) -> LocalCluster:
    """A Dask cluster of `workers` one-thread worker processes on 127.0.0.1,
    with DASK_WORKER_SETTINGS."""
    with dask.config.set(DASK_WORKER_SETTINGS), _spawn_environment():
        return LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
        )
