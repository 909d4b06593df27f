"""Annotate a large text collection with a trained pipeline, streaming and
resumable, in this process (`nlp.pipe`, with `n_process` for CPU pipelines)
or on a Dask cluster: a local one (`--workers N`) or an existing one
(`--scheduler tcp://...`).

The input (a .jsonl or .txt file, gzipped or not, or a folder of them) is
read as a stream and cut into shards of --shard-size lines. Each shard
becomes one part file of JSON lines `{"id": ..., "ents": [...]}`, written
under a temporary name and renamed when complete, so a rerun skips the
finished parts and a killed run loses and duplicates nothing. Bad input lines
go to errors.jsonl with their file and line number. A manifest names the
model, the spaCy version, the inputs and the settings; a rerun that differs
from it is refused unless --overwrite.

On a cluster each worker loads the pipeline once (a Dask worker plugin): the
`nlp` object is never pickled from the client, which breaks spaCy's parser.
"""

import time
from collections import deque
from pathlib import Path
from typing import Any, Callable, Deque, Dict, Iterator, List, Optional, Tuple

import dask
import spacy
from distributed import Client, LocalCluster, WorkerPlugin, as_completed, get_worker
from spacy.language import Language
from tqdm import tqdm

from dlbook.annotation.collection import Shard, list_inputs, read_shards
from dlbook.annotation.output import PartWriter, check_manifest
from dlbook.common.entities import entities
from dlbook.common.loading import load_pipeline, model_meta
from dlbook.common.machine import peak_rss_mb

PLUGIN_NAME = "dlbook-pipeline"


def load_for_annotation(model: str, gpu_id: int) -> Language:
    """The pipeline as annotate runs it: one BLAS and torch thread a process
    (more cores are used by more processes, which scale better than threads),
    and spaCy's doc_cleaner last, which drops each document's tensor (the
    tok2vec's or transformer's output, 64 floats a token for the CNN): only
    the entities are kept, and with n_process spaCy's workers would send the
    tensors back with the documents."""
    nlp = load_pipeline(model, gpu_id, one_thread=True)
    nlp.add_pipe("doc_cleaner")
    return nlp


class PipelineLoader(WorkerPlugin):
    """Dask worker plugin: each worker loads the pipeline once, at start
    (also a worker that replaces a lost one)."""

    def __init__(self, model: str, gpu_id: int):
        self.model = model
        self.gpu_id = gpu_id
        self.nlp = None

    def setup(self, worker) -> None:
        self.nlp = load_for_annotation(self.model, self.gpu_id)

    def teardown(self, worker) -> None:
        self.nlp = None


def annotate_on_worker(texts: List[str], batch_size: int) -> Tuple[List[List[Dict[str, Any]]], int, float]:
    """A Dask task: the entities of each text, the words, the worker's peak
    memory (MB)."""
    nlp = get_worker().plugins[PLUGIN_NAME].nlp
    docs = list(nlp.pipe(texts, batch_size=batch_size))
    return [entities(doc) for doc in docs], sum(len(doc) for doc in docs), peak_rss_mb()


class Progress:
    """A progress bar over the input bytes, with shards, documents and words/s."""

    def __init__(self, inputs: List[Path]):
        self.bar = tqdm(
            total=sum(p.stat().st_size for p in inputs), unit="B", unit_scale=True, desc="annotate", disable=None
        )
        self.started = time.perf_counter()
        self.done_bytes: Dict[str, int] = {}
        self.shards = self.docs = self.words = 0

    def update(self, shard: Shard, words: int) -> None:
        previous = self.done_bytes.get(shard.source, 0)
        if shard.end_byte > previous:
            self.bar.update(shard.end_byte - previous)
            self.done_bytes[shard.source] = shard.end_byte
        self.shards += 1
        self.docs += len(shard.records)
        self.words += words
        rate = self.words / (time.perf_counter() - self.started)
        self.bar.set_postfix(shards=self.shards, docs=self.docs, words_s=f"{rate:,.0f}", refresh=False)

    def close(self) -> None:
        self.bar.close()


def run_in_process(
    shards: Iterator[Shard], model: str, gpu_id: int, batch_size: int, n_process: int, on_done: Callable
) -> Dict[str, float]:
    """One nlp.pipe over the texts of all shards (so worker processes start
    once); each shard is handed on as soon as its last document is back.
    nlp.pipe gets plain texts, so that spaCy's worker processes tokenize
    them (with as_tuples, this process would make every Doc and serialise
    it to them); documents come back in input order, each shard's name is
    queued beside its texts."""
    start = time.perf_counter()
    nlp = load_for_annotation(model, gpu_id)
    load_seconds = time.perf_counter() - start
    pending: Dict[str, Tuple[Shard, List, List[int]]] = {}
    shard_of_text: Deque[str] = deque()

    def texts() -> Iterator[str]:
        for shard in shards:
            if not shard.records:
                on_done(shard, [], 0)
                continue
            pending[shard.name] = (shard, [], [0])
            for _, text in shard.records:
                shard_of_text.append(shard.name)
                yield text

    for doc in nlp.pipe(texts(), batch_size=batch_size, n_process=n_process):
        shard, ents, words = pending[shard_of_text.popleft()]
        ents.append(entities(doc))
        words[0] += len(doc)
        if len(ents) == len(shard.records):
            on_done(shard, ents, words[0])
            del pending[shard.name]
    return {"startup_seconds": load_seconds, "peak_rss_mb_per_worker": peak_rss_mb()}


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


