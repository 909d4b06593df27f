"""A speed/accuracy table of variants of a CPU config: each trained once,
scored on every check of the project, then timed side by side in this
process, one BLAS thread (dlbook/benchmarks/cpu_configs.py)."""

import json
from pathlib import Path
from typing import List

import typer
from wasabi import msg

from dlbook.benchmarks.cpu_configs import benchmark_cpu_configs
from dlbook.common.atomic_files import write_atomic
from dlbook.evaluation.sentence_sets import parse_sentence_sets
from dlbook.train.variants import parse_variants


def main(
    config_path: Path = typer.Argument(..., help="Training config", exists=True, dir_okay=False),
    corpus_dir: Path = typer.Argument(..., help="Folder with train.spacy, dev.spacy, test.spacy", exists=True),
    output_path: Path = typer.Argument(..., help="JSON file for the figures (the table goes beside it as .md)"),
    variants: List[str] = typer.Option(
        ["committed:"], "--variant", help="name:key=value,... config overrides; repeat; the first is the baseline"
    ),
    sentences: List[str] = typer.Option([], "--sentences", help="NAME=FILE sentence set to score; repeat"),
    work_dir: Path = typer.Option(Path("training/cpu_configs"), "--work-dir", help="Trained variants"),
    batch_sizes: str = typer.Option(
        "64", "--batch-sizes", help="Documents per nlp.pipe batch when timing, comma-separated; the first for ratios"
    ),
    rounds: int = typer.Option(5, "--rounds", help="Timed turns over the test texts"),
    target_dev_score: float = typer.Option(
        ..., "--target-dev-score", help="Dev score whose first reaching is reported (project var target_dev_score)"
    ),
):
    """Train, score and time variants of a CPU config side by side."""
    summary, table = benchmark_cpu_configs(
        config_path,
        corpus_dir,
        parse_variants(variants),
        parse_sentence_sets(sentences),
        work_dir,
        [int(size) for size in batch_sizes.split(",")],
        rounds,
        target_dev_score,
    )
    write_atomic(output_path, json.dumps(summary, indent=2) + "\n")
    write_atomic(output_path.with_suffix(".md"), table)
    print(table)
    msg.good(f"Saved {output_path} and {output_path.with_suffix('.md')}")


if __name__ == "__main__":
    typer.run(main)
