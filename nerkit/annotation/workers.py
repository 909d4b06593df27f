"""Where the shards of an annotation run are annotated: in this process, or
as Dask tasks on a local cluster (`workers`) or an existing one
(`scheduler`). Each shard is annotated inside `nlp.memory_zone()`, so that
nothing of its texts stays in the vocabulary, and the pipeline is loaded
anew once the vocabulary's hash tables outgrow their bound
(nerkit/common/renewal.py): a worker's memory stays flat over a collection
of any vocabulary. On a cluster each worker loads the pipeline once (a Dask
worker plugin): the `nlp` object is never pickled from the client, which
breaks spaCy's parser.

A run may be watched (`RunWatch`): a probe runs where each shard was
annotated and its findings come back with the shard's result."""

import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterator, List, Optional

from distributed import Client, WorkerPlugin, as_completed, get_worker
from spacy.language import Language

from nerkit.annotation.collection import Shard
from nerkit.common.cluster import local_cluster
from nerkit.common.entities import entities
from nerkit.common.loading import load_pipeline
from nerkit.common.renewal import RenewingPipeline

PLUGIN_NAME = "nerkit-pipeline"
IN_PROCESS = "main"
# (shard, its entities per record, its words): what a run does with an annotated shard
OnDone = Callable[[Shard, List[List[Dict[str, Any]]], int], None]


@dataclass(frozen=True)
class RunWatch:
    """What an observer sees of a run: `probe(nlp)` runs after each shard
    where the shard was annotated (a module-level function: it travels to
    Dask workers) and `collect(worker, words, found)` receives what it found,
    in this process, as each shard completes."""

    probe: Callable[[Language], Dict[str, Any]]
    collect: Callable[[str, int, Dict[str, Any]], None]


def load_for_annotation(model: str, gpu_id: int) -> Language:
    """The pipeline as annotate runs it: one BLAS and torch thread a process
    (more cores are used by more processes, which scale better than threads),
    and spaCy's doc_cleaner last, which drops each document's tensor (the
    tok2vec's or transformer's output): only the entities are kept."""
    nlp = load_pipeline(model, gpu_id, one_thread=True)
    nlp.add_pipe("doc_cleaner")
    return nlp


class PipelineLoader(WorkerPlugin):
    """Dask worker plugin: each worker loads the pipeline at start (also a
    worker that replaces a lost one)."""

    def __init__(self, model: str, gpu_id: int):
        self.model = model
        self.gpu_id = gpu_id
        self.pipeline = None

    def setup(self, worker) -> None:
        self.pipeline = RenewingPipeline(lambda: load_for_annotation(self.model, self.gpu_id))

    def teardown(self, worker) -> None:
        self.pipeline = None


def annotate_shard(
    pipeline: RenewingPipeline, texts: List[str], batch_size: int, probe: Optional[Callable] = None
) -> Dict[str, Any]:
    """The entities of each text and the words, annotated inside a memory
    zone; then what `probe` finds, and the pipeline loaded anew where its
    tables outgrew their bound."""
    nlp = pipeline.nlp
    with nlp.memory_zone():
        found, words = [], 0
        for doc in nlp.pipe(texts, batch_size=batch_size):
            found.append(entities(doc))
            words += len(doc)
    observed = probe(nlp) if probe is not None else {}
    return {"ents": found, "words": words, "observed": observed, "renewed": pipeline.renew_if_grown()}


def annotate_on_worker(texts: List[str], batch_size: int, probe: Optional[Callable]) -> Dict[str, Any]:
    """A Dask task: annotate_shard with the worker's pipeline."""
    worker = get_worker()
    return {**annotate_shard(worker.plugins[PLUGIN_NAME].pipeline, texts, batch_size, probe), "worker": worker.address}


def run_in_process(
    shards: Iterator[Shard], model: str, gpu_id: int, batch_size: int, on_done: OnDone, watch: Optional[RunWatch]
) -> Dict[str, Any]:
    """Each shard in turn through nlp.pipe in this process.
    shards: the shards to annotate; model, gpu_id: the pipeline and its
    device; batch_size: texts a nlp.pipe batch; on_done: called with each
    annotated shard; watch: an observer of each shard, or None."""
    start = time.perf_counter()
    pipeline = RenewingPipeline(lambda: load_for_annotation(model, gpu_id))
    startup_seconds = time.perf_counter() - start
    renewals = 0
    for shard in shards:
        result = annotate_shard(pipeline, [text for _, text, _ in shard.records], batch_size, watch and watch.probe)
        renewals += result["renewed"]
        if watch is not None:
            watch.collect(IN_PROCESS, result["words"], result["observed"])
        on_done(shard, result["ents"], result["words"])
    return {"startup_seconds": startup_seconds, "pipeline_renewals": renewals}


@contextmanager
def dask_client(workers: int, scheduler: Optional[str]) -> Iterator[Client]:
    """A client of the scheduler, or of a local cluster of `workers`
    one-thread processes that closes with it."""
    if scheduler:
        with Client(scheduler) as client:
            yield client
    else:
        with local_cluster(workers) as cluster, Client(cluster) as client:
            yield client


def run_on_dask(
    shards: Iterator[Shard], model: str, gpu_id: int, batch_size: int, client: Client, on_done: OnDone,
    watch: Optional[RunWatch],
) -> Dict[str, Any]:  # fmt: skip
    """Shards as Dask tasks, at most two per worker in flight so that memory
    stays flat; a task lost with its worker is retried by Dask.
    shards: the shards to annotate; model, gpu_id: the pipeline each worker
    loads and its device; batch_size: texts a nlp.pipe batch; client: a Dask
    client; on_done: called with each annotated shard, in this process;
    watch: an observer of each shard, or None."""
    start = time.perf_counter()
    client.register_plugin(PipelineLoader(model, gpu_id), name=PLUGIN_NAME)
    startup_seconds = time.perf_counter() - start
    max_in_flight = 2 * max(1, len(client.scheduler_info()["workers"]))
    in_flight: Dict[Any, Shard] = {}
    finished = as_completed()
    renewals = 0

    def collect(future) -> None:
        nonlocal renewals
        result = future.result()
        renewals += result["renewed"]
        if watch is not None:
            watch.collect(result["worker"], result["words"], result["observed"])
        on_done(in_flight.pop(future), result["ents"], result["words"])

    for shard in shards:
        if not shard.records:
            on_done(shard, [], 0)
            continue
        texts = [text for _, text, _ in shard.records]
        future = client.submit(annotate_on_worker, texts, batch_size, watch and watch.probe, pure=False)
        in_flight[future] = shard
        finished.add(future)
        while len(in_flight) >= max_in_flight:
            collect(next(finished))
    for future in finished:
        collect(future)
    return {"startup_seconds": startup_seconds, "pipeline_renewals": renewals}
