"""The project's training choice against spaCy's stock efficiency config on
public corpora: both trained on the same DocBins with each seed, test F on
gold tokens and raw text per label, training seconds and the package's
words/s side by side (dlbook/benchmarks/corpora.py)."""

import json
from pathlib import Path
from typing import List

import typer
from wasabi import msg

from dlbook.benchmarks.corpora import benchmark_corpora, markdown_table, parse_corpora
from dlbook.common.atomic_files import write_atomic
from dlbook.train.variants import parse_variants


def main(
    corpora: str = typer.Argument(..., help="NAME=FOLDER,... corpora that come split (train/test, dev optional)"),
    config_path: Path = typer.Argument(..., help="The project's config the plan fits", exists=True, dir_okay=False),
    rules_path: Path = typer.Argument(..., help="The plan's rules (configs/plan.yml)", exists=True, dir_okay=False),
    output_path: Path = typer.Argument(..., help="JSON file for the figures (the table goes beside it as .md)"),
    work_dir: Path = typer.Option(Path("training/benchmark_corpora"), help="DocBins, configs and trained models"),
    seeds: str = typer.Option("0,1,2", help="Training seeds, comma-separated; each config trains once per seed"),
    workers: int = typer.Option(2, help="Trainings at a time (one-thread Dask worker processes)"),
    max_steps: int = typer.Option(0, help="Training steps at most for both configs (0: each config's own)"),
    speed_batch_size: int = typer.Option(128, help="Documents per nlp.pipe batch when timing"),
    speed_rounds: int = typer.Option(3, help="Timed turns over the test texts"),
    vectors: str = typer.Option(
        "", help="Static vectors (a spaCy vectors folder) for a third config: the plan's with them"
    ),
    variant: List[str] = typer.Option(
        [], help="NAME:section.key=value,... the plan's config with these overrides, as one more config (repeatable)"
    ),
):
    """Train the plan's config and spaCy's stock config on each corpus and compare them."""
    summary = benchmark_corpora(
        parse_corpora(corpora),
        config_path,
        rules_path,
        work_dir,
        [int(seed) for seed in seeds.split(",")],
        workers,
        max_steps,
        speed_batch_size,
        speed_rounds,
        Path(vectors) if vectors else None,
        variants=parse_variants(variant),
    )
    table = markdown_table(summary)
    write_atomic(output_path, json.dumps(summary, indent=2) + "\n")
    write_atomic(output_path.with_suffix(".md"), table)
    print(table)
    for name, corpus in summary["corpora"].items():
        for config, versus in corpus["against_stock"].items():
            met = "meets" if versus["meets_target"] else "misses"
            chosen = ", the corpus's choice" if config == corpus["chosen"] else ""
            interval = versus["bootstrap"]["gold_tokens"]
            msg.text(
                f"{name}: {config}{chosen} {met} the target ({versus['gold_f_points']:+.1f} points on gold tokens, "
                f"95% interval {interval['ci95_low']:+.1f} to {interval['ci95_high']:+.1f})"
            )
    msg.good(f"Saved {output_path} and {output_path.with_suffix('.md')}")


if __name__ == "__main__":
    typer.run(main)
