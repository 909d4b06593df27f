"""Words per second of a trained pipeline with `nlp.pipe` over the test
texts, with a 95% interval, saved as JSON with the machine it ran on
(nerkit/benchmarks/speed.py)."""

from pathlib import Path

import typer
from wasabi import msg

from nerkit.benchmarks.speed import benchmark_speed
from nerkit.common.atomic_files import write_json
from nerkit.common.machine import with_run_record


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
    sizes = [int(size) for size in batch_sizes.split(",")]
    summary = benchmark_speed(model, data_path, sizes, n_batches, warmup_epochs, gpu_id)
    for result in summary["results"]:
        msg.good(
            f"batch size {result['batch_size']}: {result['words_per_second']:,.0f} words/s "
            f"(95% CI {result['ci95_low']:,.0f}-{result['ci95_high']:,.0f})"
        )
    write_json(output_path, with_run_record(summary, gpu_id))
    msg.good(f"Saved {output_path} ({summary['machine']})")


if __name__ == "__main__":
    typer.run(main)
