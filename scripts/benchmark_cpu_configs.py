"""A speed/accuracy table of configs made from a CPU config by named
overrides: each trained once, scored on every check of the project, then
timed side by side in this process, one BLAS thread; the dev split chooses
among them, unless they differ by their seed only
(nerkit/benchmarks/cpu_configs.py)."""

from pathlib import Path
from typing import List

import typer
from wasabi import msg

from nerkit.benchmarks.cpu_configs import benchmark_cpu_configs, choice_markdown, dev_choice
from nerkit.common.atomic_files import write_atomic, write_json
from nerkit.common.machine import with_run_record
from nerkit.common.options import parse_named_overrides, parse_named_paths
from nerkit.errors import exit_on_error


def main(
    config_path: Path = typer.Argument(..., help="Training config", exists=True, dir_okay=False),
    corpus_dir: Path = typer.Argument(..., help="Folder with train.spacy, dev.spacy, test.spacy", exists=True),
    output_path: Path = typer.Argument(..., help="JSON file for the figures (the table goes beside it as .md)"),
    configs: List[str] = typer.Option(
        ["committed:"], "--config", help="NAME:key=value,... config overrides; repeat; the first is the baseline"
    ),
    sentences: List[str] = typer.Option([], "--sentences", help="NAME=FILE sentence set to score; repeat"),
    work_dir: Path = typer.Option(Path("training/cpu_configs"), "--work-dir", help="Trained configs"),
    batch_sizes: str = typer.Option(
        "64", "--batch-sizes", help="Documents per nlp.pipe batch when timing, comma-separated; the first for ratios"
    ),
    rounds: int = typer.Option(5, "--rounds", help="Timed turns over the test texts"),
    target_dev_score: float = typer.Option(
        ..., "--target-dev-score", help="Dev score whose first reaching is reported (project var target_dev_score)"
    ),
    choose: bool = typer.Option(
        True, "--choose/--no-choose", help="Name the config the dev split chooses (not for configs that differ by seed)"
    ),
):
    """Train, score and time configs of named overrides side by side."""
    with exit_on_error():
        named, sets = parse_named_overrides(configs), parse_named_paths(sentences, "file")
    sizes = [int(size) for size in batch_sizes.split(",")]
    summary, table = benchmark_cpu_configs(
        config_path, corpus_dir, named, sets, work_dir, sizes, rounds, target_dev_score
    )
    if choose:
        summary["dev_choice"] = dev_choice(summary)
        table += "\n" + choice_markdown(summary["dev_choice"])
    write_json(output_path, with_run_record(summary))
    write_atomic(output_path.with_suffix(".md"), table)
    print(table)
    msg.good(f"Saved {output_path} and {output_path.with_suffix('.md')}")


if __name__ == "__main__":
    typer.run(main)
