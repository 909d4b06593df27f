"""The fingerprint of what a workflow run left behind (DocBins, data-quality,
raw-text and prediction files, the dev curve, test figures, every file of
each wheel), to compare two runs before and after a change of code
(nerkit/benchmarks/fingerprint.py)."""

from pathlib import Path
from typing import List

import typer
from wasabi import msg

from nerkit.benchmarks.fingerprint import fingerprint_run
from nerkit.common.atomic_files import write_json
from nerkit.common.machine import git_commit, with_run_record
from nerkit.common.options import parse_named_paths
from nerkit.errors import exit_on_error


def main(
    output_path: Path = typer.Argument(..., help="JSON file for the fingerprint", dir_okay=False),
    corpus_dir: Path = typer.Option(Path("corpus"), help="Folder of the run's train/dev/test.spacy"),
    metrics_dir: Path = typer.Option(Path("metrics/sm"), help="The config's metrics (data_quality.json beside it)"),
    log_path: Path = typer.Option(Path("training/sm/log.jsonl"), help="The training log"),
    wheel: List[str] = typer.Option([], help="NAME=WHEEL of a package built by the run; repeatable"),
    neutral_names: str = typer.Option("dlbook,nerkit", help="Library names a wheel's files are also compared without"),
    source: Path = typer.Option(Path("."), help="The checkout the run was made from (its commit is recorded)"),
):
    """Write the fingerprint of a run's outputs."""
    with exit_on_error():
        wheels = parse_named_paths(wheel, "file")
    fingerprint = fingerprint_run(corpus_dir, metrics_dir, log_path, wheels, [n for n in neutral_names.split(",") if n])
    write_json(output_path, with_run_record({"run_commit": git_commit(source.resolve()), **fingerprint}))
    msg.good(f"Saved {output_path}")


if __name__ == "__main__":
    typer.run(main)
