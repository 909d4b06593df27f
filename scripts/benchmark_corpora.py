"""The project's training choice against spaCy's stock efficiency config on
public corpora: both trained on the same DocBins with each seed, test F on
gold tokens and raw text per label, training seconds and the package's
words/s side by side (nerkit/benchmarks/corpora.py)."""

from pathlib import Path
from typing import List

import typer
from wasabi import msg

from nerkit.benchmarks.corpora import CorporaSettings, benchmark_corpora
from nerkit.benchmarks.corpora_summary import markdown_table
from nerkit.common.atomic_files import write_atomic, write_json
from nerkit.common.machine import with_run_record
from nerkit.common.options import parse_named_overrides, parse_named_paths
from nerkit.errors import exit_on_error


def main(
    corpora: str = typer.Argument(..., help="NAME=FOLDER,... corpora that come split (train/test, dev optional)"),
    config_path: Path = typer.Argument(..., help="The project's config the plan fits", exists=True, dir_okay=False),
    rules_path: Path = typer.Argument(..., help="The plan's rules (configs/plan.yml)", exists=True, dir_okay=False),
    output_path: Path = typer.Argument(..., help="JSON file for the figures (the table goes beside it as .md)"),
    work_dir: Path = typer.Option(Path("training/benchmark_corpora"), help="DocBins, configs and trained models"),
    seeds: str = typer.Option("0,1,2", help="Training seeds, comma-separated; each config trains once per seed"),
    workers: int = typer.Option(2, help="Trainings at a time (one-thread Dask worker processes)"),
    max_steps: int = typer.Option(0, help="Training steps at most for every config (0: each config's own)"),
    speed_batch_size: int = typer.Option(128, help="Documents per nlp.pipe batch when timing"),
    speed_rounds: int = typer.Option(3, help="Timed turns over the test texts"),
    vectors: str = typer.Option(
        "", help="Static vectors (a spaCy vectors folder) for a third config: the plan's with them"
    ),
    config: List[str] = typer.Option(
        [], help="NAME:section.key=value,... the plan's config with these overrides, as one more config (repeatable)"
    ),
):
    """Train the plan's config and spaCy's stock config on each corpus and compare them."""
    with exit_on_error():
        settings = CorporaSettings(
            seeds=tuple(int(seed) for seed in seeds.split(",")), workers=workers, max_steps=max_steps,
            speed_batch_size=speed_batch_size, speed_rounds=speed_rounds, vectors=Path(vectors) if vectors else None,
            configs=parse_named_overrides(config),
        )  # fmt: skip
        summary = benchmark_corpora(parse_named_paths([corpora], "folder"), config_path, rules_path, work_dir, settings)
    table = markdown_table(summary)
    write_json(output_path, with_run_record(summary))
    write_atomic(output_path.with_suffix(".md"), table)
    print(table)
    for name, corpus in summary["corpora"].items():
        for config_name, versus in corpus["against_stock"].items():
            met = "meets" if versus["meets_target"] else "misses"
            chosen = ", the corpus's choice" if config_name == corpus["chosen"] else ""
            interval = versus["bootstrap"]["gold_tokens"]
            msg.text(
                f"{name}: {config_name}{chosen} {met} the target ({versus['gold_f_points']:+.1f} points on gold "
                f"tokens, 95% interval {interval['ci95_low']:+.1f} to {interval['ci95_high']:+.1f})"
            )
    msg.good(f"Saved {output_path} and {output_path.with_suffix('.md')}")


if __name__ == "__main__":
    typer.run(main)
