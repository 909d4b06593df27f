"""Measure how many words per second a pipeline annotates with `nlp.pipe`
over the test texts, as `spacy benchmark speed` does (warm-up, then the mean
of per-batch rates with a bootstrapped 95% interval), and save the figures
with a description of the machine as JSON."""

import json
import os
import platform
from pathlib import Path
from typing import Dict, Optional

import numpy
import spacy
import typer
from spacy.cli.benchmark_speed import benchmark, bootstrap, warmup
from spacy.tokens import DocBin
from threadpoolctl import threadpool_info
from wasabi import msg

from atomic_files import write_atomic
from loading import load_pipeline


def describe_machine(gpu_id: int) -> str:
    if gpu_id >= 0:
        import torch

        return f"GPU {torch.cuda.get_device_name(gpu_id)}"
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            cpu = next(line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"CPU {cpu}, {os.cpu_count()} cores"


def measure(nlp, docs, batch_size: int, n_batches: int, warmup_epochs: int) -> Dict[str, float]:
    warmup(nlp, docs, warmup_epochs, batch_size)
    rates = benchmark(nlp, docs, n_batches, batch_size, shuffle=False)
    means = numpy.sort(bootstrap(rates))
    return {
        "batch_size": batch_size,
        "words_per_second": float(numpy.mean(rates)),
        "ci95_low": float(means[int(len(means) * 0.025)]),
        "ci95_high": float(means[int(len(means) * 0.975)]),
        "batches": int(len(rates)),
    }


def main(
    model: str = typer.Argument(..., help="Pipeline name or path"),
    data_path: Path = typer.Argument(..., help="DocBin whose texts are annotated", exists=True, dir_okay=False),
    output_path: Path = typer.Argument(..., help="JSON file for the figures", dir_okay=False),
    batch_sizes: str = typer.Option(
        "64", "--batch-sizes", "-b", help="Docs per nlp.pipe batch; several, comma-separated"
    ),
    n_batches: int = typer.Option(20, "--batches", help="Batches to time at each batch size"),
    warmup_epochs: int = typer.Option(1, "--warmup", "-w", help="Passes over the texts before timing"),
    gpu_id: int = typer.Option(-1, "--gpu-id", "-g", help="GPU id, or -1 for the CPU"),
):
    """Benchmark nlp.pipe speed (words/s, 95% interval) on the given texts at
    one or more batch sizes, with the peak GPU memory on a GPU."""
    nlp = load_pipeline(model, gpu_id)
    docs = list(DocBin().from_disk(data_path).get_docs(nlp.vocab))
    results = []
    for batch_size in [int(size) for size in batch_sizes.split(",")]:
        results.append(measure(nlp, docs, batch_size, n_batches, warmup_epochs))
        msg.good(
            f"batch size {batch_size}: {results[-1]['words_per_second']:,.0f} words/s "
            f"(95% CI {results[-1]['ci95_low']:,.0f}-{results[-1]['ci95_high']:,.0f})"
        )
    summary = {
        "model": str(model),
        "machine": describe_machine(gpu_id),
        "spacy": spacy.__version__,
        "words_in_texts": int(sum(len(doc) for doc in docs)),
        "blas_threads": blas_threads(),
        "results": results,
        "peak_gpu_memory_mb": peak_gpu_memory_mb(gpu_id),
    }
    write_atomic(output_path, json.dumps(summary, indent=2) + "\n")
    msg.good(f"Saved {output_path} ({summary['machine']})")


def blas_threads() -> Optional[int]:
    """Threads of numpy's BLAS, which runs the CNN's matrix products (every
    core unless limited)."""
    return max((pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"), default=None)


def peak_gpu_memory_mb(gpu_id: int) -> Optional[float]:
    """Peak GPU memory allocated by torch in this process (MB); None on the CPU."""
    if gpu_id < 0:
        return None
    import torch

    return torch.cuda.max_memory_allocated(gpu_id) / 2**20


if __name__ == "__main__":
    typer.run(main)
