"""Annotate a large text collection with a trained pipeline, streaming and
resumable, in this process or on a Dask cluster: a local one (`workers`) or
an existing one (`scheduler`); input and output on a local disk or on any
store fsspec opens (S3, GCS, Azure, HDFS, ...).

The client lists the inputs (names and sizes) and plans shards as byte
ranges (nerkit/annotation/collection.py); the workers scan each shard (its
lines and digest), then read, annotate and publish it themselves
(nerkit/annotation/workers.py): only the plan goes out and only counts come
back. Each shard becomes one part file of JSON lines `{"id", "source",
"line", "ents"}`, published whole, so a rerun skips the finished parts and a
killed run loses and duplicates nothing. Bad lines and bad files go to
errors.jsonl with their file and line, and the run goes on; so does a shard
that a storage error stops. A manifest names the model (with a digest of its
files), spaCy's version, the inputs (size, modification) and the settings; a
rerun that would mix its parts with another run's is refused, saying what
differs, unless `overwrite`.
"""

import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

import spacy
from tqdm import tqdm

from nerkit.annotation.collection import INPUT_SUFFIXES, LineLimits, ShardPlan, plan_shards
from nerkit.annotation.output import check_manifest, check_output_location, collect_errors, remove_stale
from nerkit.annotation.storage import Location, list_files
from nerkit.annotation.workers import InProcess, OnDask, RunWatch, ShardJob, dask_client
from nerkit.common.loading import model_digest, model_meta

# a shard: 256 KiB of input, about a second of one worker's annotation of the CNN
# (a short tail when the last shards finish; 4 parts a MiB of input)
SHARD_BYTES = 1 << 18


@dataclass(frozen=True)
class AnnotateOptions:
    """How a collection is read and annotated; the defaults are the command's."""

    workers: int = 0  # 0: in this process; N: a local Dask cluster of N one-thread processes
    scheduler: Optional[str] = None  # an existing Dask scheduler (tcp://host:8786)
    text_key: str = "text"
    id_key: str = "id"
    batch_size: int = 64
    shard_bytes: int = SHARD_BYTES
    line_limits: LineLimits = field(default_factory=LineLimits)
    gpu_id: int = -1
    overwrite: bool = False
    storage_options: Dict[str, Any] = field(default_factory=dict)  # fsspec's, for input and output

    @property
    def on_dask(self) -> bool:
        return bool(self.workers or self.scheduler)


