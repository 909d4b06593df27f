"""One run that trains the transformer config (and optional variants of it)
on the converted corpus, evaluates each pipeline on gold tokens and on raw
text, and measures inference speed: `nlp.pipe` words/s at several batch sizes
and with several processes sharing the device, peak GPU memory, and the
seconds of training (initialisation and evaluations included) until the dev
score first reaches a target. Everything goes into one JSON that names the
device, the versions and the settings.

Made for a one-shot run on an offline GPU machine (`spacy project run
convert` then `spacy project run benchmark-trf . --vars.gpu_id 0`); with
`--gpu-id -1` and tiny settings it runs on the CPU (tested).
"""

import os
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Dict, List

from spacy.tokens import DocBin
from wasabi import msg

from dlbook.benchmarks.speed import measure
from dlbook.common.loading import load_pipeline
from dlbook.common.machine import describe_machine, peak_gpu_memory_mb, reset_peak_gpu_memory, stack_versions
from dlbook.evaluation.pipeline_scores import evaluate_pipeline
from dlbook.train.variants import train_variant


def _pipe_worker(model_path: str, texts: List[str], batch_size: int, gpu_id: int, repeats: int) -> Dict:
    """One process of the shared-device benchmark: load, warm up, annotate."""
    nlp = load_pipeline(model_path, gpu_id, one_thread=True)
    list(nlp.pipe(texts[: batch_size * 2], batch_size=batch_size))
    start = time.perf_counter()
    words = 0
    for _ in range(repeats):
        words += sum(len(doc) for doc in nlp.pipe(texts, batch_size=batch_size))
    return {"words": words, "start": start, "end": time.perf_counter()}


def measure_processes(
    model_path: Path, texts: List[str], batch_size: int, gpu_id: int, n_processes: int, repeats: int
) -> Dict:
    """Words/s of `n_processes` processes each running nlp.pipe over the texts
    on the same device: all words over the span from the first start to the
    last end (model loading and warm-up excluded)."""
    with ProcessPoolExecutor(n_processes, mp_context=get_context("spawn")) as pool:
        futures = [
            pool.submit(_pipe_worker, str(model_path), texts, batch_size, gpu_id, repeats) for _ in range(n_processes)
        ]
        results = [future.result() for future in futures]
    seconds = max(r["end"] for r in results) - min(r["start"] for r in results)
    words = sum(r["words"] for r in results)
    return {
        "processes": n_processes,
        "batch_size": batch_size,
        "words": words,
        "seconds": seconds,
        "words_per_second": words / seconds,
    }


def measure_inference(
    model_path: Path,
    test_path: Path,
    gpu_id: int,
    batch_sizes: List[int],
    processes: List[int],
    n_batches: int,
    repeats: int,
) -> Dict:
    nlp = load_pipeline(model_path, gpu_id)
    docs = list(DocBin().from_disk(test_path).get_docs(nlp.vocab))
    reset_peak_gpu_memory(gpu_id)
    by_batch = [measure(nlp, docs, size, n_batches, warmup_epochs=1) for size in batch_sizes]
    peak = peak_gpu_memory_mb(gpu_id)
    texts = [doc.text for doc in docs]
    by_processes = [measure_processes(model_path, texts, max(batch_sizes), gpu_id, n, repeats) for n in processes]
    return {"by_batch_size": by_batch, "peak_gpu_memory_mb": peak, "by_processes": by_processes}


def benchmark_trf(
    config_path: Path,
    corpus_dir: Path,
    work_dir: Path,
    variants: Dict[str, Dict[str, str]],
    common: Dict[str, str],
    target: float,
    batch_sizes: List[int],
    processes: List[int],
    speed_batches: int,
    repeats: int,
    gpu_id: int,
) -> Dict:
    """Train each variant (config overrides on top of `common`) on
    corpus_dir's train/dev DocBins, evaluate `model-best` and `model-last` on
    its test DocBin, and time the first variant's `model-best`."""
    started = time.perf_counter()
    test_path = corpus_dir / "test.spacy"
    common = {"paths.train": str(corpus_dir / "train.spacy"), "paths.dev": str(corpus_dir / "dev.spacy"), **common}
    results = {}
    for name, overrides in variants.items():
        msg.divider(f"Variant {name}")
        output_dir = work_dir / name
        settings = {**common, "paths.log": str(output_dir / "log.jsonl"), **overrides}
        training = train_variant(config_path, output_dir, settings, gpu_id, target)
        results[name] = {
            "overrides": overrides,
            "training": training,
            "model_best": evaluate_pipeline(output_dir / "model-best", test_path, gpu_id),
            "model_last": evaluate_pipeline(output_dir / "model-last", test_path, gpu_id),
        }
        msg.good(f"{name}: {training['total_seconds']:.0f} s, best dev {training['best_dev_score']:.4f}")
    first = next(iter(results))
    inference = measure_inference(
        work_dir / first / "model-best", test_path, gpu_id, batch_sizes, processes, speed_batches, repeats
    )
    return {
        "device": describe_machine(gpu_id),
        "cpu_count": os.cpu_count(),
        "versions": stack_versions(),
        "config": str(config_path),
        "corpus": str(corpus_dir),
        "common_overrides": common,
        "variants": results,
        "inference_model": f"{first}/model-best",
        "inference": inference,
        "seconds_in_all": time.perf_counter() - started,
    }
