"""Annotate a large text collection with a trained pipeline, streaming and
resumable, in this process or on a Dask cluster: a local one (`workers`) or
an existing one (`scheduler`).

The input (a .jsonl or .txt file, gzipped or not, or a folder of them) is
read as a stream and cut into shards of `shard_size` lines. Each shard
becomes one part file of JSON lines `{"id", "source", "line", "ents"}`,
written under a temporary name, flushed and renamed when complete, so a
rerun skips the finished parts and a killed run loses and duplicates
nothing. Bad lines and bad files go to errors.jsonl with their file and
line, and the run goes on. A manifest names the model (with a digest of its
files), spaCy's version, the inputs (size, modification time) and the
settings; a rerun that would mix its parts with another run's is refused,
saying what differs, unless `overwrite`.
"""

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import spacy
from tqdm import tqdm

from nerkit.annotation.collection import LineLimits, Shard, list_inputs, read_shards, source_name
from nerkit.annotation.output import PartWriter, check_manifest, check_output_location
from nerkit.annotation.workers import RunWatch, dask_client, run_in_process, run_on_dask
from nerkit.common.loading import model_digest, model_meta


@dataclass(frozen=True)
class AnnotateOptions:
    """How a collection is read and annotated; the defaults are the command's."""

    workers: int = 0  # 0: in this process; N: a local Dask cluster of N one-thread processes
    scheduler: Optional[str] = None  # an existing Dask scheduler (tcp://host:8786)
    text_key: str = "text"
    id_key: str = "id"
    batch_size: int = 64
    shard_size: int = 1000
    line_limits: LineLimits = field(default_factory=LineLimits)
    gpu_id: int = -1
    overwrite: bool = False

    @property
    def on_dask(self) -> bool:
        return bool(self.workers or self.scheduler)


class Progress:
    """A progress bar over the input bytes, with shards, documents and words/s."""

    def __init__(self, inputs: List[Path]):
        self.bar = tqdm(
            total=sum(p.stat().st_size for p in inputs), unit="B", unit_scale=True, desc="annotate", disable=None
        )
        self.started = time.perf_counter()
        self.done_bytes: Dict[str, int] = {}
        self.shards = self.docs = self.words = self.skipped = 0

    def update(self, shard: Shard, words: int) -> None:
        previous = self.done_bytes.get(shard.source, 0)
        if shard.end_byte > previous:
            self.bar.update(shard.end_byte - previous)
            self.done_bytes[shard.source] = shard.end_byte
        self.shards += 1
        self.skipped += shard.done
        self.docs += len(shard.records)
        self.words += words
        rate = self.words / (time.perf_counter() - self.started)
        self.bar.set_postfix(shards=self.shards, docs=self.docs, words_s=f"{rate:,.0f}", refresh=False)


def run_manifest(model: str, inputs: List[Path], sources: List[str], options: AnnotateOptions) -> Dict[str, Any]:
    """What a rerun must match (the model's digest, spaCy, the inputs, the
    reading settings) and how this run ran."""
    limits = options.line_limits
    return {
        "model": {**model_meta(model), "digest": model_digest(model)},
        "spacy": spacy.__version__,
        "inputs": [
            {"source": source, "size": path.stat().st_size, "mtime_ns": path.stat().st_mtime_ns}
            for source, path in zip(sources, inputs, strict=True)
        ],
        "settings": {
            "text_key": options.text_key,
            "id_key": options.id_key,
            "shard_size": options.shard_size,
            "max_line_bytes": limits.max_line_bytes,
            "max_text_chars": limits.max_text_chars,
        },
        "run": {
            "model": model,
            "workers": options.workers,
            "scheduler": options.scheduler,
            "batch_size": options.batch_size,
            "gpu_id": options.gpu_id,
        },
    }


def annotate(
    model: str,
    input_path: Path,
    output_dir: Path,
    options: AnnotateOptions = AnnotateOptions(),
    watch: Optional[RunWatch] = None,
) -> Dict[str, Any]:
    """Annotate every line of the input into part files under output_dir;
    returns the counts and timings of this run. Bad lines and files are
    counted, never raised; a NerkitError says why a run cannot start.
    `watch` observes each shard where it is annotated (the benchmarks)."""
    check_output_location(input_path, output_dir)
    inputs = list_inputs(input_path)
    sources = [source_name(path, input_path) for path in inputs]
    changed_inputs = check_manifest(output_dir, run_manifest(model, inputs, sources, options), options.overwrite)
    writer = PartWriter(output_dir)
    progress = Progress(inputs)

    def on_done(shard: Shard, ents, words: int) -> None:
        writer(shard, ents, words)
        progress.update(shard, words)

    def todo() -> Iterator[Shard]:
        read = (options.shard_size, options.text_key, options.id_key, writer.is_done, options.line_limits)
        for shard in read_shards(inputs, input_path, *read):
            if shard.done:
                progress.update(shard, 0)
            else:
                yield shard

    start = time.perf_counter()
    run = (model, options.gpu_id, options.batch_size)
    if not options.on_dask:
        timings = {"cluster_seconds": 0.0, **run_in_process(todo(), *run, on_done, watch)}
    else:
        with dask_client(options.workers, options.scheduler) as client:
            cluster_seconds = time.perf_counter() - start
            timings = {"cluster_seconds": cluster_seconds, **run_on_dask(todo(), *run, client, on_done, watch)}
    progress.bar.close()
    stale = writer.remove_stale()
    seconds = time.perf_counter() - start
    annotate_seconds = seconds - timings["cluster_seconds"] - timings["startup_seconds"]
    return {
        "records": writer.records,
        "errors": writer.errors,
        "errors_in_all": writer.collect_errors(sources),
        "parts_written": progress.shards - progress.skipped,
        "parts_skipped": progress.skipped,
        "parts_removed_as_stale": len(stale),
        "inputs_changed_since_last_run": changed_inputs,
        "words": writer.words,
        "seconds": seconds,
        "annotate_seconds": annotate_seconds,
        "words_per_second": writer.words / annotate_seconds if annotate_seconds > 0 else None,
        **timings,
    }
