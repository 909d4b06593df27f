"""Annotate a large text collection (.jsonl or .txt, gzipped or not, a file
or a folder) with a trained pipeline into resumable JSONL part files, in
this process or on a Dask cluster (dlbook/annotation/run.py,
docs/annotate.md)."""

import json
from pathlib import Path
from typing import Optional

import typer
from wasabi import msg

from dlbook.annotation.run import annotate


def main(
    model: str = typer.Argument(..., help="Installed pipeline package or pipeline folder"),
    input_path: Path = typer.Argument(..., help=".jsonl/.txt file (optionally .gz) or a folder of them"),
    output_dir: Path = typer.Argument(
        ..., help="Folder for the part files, errors.jsonl and the manifest", file_okay=False
    ),
    workers: int = typer.Option(
        0, "--workers", help="0: in this process; N: a local Dask cluster of N worker processes"
    ),
    scheduler: Optional[str] = typer.Option(
        None, "--scheduler", help="Address of an existing Dask scheduler, e.g. tcp://10.0.0.1:8786"
    ),
    text_key: str = typer.Option("text", "--text-key", help="JSONL key of the text"),
    id_key: str = typer.Option("id", "--id-key", help="JSONL key of the id (else the line number)"),
    batch_size: int = typer.Option(64, "--batch-size", help="Documents per nlp.pipe batch"),
    shard_size: int = typer.Option(1000, "--shard-size", help="Input lines per shard (one part file each)"),
    n_process: int = typer.Option(1, "--n-process", help="With --workers 0: nlp.pipe processes (CPU pipelines)"),
    gpu_id: int = typer.Option(-1, "--gpu-id", "-g", help="GPU id for the pipeline, or -1 for the CPU"),
    overwrite: bool = typer.Option(
        False, "--overwrite", help="Replace an earlier run in OUTPUT_DIR made with other settings"
    ),
):
    """Annotate a text collection into JSONL part files, resumably, in this
    process or on a Dask cluster."""
    try:
        summary = annotate(
            model,
            input_path,
            output_dir,
            workers=workers,
            scheduler=scheduler,
            text_key=text_key,
            id_key=id_key,
            batch_size=batch_size,
            shard_size=shard_size,
            n_process=n_process,
            gpu_id=gpu_id,
            overwrite=overwrite,
        )
    except ValueError as err:
        typer.echo(f"✘ {err}", err=True)
        raise typer.Exit(1) from None
    msg.good(
        f"{summary['records']:,} records and {summary['errors']:,} bad lines in {summary['parts_written']} parts "
        f"({summary['parts_skipped']} already done); {summary['words']:,} words at "
        f"{summary['words_per_second'] or 0:,.0f} words/s (start-up {summary['startup_seconds']:.1f} s)"
    )
    typer.echo(json.dumps(summary))


if __name__ == "__main__":
    typer.run(main)