def run_manifest(model: str, files: List[Dict[str, Any]], options: AnnotateOptions) -> Dict[str, Any]:
    """What a rerun must match (the model's digest, spaCy, the inputs, the
    reading settings) and how this run ran."""
    limits = options.line_limits
    return {
        "model": {**model_meta(model), "digest": model_digest(model)},
        "spacy": spacy.__version__,
        "inputs": [{"source": f["name"], "size": f["size"], "modified": f["modified"]} for f in files],
        "settings": {
            "text_key": options.text_key,
            "id_key": options.id_key,
            "shard_bytes": options.shard_bytes,
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


class RunTally:
    """What the client learns as shards finish: counts, the errors of shards
    that could not be annotated, and a progress bar over the input bytes."""

    def __init__(self, total_bytes: int, watch: Optional[RunWatch]):
        self.bar = tqdm(total=total_bytes, unit="B", unit_scale=True, desc="annotate", disable=None)
        self.started = time.perf_counter()
        self.watch = watch
        self.records = self.errors = self.words = self.written = self.skipped = self.renewals = 0
        self.annotate_seconds = self.scan_seconds = 0.0
        self.failed: Dict[str, List[Dict[str, Any]]] = {}

    def done(self, shard: ShardPlan, result: Dict[str, Any]) -> None:
        self.records += result["records"]
        self.errors += result["errors"]
        self.words += result["words"]
        self.written += 1
        self.renewals += result["renewed"]
        self.annotate_seconds += result["seconds"]
        if self.watch is not None:
            self.watch.collect(result["worker"], result["words"], result["observed"])
        self._advance(shard)

    def skip(self, shard: ShardPlan) -> None:
        self.skipped += 1
        self._advance(shard)

    def fail(self, shard: ShardPlan, line: int, problem: str) -> None:
        self.failed[shard.name] = [{"file": shard.source, "line": line, "error": problem}]
        self.errors += 1
        self._advance(shard)

    def _advance(self, shard: ShardPlan) -> None:
        self.bar.update(shard.size)
        rate = self.words / max(time.perf_counter() - self.started, 1e-9)
        self.bar.set_postfix(parts=self.written + self.skipped, words_s=f"{rate:,.0f}", refresh=False)


def run_plan(plan: List[ShardPlan], runner, tally: RunTally) -> None:
    """Scan the shards in order, a window ahead, to number each file's
    lines; annotate each shard whose part is not already published from the
    same bytes at the same lines, with at most `runner.max_in_flight`
    annotations at once. A shard whose task fails (a storage error) is an
    error of this run; after a shard that could not be read to its end, the
    file's later shards wait for a rerun (their line numbers are unknown)."""
    shards, scans, in_flight = iter(plan), deque(), {}
    next_line: Dict[str, int] = {}
    broken: Dict[str, str] = {}

    def collect(futures) -> None:
        for future in runner.wait_any(futures):
            shard, first_line = in_flight.pop(future)
            try:
                tally.done(shard, future.result())
            except Exception as err:  # a storage error: the shard's error, and the run goes on
                tally.fail(shard, first_line, f"not annotated (bytes {shard.start:,}-{shard.end:,}): "
                           f"{type(err).__name__}: {err}")  # fmt: skip

    while True:
        while len(scans) < runner.scan_ahead and (shard := next(shards, None)) is not None:
            scans.append((shard, runner.scan(shard)))
        if not scans:
            break
        shard, future = scans.popleft()
        first_line = next_line.setdefault(shard.source, 1)
        if shard.source in broken:
            tally.fail(shard, first_line, broken[shard.source])
            continue
        try:
            found = future.result()
            tally.scan_seconds += found["seconds"]
        except Exception as err:
            broken[shard.source] = f"not read: an earlier shard could not be scanned ({type(err).__name__}: {err})"
            tally.fail(shard, first_line, f"not scanned: {type(err).__name__}: {err}")
            continue
        next_line[shard.source] += found["lines"]
        if found["error"] and not shard.compressed:
            broken[shard.source] = (
                f"not read: the shard before could not be read to its end ({found['error']}), so the lines after "
                "it cannot be numbered; a rerun reads them"
            )
        if found["stored"] == {"digest": found["digest"], "first_line": first_line}:
            tally.skip(shard)
            continue
        in_flight[runner.annotate(shard, first_line)] = (shard, first_line)
        while len(in_flight) >= runner.max_in_flight:
            collect(in_flight)
    while in_flight:
        collect(in_flight)


def annotate(
    model: str,
    input_url: str,
    output_url: str,
    options: AnnotateOptions = AnnotateOptions(),
    watch: Optional[RunWatch] = None,
) -> Dict[str, Any]:
    """Annotate every line of the input into part files under output_url;
    returns the counts and timings of this run. Bad lines and files are
    counted, never raised; a NerkitError says why a run cannot start.
    `watch` observes each shard where it is annotated (the benchmarks)."""
    start = time.perf_counter()
    source = Location(str(input_url), options.storage_options)
    output = Location(str(output_url), options.storage_options)
    check_output_location(source, output)
    files = list_files(source, INPUT_SUFFIXES)
    changed_inputs = check_manifest(output, run_manifest(model, files, options), options.overwrite)
    plan = plan_shards(files, options.shard_bytes)
    job = ShardJob(source, output, options.text_key, options.id_key, options.line_limits, options.batch_size)
    tally = RunTally(sum(f["size"] for f in files), watch)
    probe = watch.probe if watch is not None else None
    if not options.on_dask:
        runner = InProcess(model, options.gpu_id, job, probe)
        cluster_seconds = 0.0
        run_plan(plan, runner, tally)
    else:
        cluster_start = time.perf_counter()
        with dask_client(options.workers, options.scheduler) as client:
            cluster_seconds = time.perf_counter() - cluster_start
            runner = OnDask(client, model, options.gpu_id, job, probe)
            run_plan(plan, runner, tally)
    tally.bar.close()
    stale = remove_stale(output, [shard.name for shard in plan])
    errors_in_all = collect_errors(output, plan, tally.failed)
    return run_summary(
        tally, runner, time.perf_counter() - start, cluster_seconds, errors_in_all, stale, changed_inputs
    )


def run_summary(
    tally: RunTally, runner, seconds: float, cluster_seconds: float, errors_in_all: int, stale: List[str],
    changed_inputs: List[str],
) -> Dict[str, Any]:  # fmt: skip
    """A run's counts and timings. Its overhead is its wall time less the
    workers' mean time in annotation tasks (what a run without start-up,
    scans, waits or shutdown would take)."""
    annotate_seconds = seconds - cluster_seconds - runner.startup_seconds
    busy_seconds = tally.annotate_seconds / runner.workers
    return {
        "records": tally.records,
        "errors": tally.errors,
        "errors_in_all": errors_in_all,
        "parts_written": tally.written,
        "parts_skipped": tally.skipped,
        "shards_failed": len(tally.failed),
        "parts_removed_as_stale": len(stale),
        "inputs_changed_since_last_run": changed_inputs,
        "words": tally.words,
        "seconds": seconds,
        "annotate_seconds": annotate_seconds,
        "words_per_second": tally.words / annotate_seconds if annotate_seconds > 0 else None,
        "cluster_seconds": cluster_seconds,
        "startup_seconds": runner.startup_seconds,
        "pipeline_renewals": tally.renewals,
        "workers": runner.workers,
        "worker_annotate_seconds": tally.annotate_seconds,
        "worker_scan_seconds": tally.scan_seconds,
        "annotating_words_per_second": tally.words / busy_seconds if busy_seconds > 0 else None,
        "overhead_seconds": seconds - busy_seconds,
    }