def run_on_dask(
    shards: Iterator[Shard],
    model: str,
    gpu_id: int,
    batch_size: int,
    workers: int,
    scheduler: Optional[str],
    on_done: Callable,
) -> Dict[str, float]:
    """Shards as Dask tasks, at most two per worker in flight so memory stays
    flat; a task lost with its worker is retried by Dask."""
    start = time.perf_counter()
    if scheduler:
        cluster = None
        client = Client(scheduler)
    else:
        cluster = local_cluster(workers)
        client = Client(cluster)
    try:
        cluster_seconds = time.perf_counter() - start
        client.register_plugin(PipelineLoader(model, gpu_id), name=PLUGIN_NAME)
        load_seconds = time.perf_counter() - start - cluster_seconds
        max_in_flight = 2 * max(1, len(client.scheduler_info()["workers"]))
        in_flight: Dict[Any, Shard] = {}
        finished = as_completed()
        peaks: List[float] = []

        def collect(future) -> None:
            ents, words, worker_peak = future.result()
            peaks.append(worker_peak)
            on_done(in_flight.pop(future), ents, words)

        for shard in shards:
            if not shard.records:
                on_done(shard, [], 0)
                continue
            future = client.submit(annotate_on_worker, [text for _, text in shard.records], batch_size, pure=False)
            in_flight[future] = shard
            finished.add(future)
            while len(in_flight) >= max_in_flight:
                collect(next(finished))
        for future in finished:
            collect(future)
        return {
            "cluster_seconds": cluster_seconds,
            "startup_seconds": load_seconds,
            # the first shard's against the whole run's: flat memory keeps them close
            "peak_rss_mb_per_worker_first_shard": peaks[0] if peaks else None,
            "peak_rss_mb_per_worker": max(peaks, default=None),
        }
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def annotate(
    model: str,
    input_path: Path,
    output_dir: Path,
    *,
    workers: int = 0,
    scheduler: Optional[str] = None,
    text_key: str = "text",
    id_key: str = "id",
    batch_size: int = 64,
    shard_size: int = 1000,
    n_process: int = 1,
    gpu_id: int = -1,
    overwrite: bool = False,
) -> Dict[str, Any]:
    """Annotate every line of the input into part files under output_dir;
    returns the counts and timings of this run."""
    inputs = list_inputs(input_path)
    manifest = {
        "model": model_meta(model),
        "spacy": spacy.__version__,
        "inputs": [str(p) for p in inputs],
        "settings": {"text_key": text_key, "id_key": id_key, "shard_size": shard_size},
        "run": {
            "model": model,
            "workers": workers,
            "scheduler": scheduler,
            "batch_size": batch_size,
            "n_process": n_process,
            "gpu_id": gpu_id,
        },
    }
    check_manifest(output_dir, manifest, overwrite)
    writer = PartWriter(output_dir)
    progress = Progress(inputs)
    skipped = 0

    def on_done(shard: Shard, ents, words: int) -> None:
        writer(shard, ents, words)
        progress.update(shard, words)

    def todo() -> Iterator[Shard]:
        nonlocal skipped
        for shard in read_shards(inputs, shard_size, text_key, id_key, writer.is_done):
            if shard.done:
                skipped += 1
                progress.update(shard, 0)
                continue
            yield shard

    start = time.perf_counter()
    if workers == 0 and not scheduler:
        timings = run_in_process(todo(), model, gpu_id, batch_size, n_process, on_done)
    else:
        timings = run_on_dask(todo(), model, gpu_id, batch_size, workers, scheduler, on_done)
    progress.close()
    seconds = time.perf_counter() - start
    annotate_seconds = seconds - timings.get("cluster_seconds", 0.0) - timings["startup_seconds"]
    return {
        "records": writer.records,
        "errors": writer.errors,
        "errors_in_all": writer.collect_errors(),
        "parts_written": progress.shards - skipped,
        "parts_skipped": skipped,
        "words": writer.words,
        "seconds": seconds,
        "annotate_seconds": annotate_seconds,
        "words_per_second": writer.words / annotate_seconds if annotate_seconds > 0 else None,
        **timings,
    }
