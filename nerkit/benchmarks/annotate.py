"""Words per second of `annotate` on one machine: in this process and on a
local Dask cluster (1 and N workers), over a JSONL collection of at least a
million words made from the test texts. Start-up (cluster and model loading)
is reported apart from the annotation rate, with the peak memory per worker,
the run's overhead (its wall time less the workers' time annotating) and
what it cost the client (bytes read, input files opened, peak memory); with
--scale-lines, the client's cost on a file of that many lines. Beside them: the words/s of
the pipeline's tokenizer alone over the same texts (the ceiling of any spaCy
pipeline with that tokenizer), and with --baseline another pipeline (the
config before a change) annotating in one process right before the
pipeline's own one-process run, so that their ratio is taken side by side.
Writes one JSON."""

import json
import os
import shutil
import time
from dataclasses import replace
from pathlib import Path
from typing import Dict, List, Optional

import spacy
from spacy.tokens import DocBin
from wasabi import msg

from nerkit.annotation.run import AnnotateOptions, annotate
from nerkit.benchmarks.client_io import client_io
from nerkit.benchmarks.timing import time_in_turns, tokenizer_words
from nerkit.benchmarks.worker_memory import MemoryTrace
from nerkit.common.cluster import local_cluster
from nerkit.common.loading import load_pipeline
from nerkit.common.machine import describe_machine


