"""Words per second of `annotate` on a collection of a million words made
from the test texts: in process, on a local Dask cluster (1 and N workers),
the tokenizer alone, and a baseline pipeline in one process beside it
(nerkit/benchmarks/annotate.py)."""

from pathlib import Path
from typing import Optional

import typer
from wasabi import msg

from nerkit.annotation.run import AnnotateOptions
from nerkit.benchmarks.annotate import benchmark_annotate
from nerkit.common.atomic_files import write_json
from nerkit.common.machine import with_run_record


def main(
    model: str = typer.Argument(..., help="Installed pipeline package or pipeline folder"),
    test_path: Path = typer.Argument(..., help="DocBin whose texts make the collection", exists=True, dir_okay=False),
    output_path: Path = typer.Argument(..., help="JSON file for the figures", dir_okay=False),
    work_dir: Path = typer.Option(Path("training/benchmark_annotate"), "--work-dir", help="Collection and annotations"),
    min_words: int = typer.Option(1_000_000, "--min-words", help="Words in the collection at least"),
    processes: int = typer.Option(2, "--processes", help="N: Dask workers to compare with 1"),
    batch_size: int = typer.Option(64, "--batch-size", help="Documents per nlp.pipe batch"),
    shard_bytes: int = typer.Option(
        1 << 18, "--shard-bytes", help="Input bytes a shard (enough to keep every worker busy)"
    ),
    scale_lines: int = typer.Option(0, "--scale-lines", help="Lines of the client-at-scale run (0: none)"),
    baseline: Optional[str] = typer.Option(
        None, "--baseline", help="Another pipeline to time in one process beside the model; empty: none"
    ),
):
    """Benchmark annotate in process and on Dask with 1 and N workers."""
    options = AnnotateOptions(batch_size=batch_size, shard_bytes=shard_bytes)
    result = benchmark_annotate(
        model, test_path, work_dir, min_words, processes, options, baseline or None, scale_lines
    )
    write_json(output_path, with_run_record(result))
    fastest = result["fastest"]
    msg.good(
        f"{processes} Dask workers: x{result['dask_speedup']:.2f} over 1, x{result['dask_vs_in_process']:.2f} over "
        f"one process; fastest {fastest['name']} {fastest['words_per_second']:,.0f} words/s; saved {output_path}"
    )
    if baseline:
        msg.good(f"x{result['ratio_to_baseline']['fastest']:.2f} the baseline's one-process words/s")


if __name__ == "__main__":
    typer.run(main)
