"""A Dask cluster on this machine: one-thread worker processes on 127.0.0.1
(annotate's workers, benchmark-corpora's trainings)."""

import dask
from distributed import LocalCluster

# Two Dask defaults that slow the CNN on a worker: MALLOC_TRIM_THRESHOLD_
# turns off glibc's adaptive mmap threshold, so that every layer's output
# array is mapped and faulted in anew (3 times the page faults, a quarter
# slower); the worker's own statistical profiler samples every thread's
# stack 100 times a second (a sixth slower). docs/annotate.md has the same
# settings for the workers of a cluster of one's own.
DASK_WORKER_SETTINGS = {
    "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
    "distributed.worker.profile.enabled": False,
}


def local_cluster(workers: int) -> LocalCluster:
    """A Dask cluster of `workers` one-thread worker processes on 127.0.0.1,
    with DASK_WORKER_SETTINGS."""
    with dask.config.set(DASK_WORKER_SETTINGS):
        return LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
        )