def make_collection(test_path: Path, output_path: Path, min_words: int) -> Dict[str, int]:
    """A JSONL file of the test texts, one paragraph-sized text a line,
    repeated until it holds `min_words` words."""
    nlp = spacy.blank("en")
    texts = [doc.text for doc in DocBin().from_disk(test_path).get_docs(nlp.vocab)]
    words_per_pass = sum(len(nlp.make_doc(text)) for text in texts)
    passes = -(-min_words // words_per_pass)
    with output_path.open("w", encoding="utf8") as out:
        for i in range(passes):
            for j, text in enumerate(texts):
                out.write(json.dumps({"id": f"{i}-{j}", "text": text}) + "\n")
    return {"lines": passes * len(texts), "words": passes * words_per_pass}


def shard_texts(collection: Path, lines_per_group: int) -> List[List[str]]:
    """Every text of a JSONL collection made here, in groups of lines, read beforehand."""
    with collection.open(encoding="utf8") as lines:
        texts = [json.loads(line)["text"] for line in lines]
    return [texts[i : i + lines_per_group] for i in range(0, len(texts), lines_per_group)]


def client_at_scale(model: str, work_dir: Path, lines: int, workers: int, options: AnnotateOptions) -> Dict:
    """annotate on a local cluster of `workers` Dask workers, started
    beforehand, over a .txt file of `lines` short lines (a few words each):
    the input's bytes beside the bytes the client read, the input files it
    opened and its peak memory. The parts are removed after it."""
    collection = work_dir / "many_lines.txt"
    words = ["gradient descent", "the model", "a convolutional network", "deep learning", "k-means"]
    with collection.open("w", encoding="utf8") as out:
        for start in range(0, lines, 100_000):
            out.write("".join(f"{words[i % len(words)]} {i}\n" for i in range(start, min(start + 100_000, lines))))
    # the cluster is started before the measured run, so that no worker exits
    # inside it (Linux adds an exited child's reads to its parent's)
    with local_cluster(workers) as cluster:
        scheduled = replace(options, workers=0, scheduler=cluster.scheduler_address)
        run = timed_run(model, collection, work_dir / "many_lines_out", scheduled)
    shutil.rmtree(work_dir / "many_lines_out", ignore_errors=True)
    input_bytes = collection.stat().st_size
    collection.unlink()
    keep = ("records", "words", "errors", "parts_written", "wall_seconds", "overhead_seconds", "workers")
    return {
        "lines": lines,
        "input_bytes": input_bytes,
        "cluster": "a local cluster started before the run (its start is not in wall_seconds)",
        **{key: run[key] for key in keep},
        "client_read_bytes": run["client_read_bytes"],
        "client_read_share_of_input": run["client_read_bytes"] / input_bytes,
        "client_input_opens": run["client_input_opens"],
        "client_peak_rss_mb": run["client_peak_rss_mb"],
    }


def tokenizer_speed(model: str, collection: Path) -> Dict[str, float]:
    """Words/s of the pipeline's tokenizer alone (`nlp.make_doc`, one
    process) over the texts of the collection, read beforehand."""
    texts = [text for shard in shard_texts(collection, 1000) for text in shard]
    return time_in_turns({"tokenizer": tokenizer_words(load_pipeline(model), texts)}, rounds=1)["tokenizer"]


def timed_run(model: str, collection: Path, output_dir: Path, options: AnnotateOptions) -> Dict:
    """annotate into a fresh output folder, its memory traced; its wall
    seconds (start-up included) beside its own figures, and what the run
    cost this process, the client (client_io)."""
    shutil.rmtree(output_dir, ignore_errors=True)
    trace = MemoryTrace()
    start = time.perf_counter()
    with client_io(str(collection)) as client:
        summary = annotate(model, collection, output_dir, options, trace.watch)
    summary["wall_seconds"] = time.perf_counter() - start
    summary["wall_words_per_second"] = summary["words"] / summary["wall_seconds"]
    summary.update(client)
    memory = trace.summary()
    del memory["memory_trace"]
    return {**summary, **memory}


def benchmark_annotate(
    model: str,
    test_path: Path,
    work_dir: Path,
    min_words: int,
    processes: int,
    options: AnnotateOptions,
    baseline: Optional[str],
    scale_lines: int = 0,
) -> Dict:
    """annotate over a collection of at least `min_words` words made from the
    test texts: in process, on Dask (1 and `processes` workers), the baseline
    pipeline in one process first; the tokenizer alone; speed-ups and ratios.
    `options` gives the batch and shard sizes.
    model: the pipeline; test_path: the DocBin whose texts make the
    collection; work_dir: the collection and the runs' outputs; min_words:
    its size; processes: the Dask workers compared with one; options: batch
    and shard sizes; baseline: another pipeline timed in one process, or None;
    scale_lines: the lines of the client-at-scale run on `processes` workers (0: none)."""
    work_dir.mkdir(parents=True, exist_ok=True)
    collection = work_dir / "collection.jsonl"
    size = make_collection(test_path, collection, min_words)
    msg.info(f"{size['lines']:,} lines, {size['words']:,} words")
    setups: List[Dict] = [
        *([{"name": "baseline_in_process_1", "workers": 0, "model": baseline}] if baseline else []),
        {"name": "in_process_1", "workers": 0},
        {"name": "dask_1", "workers": 1},
        {"name": f"dask_{processes}", "workers": processes},
    ]
    runs = {}
    for setup in setups:
        run_options = replace(options, workers=setup["workers"])
        summary = timed_run(setup.get("model", model), collection, work_dir / setup["name"], run_options)
        runs[setup["name"]] = {**setup, **summary}
        msg.good(
            f"{setup['name']}: {summary['words_per_second']:,.0f} words/s annotating, "
            f"{summary['wall_words_per_second']:,.0f} words/s wall, start-up {summary['startup_seconds']:.1f} s"
        )
    tokenizer = tokenizer_speed(model, collection)
    msg.good(f"tokenizer alone: {tokenizer['words_per_second']:,.0f} words/s")
    scale = client_at_scale(model, work_dir, scale_lines, processes, options) if scale_lines else None
    if scale:
        msg.good(
            f"{scale_lines:,} lines on {processes} workers: the client read {scale['client_read_bytes']:,} bytes "
            f"({scale['client_read_share_of_input']:.2%} of the input), peak {scale['client_peak_rss_mb']:.0f} MB"
        )
    result = {
        "model": model,
        "machine": describe_machine(-1),
        "cpu_count": os.cpu_count(),
        "spacy": spacy.__version__,
        "collection": size,
        "settings": {"batch_size": options.batch_size, "shard_bytes": options.shard_bytes},
        "runs": runs,
        "tokenizer_alone": tokenizer,
        "client_at_scale": scale,
    }
    return {**result, **ratios(runs, processes, baseline)}


def ratios(runs: Dict[str, Dict], processes: int, baseline: Optional[str]) -> Dict:
    """The fastest run, Dask's speed-up and scaling, and the ratios to the
    baseline pipeline, all between runs of this one benchmark."""
    dask_1, dask_n, in_process_1 = runs["dask_1"], runs[f"dask_{processes}"], runs["in_process_1"]
    fastest = max((r for r in runs.values() if "model" not in r), key=lambda r: r["words_per_second"])
    found = {
        "fastest": {key: fastest[key] for key in ("name", "words_per_second", "wall_words_per_second")},
        "dask_speedup": dask_n["words_per_second"] / dask_1["words_per_second"],
        "dask_scaling_efficiency": dask_n["words_per_second"] / dask_1["words_per_second"] / processes,
        "dask_vs_in_process": dask_n["words_per_second"] / in_process_1["words_per_second"],
        "dask_vs_in_process_wall": dask_n["wall_words_per_second"] / in_process_1["wall_words_per_second"],
        # the same with each run's rate while its workers annotate (no start-up, scans, waits, shutdown)
        "dask_speedup_annotating": dask_n["annotating_words_per_second"] / dask_1["annotating_words_per_second"],
        "dask_overhead_seconds": dask_n["overhead_seconds"],
    }
    if baseline:
        reference = runs["baseline_in_process_1"]["words_per_second"]
        found["baseline"] = baseline
        found["ratio_to_baseline"] = {
            "in_process_1": in_process_1["words_per_second"] / reference,
            "fastest": fastest["words_per_second"] / reference,
        }
    return found
