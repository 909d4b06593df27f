"""nerkit/common/cluster.py: the local Dask cluster's workers run with
glibc's malloc defaults, one BLAS thread and no profiler, even after a
cluster with Dask's defaults was started in the same process, and the
caller's environment is left as it was."""

import os

import pytest

from nerkit.common.cluster import local_cluster


@pytest.mark.slow
def test_local_cluster_workers_keep_glibcs_malloc_defaults_one_blas_thread_and_no_profiler(monkeypatch):
    import dask
    from distributed import Client

    def settings():
        found = {name: os.environ.get(name) for name in ("MALLOC_TRIM_THRESHOLD_", "OPENBLAS_NUM_THREADS")}
        return {**found, "profile": dask.config.get("distributed.worker.profile.enabled")}

    # what a nanny of a default cluster leaves in its parent's environment
    monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", "65536")
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    with local_cluster(2) as local, Client(local) as client:
        workers = client.run(settings)
    assert len(workers) == 2
    expected = {"MALLOC_TRIM_THRESHOLD_": None, "OPENBLAS_NUM_THREADS": "1", "profile": False}
    assert all(worker == expected for worker in workers.values()), workers
    assert os.environ["MALLOC_TRIM_THRESHOLD_"] == "65536" and "OPENBLAS_NUM_THREADS" not in os.environ
