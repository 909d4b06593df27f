"""Annotate a large text collection with a trained pipeline, streaming and
resumable, in this process or on a Dask cluster: a local one (`--workers
N`) or an existing one (`--scheduler tcp://...`).

The input (a .jsonl or .txt file, gzipped or not, or a folder of them) is
read as a stream and cut into shards of --shard-size lines. Each shard
becomes one part file of JSON lines `{"id", "source", "line", "ents"}`,
written under a temporary name, flushed and renamed when complete, so a
rerun skips the finished parts and a killed run loses and duplicates
nothing. Bad lines and bad files go to errors.jsonl with their file and
line, and the run goes on. A manifest names the model (with a digest of its
files), spaCy's version, the inputs (size, modification time) and the
settings; a rerun that would mix its parts with another run's is refused,
saying what differs, unless --overwrite.

Each shard is annotated inside `nlp.memory_zone()`, in this process and on
every worker: the strings and lexemes of its texts are freed after it, and
the pipeline is loaded anew once the vocabulary's hash tables (which keep a
cell for every freed string) outgrow their bound, so a worker's memory stays
flat over a collection of any vocabulary. On a cluster
each worker loads the pipeline once (a Dask worker plugin): the `nlp` object
is never pickled from the client, which breaks spaCy's parser.
"""

import time
from contextlib import nullcontext
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

import spacy
from distributed import Client, WorkerPlugin, as_completed, get_worker
from spacy.language import Language
from tqdm import tqdm

from dlbook.annotation.collection import Limits, Shard, list_inputs, read_shards, source_name
from dlbook.annotation.output import PartWriter, check_manifest, check_output_location
from dlbook.common.cluster import local_cluster
from dlbook.common.entities import entities
from dlbook.common.loading import load_pipeline, model_digest, model_meta
from dlbook.common.machine import peak_rss_mb, rss_mb
from dlbook.common.renewal import RenewingPipeline, string_table_cells

PLUGIN_NAME = "dlbook-pipeline"


def load_for_annotation(model: str, gpu_id: int) -> Language:
    """The pipeline as annotate runs it: one BLAS and torch thread a process
    (more cores are used by more processes, which scale better than threads),
    and spaCy's doc_cleaner last, which drops each document's tensor (the
    tok2vec's or transformer's output, 64 floats a token for the CNN): only
    the entities are kept."""
    nlp = load_pipeline(model, gpu_id, one_thread=True)
    nlp.add_pipe("doc_cleaner")
    return nlp


class PipelineLoader(WorkerPlugin):
    """Dask worker plugin: each worker loads the pipeline at start (also a
    worker that replaces a lost one), and anew where its vocabulary's hash
    tables outgrew their bound (dlbook/common/renewal.py)."""

    def __init__(self, model: str, gpu_id: int):
        self.model = model
        self.gpu_id = gpu_id
        self.pipeline = None

    def setup(self, worker) -> None:
        self.pipeline = RenewingPipeline(lambda: load_for_annotation(self.model, self.gpu_id))

    def teardown(self, worker) -> None:
        self.pipeline = None


def annotate_texts(nlp: Language, texts: List[str], batch_size: int, memory_zone: bool = True) -> Dict[str, Any]:
    """The entities of each text, the words, and this process's memory and
    vocabulary after it; inside a memory zone, so that nothing of these texts
    stays in the vocabulary."""
    with nlp.memory_zone() if memory_zone else nullcontext():
        found, words = [], 0
        for doc in nlp.pipe(texts, batch_size=batch_size):
            found.append(entities(doc))
            words += len(doc)
    return {
        "ents": found,
        "words": words,
        "rss_mb": rss_mb(),
        "strings": len(nlp.vocab.strings),
        "string_table_cells": string_table_cells(nlp),
    }


def annotate_shard(pipeline: RenewingPipeline, texts: List[str], batch_size: int, memory_zone: bool) -> Dict:
    """annotate_texts, then the pipeline loaded anew where its tables outgrew
    their bound (only with memory zones: without, the strings are kept)."""
    result = annotate_texts(pipeline.nlp, texts, batch_size, memory_zone)
    renewed = memory_zone and pipeline.renew_if_grown()
    return {**result, "renewed": renewed}


def annotate_on_worker(texts: List[str], batch_size: int, memory_zone: bool) -> Dict[str, Any]:
    """A Dask task: annotate_shard with the worker's pipeline, and the
    worker's peak memory (MB)."""
    result = annotate_shard(get_worker().plugins[PLUGIN_NAME].pipeline, texts, batch_size, memory_zone)
    return {**result, "peak_rss_mb": peak_rss_mb(), "worker": get_worker().address}


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
    shards: Iterator[Shard], model: str, gpu_id: int, batch_size: int, memory_zone: bool, on_done: Callable
) -> Dict[str, Any]:
    """Each shard in turn through nlp.pipe, in its own memory zone."""
    start = time.perf_counter()
    pipeline = RenewingPipeline(lambda: load_for_annotation(model, gpu_id))
    load_seconds = time.perf_counter() - start
    trace = MemoryTrace()
    for shard in shards:
        result = annotate_shard(pipeline, [text for _, text, _ in shard.records], batch_size, memory_zone)
        trace.add("main", result)
        on_done(shard, result["ents"], result["words"])
    return {"startup_seconds": load_seconds, "peak_rss_mb_per_worker": peak_rss_mb(), **trace.summary()}


