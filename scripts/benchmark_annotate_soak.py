"""A soak of annotate on distinct random words, in one process and on Dask,
each worker's memory traced, and words/s with and without the memory zone
side by side (nerkit/benchmarks/annotate_soak.py)."""

from pathlib import Path

import typer
from wasabi import msg

from nerkit.benchmarks.annotate_soak import AnnotateSoakSettings, benchmark_annotate_soak
from nerkit.common.atomic_files import write_json
from nerkit.common.machine import with_run_record


def main(
    model: str = typer.Argument(..., help="Installed pipeline package or pipeline folder"),
    output_path: Path = typer.Argument(..., help="JSON file for the figures", dir_okay=False),
    work_dir: Path = typer.Option(Path("training/benchmark_annotate_soak"), "--work-dir", help="Collections"),
    words: int = typer.Option(10_000_000, "--words", help="Distinct words of the soak"),
    workers: int = typer.Option(2, "--workers", help="Dask workers of the soak on a cluster"),
    flat_after_words: int = typer.Option(1_000_000, "--flat-after-words", help="Memory growth counted after these"),
    ab_words: int = typer.Option(2_000_000, "--ab-words", help="Distinct words of each zone/no-zone run"),
    ab_rounds: int = typer.Option(2, "--ab-rounds", help="Pairs of runs with and without the memory zone"),
    words_per_line: int = typer.Option(50, "--words-per-line", help="Words of each text"),
    shard_bytes: int = typer.Option(1 << 20, "--shard-bytes", help="Input bytes a shard (one memory point each)"),
    zone_lines: int = typer.Option(1000, "--zone-lines", help="Lines a memory zone in the pairs (annotate's chunk)"),
):
    """Soak annotate on distinct words and time the memory zone's cost."""
    settings = AnnotateSoakSettings(
        words, workers, flat_after_words, ab_words, ab_rounds, words_per_line, shard_bytes, zone_lines
    )
    result = benchmark_annotate_soak(model, work_dir, settings)
    write_json(output_path, with_run_record(result))
    ratio = result["memory_zone_vs_none"]
    msg.good(
        f"memory at most +{result['worst_rss_mb_growth_after_first_words']:.1f} MB a worker after the first "
        f"{flat_after_words:,} words; with the zone x{ratio['ratio_median']:.3f} the words/s without "
        f"(x{ratio['ratio_min']:.3f}-x{ratio['ratio_max']:.3f}); saved {output_path}"
    )


if __name__ == "__main__":
    typer.run(main)
