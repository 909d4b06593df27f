"""Where the shards of an annotation run are scanned and annotated: in this
process, or as Dask tasks on a local cluster (`workers`) or an existing one
(`scheduler`). The task that annotates a shard reads it from the input store
and publishes its part to the output store itself: only the plan goes to a
worker and only counts come back. Each chunk of a shard is annotated inside
`nlp.memory_zone()`, so that nothing of its texts stays in the vocabulary,
and the pipeline is loaded anew once the vocabulary's hash tables outgrow
their bound
(nerkit/common/renewal.py): a worker's memory stays flat over a collection
of any vocabulary. On a cluster each worker loads the pipeline once (a Dask
worker plugin): the `nlp` object is never pickled from the client, which
breaks spaCy's parser.

A run may be watched (`RunWatch`): a probe runs where each shard was
annotated and its findings come back with the shard's result."""

import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional

from distributed import Client, WorkerPlugin, get_worker, wait
from spacy.language import Language

from nerkit.annotation.collection import LineLimits, ShardPlan, ShardRecords, scan_shard
from nerkit.annotation.output import PartOutput, stored_shard
from nerkit.annotation.storage import Location
from nerkit.common.cluster import local_cluster
from nerkit.common.entities import entities
from nerkit.common.loading import load_pipeline
from nerkit.common.renewal import RenewingPipeline

PLUGIN_NAME = "nerkit-pipeline"
IN_PROCESS = "main"
# a chunk of a shard annotated in one memory zone: at most these records, these characters
CHUNK_RECORDS = 1000
CHUNK_CHARS = 1_000_000


@dataclass(frozen=True)
class ShardJob:
    """What every task of a run needs besides its shard: where to read and
    write, how to read a record, the nlp.pipe batch size."""

    source: Location
    output: Location
    text_key: str = "text"
    id_key: str = "id"
    limits: LineLimits = field(default_factory=LineLimits)
    batch_size: int = 64


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


def scan(job: ShardJob, shard: ShardPlan) -> Dict[str, Any]:
    """A task: the shard's lines and digest, and the record of its part
    where one is published (a rerun skips a shard whose part was made from
    the same bytes at the same line numbers)."""
    start = time.perf_counter()
    found = scan_shard(job.source.fs, shard, job.limits.max_line_bytes)
    try:
        stored = stored_shard(job.output, shard.name)
    except OSError:  # unreadable where it should be: the shard is made anew, and its task meets the error
        stored = None
    return {
        "lines": found.lines,
        "digest": found.digest,
        "error": found.error,
        "stored": None if stored is None else {"digest": stored["digest"], "first_line": stored["first_line"]},
        "seconds": time.perf_counter() - start,
    }


def annotate_part(
    pipeline: RenewingPipeline, job: ShardJob, shard: ShardPlan, first_line: int, probe: Optional[Callable] = None
) -> Dict[str, Any]:
    """A task: read the shard's records, annotate them a chunk at a time
    and publish its part, its bad lines and its record; returns the counts,
    its seconds (and what `probe` finds after the shard)."""
    start = time.perf_counter()
    out = PartOutput(job.output, shard)
    records = ShardRecords(job.source.fs, shard, first_line, job.text_key, job.id_key, job.limits, out.add_error)
    words, renewed, chunk, chunk_chars = 0, False, [], 0

    def annotate_chunk() -> None:
        nonlocal words, renewed, chunk_chars
        result = annotate_shard(pipeline, [text for _, text, _ in chunk], job.batch_size)
        words, renewed = words + result["words"], renewed or result["renewed"]
        out.add_records(
            {"id": f"{shard.source}:{line}" if record_id is None else record_id, "source": shard.source,
             "line": line, "ents": ents}
            for (record_id, _, line), ents in zip(chunk, result["ents"], strict=True)
        )  # fmt: skip
        chunk.clear()
        chunk_chars = 0

    try:
        for record in records:
            chunk.append(record)
            chunk_chars += len(record[1])
            if len(chunk) >= CHUNK_RECORDS or chunk_chars >= CHUNK_CHARS:
                annotate_chunk()
        if chunk:
            annotate_chunk()
        record = {
            "name": shard.name, "source": shard.source, "bytes": [shard.start, shard.end], "first_line": first_line,
            "lines": records.lines, "digest": records.digest, "records": out.records, "errors": out.errors,
            "words": words,
        }  # fmt: skip
        out.publish(record)
    finally:
        out.discard()
    seconds = time.perf_counter() - start
    observed = probe(pipeline.nlp) if probe is not None else {}
    return {**record, "observed": observed, "renewed": renewed, "seconds": seconds}


def annotate_on_worker(job: ShardJob, shard: ShardPlan, first_line: int, probe: Optional[Callable]) -> Dict[str, Any]:
    """A Dask task: annotate_part with the worker's pipeline."""
    worker = get_worker()
    pipeline = worker.plugins[PLUGIN_NAME].pipeline
    return {**annotate_part(pipeline, job, shard, first_line, probe), "worker": worker.address}


class Finished:
    """A task run at once in this process, as a future that is done."""

    def __init__(self, function: Callable, *args):
        try:
            self.value, self.error = function(*args), None
        except Exception as err:  # raised again by result(), as a Dask future does
            self.value, self.error = None, err

    def result(self) -> Any:
        if self.error is not None:
            raise self.error
        return self.value


class InProcess:
    """Runs the tasks here, one at a time, with one pipeline."""

    max_in_flight = 1
    scan_ahead = 1
    workers = 1

    def __init__(self, model: str, gpu_id: int, job: ShardJob, probe: Optional[Callable]):
        start = time.perf_counter()
        self.pipeline = RenewingPipeline(lambda: load_for_annotation(model, gpu_id))
        self.startup_seconds = time.perf_counter() - start
        self.job, self.probe = job, probe

    def scan(self, shard: ShardPlan) -> Finished:
        return Finished(scan, self.job, shard)

    def annotate(self, shard: ShardPlan, first_line: int) -> Finished:
        result = Finished(annotate_part, self.pipeline, self.job, shard, first_line, self.probe)
        if result.error is None:
            result.value["worker"] = IN_PROCESS
        return result

    def wait_any(self, futures: Iterable) -> List:
        return list(futures)


class OnDask:
    """Submits the tasks to a Dask cluster whose workers each load the
    pipeline once (a worker plugin); annotations go ahead of scans, at
    most two a worker in flight, so that memory stays flat. A task lost with
    its worker is run again elsewhere by Dask."""

    def __init__(self, client: Client, model: str, gpu_id: int, job: ShardJob, probe: Optional[Callable]):
        start = time.perf_counter()
        client.register_plugin(PipelineLoader(model, gpu_id), name=PLUGIN_NAME)
        self.startup_seconds = time.perf_counter() - start
        self.workers = max(1, len(client.scheduler_info()["workers"]))
        self.max_in_flight, self.scan_ahead = 2 * self.workers, 16 * self.workers
        self.client, self.job, self.probe = client, job, probe

    def scan(self, shard: ShardPlan):
        return self.client.submit(scan, self.job, shard, pure=False)

    def annotate(self, shard: ShardPlan, first_line: int):
        return self.client.submit(annotate_on_worker, self.job, shard, first_line, self.probe, pure=False, priority=1)

    def wait_any(self, futures: Iterable) -> List:
        return list(wait(list(futures), return_when="FIRST_COMPLETED").done)


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
