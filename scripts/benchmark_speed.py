"""Measure how many words per second a pipeline annotates with `nlp.pipe`
over the test texts, as `spacy benchmark speed` does (warm-up, then the mean
of per-batch rates with a bootstrapped 95% interval), and save the figures
with a description of the machine as JSON."""
import json
import os
import platform
from pathlib import Path

import numpy
import spacy
import typer
from spacy.cli.benchmark_speed import benchmark, bootstrap, warmup
from spacy.tokens import DocBin
from wasabi import msg

import functions  # noqa: F401 (registers the dlbook.* functions that spacy.load needs)


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


def main(
    model: str = typer.Argument(..., help="Pipeline name or path"),
    data_path: Path = typer.Argument(..., help="DocBin whose texts are annotated", exists=True, dir_okay=False),
    output_path: Path = typer.Argument(..., help="JSON file for the figures", dir_okay=False),
    batch_size: int = typer.Option(256, "--batch-size", "-b", help="Docs per nlp.pipe batch"),
    n_batches: int = typer.Option(50, "--batches", help="Batches to time"),
    warmup_epochs: int = typer.Option(1, "--warmup", "-w", help="Passes over the texts before timing"),
    gpu_id: int = typer.Option(-1, "--gpu-id", "-g", help="GPU id, or -1 for the CPU"),
):
    """Benchmark nlp.pipe speed (words/s) on the given texts."""
    if gpu_id >= 0:
        spacy.require_gpu(gpu_id)
    nlp = spacy.load(model)
    docs = list(DocBin().from_disk(data_path).get_docs(nlp.vocab))
    warmup(nlp, docs, warmup_epochs, batch_size)
    rates = benchmark(nlp, docs, n_batches, batch_size, shuffle=False)
    means = numpy.sort(bootstrap(rates))
    result = {
        "model": str(model),
        "words_per_second": float(numpy.mean(rates)),
        "ci95_low": float(means[int(len(means) * 0.025)]),
        "ci95_high": float(means[int(len(means) * 0.975)]),
        "batch_size": batch_size,
        "batches": int(len(rates)),
        "words_in_texts": int(sum(len(doc) for doc in docs)),
        "machine": describe_machine(gpu_id),
        "spacy": spacy.__version__,
    }
    output_path.parent.mkdir(parents=True, exist_ok=True)
    output_path.write_text(json.dumps(result, indent=2) + "\n")
    msg.good(
        f"{result['words_per_second']:,.0f} words/s (95% CI {result['ci95_low']:,.0f}-{result['ci95_high']:,.0f}) "
        f"on {result['machine']}; saved to {output_path}"
    )


if __name__ == "__main__":
    typer.run(main)
