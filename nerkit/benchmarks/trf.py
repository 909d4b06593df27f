"""One run that trains the transformer config (and configs of named overrides of it)
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
from dataclasses import asdict, dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Dict, List, Tuple

from spacy.tokens import DocBin
from wasabi import msg

from nerkit.benchmarks.speed import measure
from nerkit.common.loading import load_pipeline
from nerkit.common.machine import describe_machine, peak_gpu_memory_mb, reset_peak_gpu_memory, stack_versions
from nerkit.evaluation.pipeline_scores import evaluate_pipeline
from nerkit.train.in_process import train_config


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
    last end (model loading and warm-up excluded).
    model_path: the pipeline each process loads; texts: what it annotates;
    batch_size: texts a batch; gpu_id: the shared device; n_processes:
    processes at once; repeats: passes over the texts a process."""
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


@dataclass(frozen=True)
class TrfSettings:
    """What the run measures (the defaults are the command's): the dev score
    whose first reaching is timed, the `nlp.pipe` batch sizes and the numbers
    of processes sharing the device, the batches timed at each size, the
    passes over the test texts a process, the GPU (-1: the CPU)."""

    target: float
    batch_sizes: Tuple[int, ...] = (32, 128, 512)
    processes: Tuple[int, ...] = (1, 2, 4)
    speed_batches: int = 20
    repeats: int = 3
    gpu_id: int = -1


def measure_inference(model_path: Path, test_path: Path, settings: TrfSettings) -> Dict:
    """Words/s by batch size (with the peak GPU memory) and by processes
    sharing the device (at the largest batch size)."""
    gpu_id = settings.gpu_id
    nlp = load_pipeline(model_path, gpu_id)
    docs = list(DocBin().from_disk(test_path).get_docs(nlp.vocab))
    reset_peak_gpu_memory(gpu_id)
    by_batch = [measure(nlp, docs, size, settings.speed_batches, warmup_epochs=1) for size in settings.batch_sizes]
    peak = peak_gpu_memory_mb(gpu_id)
    texts = [doc.text for doc in docs]
    batch_size = max(settings.batch_sizes)
    by_processes = [
        measure_processes(model_path, texts, batch_size, gpu_id, n, settings.repeats) for n in settings.processes
    ]
    return {"by_batch_size": by_batch, "peak_gpu_memory_mb": peak, "by_processes": by_processes}


def benchmark_trf(
    config_path: Path,
    corpus_dir: Path,
    work_dir: Path,
    configs: Dict[str, Dict[str, str]],
    common: Dict[str, str],
    settings: TrfSettings,
) -> Dict:
    """Train each config (named overrides on top of `common`) on
    corpus_dir's train/dev DocBins, evaluate `model-best` and `model-last` on
    its test DocBin, and time the first config's `model-best`.
    config_path: the transformer config; corpus_dir: its DocBins; work_dir:
    the trained pipelines; configs: name -> overrides; common: overrides of
    every config; settings: what is measured and on which device."""
    started = time.perf_counter()
    test_path = corpus_dir / "test.spacy"
    common = {"paths.train": str(corpus_dir / "train.spacy"), "paths.dev": str(corpus_dir / "dev.spacy"), **common}
    results = {}
    for name, overrides in configs.items():
        msg.divider(f"Config {name}")
        output_dir = work_dir / name
        training_settings = {**common, "paths.log": str(output_dir / "log.jsonl"), **overrides}
        training = train_config(config_path, output_dir, training_settings, settings.gpu_id, settings.target)
        results[name] = {
            "overrides": overrides,
            "training": training,
            "model_best": evaluate_pipeline(output_dir / "model-best", test_path, settings.gpu_id),
            "model_last": evaluate_pipeline(output_dir / "model-last", test_path, settings.gpu_id),
        }
        msg.good(f"{name}: {training['total_seconds']:.0f} s, best dev {training['best_dev_score']:.4f}")
    first = next(iter(results))
    return {
        "device": describe_machine(settings.gpu_id),
        "cpu_count": os.cpu_count(),
        "versions": stack_versions(),
        "config": str(config_path),
        "corpus": str(corpus_dir),
        "settings": asdict(settings),
        "common_overrides": common,
        "configs": results,
        "inference_model": f"{first}/model-best",
        "inference": measure_inference(work_dir / first / "model-best", test_path, settings),
        "seconds_in_all": time.perf_counter() - started,
    }