class MemoryTrace:
    """Each worker's memory and vocabulary after each of its shards, against
    the words it had annotated so far."""

    def __init__(self):
        self.points: Dict[str, List[Tuple[int, float, int, int]]] = {}
        self.words: Dict[str, int] = {}
        self.renewals = 0

    def add(self, worker: str, result: Dict[str, Any]) -> None:
        self.words[worker] = self.words.get(worker, 0) + result["words"]
        point = (self.words[worker], result["rss_mb"], result["strings"], result["string_table_cells"])
        self.points.setdefault(worker, []).append(point)
        self.renewals += bool(result.get("renewed"))

    def summary(self) -> Dict[str, Any]:
        return {
            "pipeline_renewals": self.renewals,
            "memory_trace": [
                {"worker": worker, "words": words, "rss_mb": rss, "strings": strings, "string_table_cells": cells}
                for worker, points in sorted(self.points.items())
                for words, rss, strings, cells in points
            ],
        }


def run_on_dask(
    shards: Iterator[Shard],
    model: str,
    gpu_id: int,
    batch_size: int,
    workers: int,
    scheduler: Optional[str],
    memory_zone: bool,
    on_done: Callable,
) -> Dict[str, Any]:
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
        trace = MemoryTrace()

        def collect(future) -> None:
            result = future.result()
            peaks.append(result["peak_rss_mb"])
            trace.add(result["worker"], result)
            on_done(in_flight.pop(future), result["ents"], result["words"])

        for shard in shards:
            if not shard.records:
                on_done(shard, [], 0)
                continue
            texts = [text for _, text, _ in shard.records]
            future = client.submit(annotate_on_worker, texts, batch_size, memory_zone, pure=False)
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
            **trace.summary(),
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
    limits: Limits = Limits(),
    gpu_id: int = -1,
    overwrite: bool = False,
    memory_zone: bool = True,
) -> Dict[str, Any]:
    """Annotate every line of the input into part files under output_dir;
    returns the counts and timings of this run. Bad lines and files are
    counted, never raised; a ValueError says why a run cannot start."""
    check_output_location(input_path, output_dir)
    inputs = list_inputs(input_path)
    sources = [source_name(path, input_path) for path in inputs]
    manifest = {
        "model": {**model_meta(model), "digest": model_digest(model)},
        "spacy": spacy.__version__,
        "inputs": [
            {"source": source, "size": path.stat().st_size, "mtime_ns": path.stat().st_mtime_ns}
            for source, path in zip(sources, inputs, strict=True)
        ],
        "settings": {
            "text_key": text_key,
            "id_key": id_key,
            "shard_size": shard_size,
            "max_line_bytes": limits.max_line_bytes,
            "max_text_chars": limits.max_text_chars,
        },
        "run": {"model": model, "workers": workers, "scheduler": scheduler, "batch_size": batch_size, "gpu_id": gpu_id},
    }
    changed_inputs = check_manifest(output_dir, manifest, overwrite)
    writer = PartWriter(output_dir)
    progress = Progress(inputs)
    skipped = 0

    def on_done(shard: Shard, ents, words: int) -> None:
        writer(shard, ents, words)
        progress.update(shard, words)

    def todo() -> Iterator[Shard]:
        nonlocal skipped
        for shard in read_shards(inputs, input_path, shard_size, text_key, id_key, writer.is_done, limits):
            if shard.done:
                skipped += 1
                progress.update(shard, 0)
                continue
            yield shard

    start = time.perf_counter()
    if workers == 0 and not scheduler:
        timings = run_in_process(todo(), model, gpu_id, batch_size, memory_zone, on_done)
    else:
        timings = run_on_dask(todo(), model, gpu_id, batch_size, workers, scheduler, memory_zone, on_done)
    progress.close()
    stale = writer.remove_stale()
    seconds = time.perf_counter() - start
    annotate_seconds = seconds - timings.get("cluster_seconds", 0.0) - timings["startup_seconds"]
    return {
        "records": writer.records,
        "errors": writer.errors,
        "errors_in_all": writer.collect_errors(sources),
        "parts_written": progress.shards - skipped,
        "parts_skipped": skipped,
        "parts_removed_as_stale": len(stale),
        "inputs_changed_since_last_run": changed_inputs,
        "words": writer.words,
        "seconds": seconds,
        "annotate_seconds": annotate_seconds,
        "words_per_second": writer.words / annotate_seconds if annotate_seconds > 0 else None,
        **timings,
    }
