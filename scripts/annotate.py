"""Annotate a large text collection (.jsonl or .txt, gzipped or not, a file
or a folder, a local path or an fsspec URL such as s3://bucket/crawl/) with a
trained pipeline into resumable JSONL part files, in this process or on a
Dask cluster whose workers read and write the store themselves; bad lines
and files are reported in errors.jsonl and the run goes on
(nerkit/annotation/run.py, docs/annotate.md)."""

import json
from typing import Optional

import typer
from wasabi import msg

from nerkit.annotation.collection import MAX_LINE_BYTES, MAX_TEXT_CHARS, LineLimits
from nerkit.annotation.run import SHARD_BYTES, AnnotateOptions, annotate
from nerkit.common.options import json_object
from nerkit.errors import NerkitError, exit_on_error


def main(
    model: str = typer.Argument(..., help="Installed pipeline package or pipeline folder"),
    input_url: str = typer.Argument(..., help=".jsonl/.txt file (optionally .gz) or a folder of them: a path or a URL"),
    output_url: str = typer.Argument(..., help="Folder for the parts, errors.jsonl and the manifest: a path or a URL"),
    workers: int = typer.Option(0, "--workers", help="0: in this process; N: a local Dask cluster of N processes"),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="An existing Dask scheduler: tcp://host:8786"),
    text_key: str = typer.Option("text", "--text-key", help="JSONL key of the text"),
    id_key: str = typer.Option("id", "--id-key", help="JSONL key of the id (else file:line)"),
    batch_size: int = typer.Option(64, "--batch-size", help="Documents per nlp.pipe batch"),
    shard_bytes: int = typer.Option(SHARD_BYTES, "--shard-bytes", min=1, help="Input bytes a shard (one part each)"),
    max_line_bytes: int = typer.Option(MAX_LINE_BYTES, "--max-line-bytes", help="Longer lines are bad lines"),
    max_text_chars: int = typer.Option(MAX_TEXT_CHARS, "--max-text-chars", help="Longer texts are bad lines"),
    max_errors: int = typer.Option(-1, "--max-errors", help="Exit 1 with more bad lines and files (-1: never)"),
    gpu_id: int = typer.Option(-1, "--gpu-id", "-g", help="GPU id for the pipeline, or -1 for the CPU"),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace an earlier run in OUTPUT_URL that differs"),
    storage: str = typer.Option("{}", "--storage-options", help="fsspec's storage options for input and output (JSON)"),
):
    """Annotate a text collection into JSONL part files, resumably, in this
    process or on a Dask cluster."""
    with exit_on_error():
        options = AnnotateOptions(
            workers=workers, scheduler=scheduler, text_key=text_key, id_key=id_key, batch_size=batch_size,
            shard_bytes=shard_bytes, line_limits=LineLimits(max_line_bytes, max_text_chars), gpu_id=gpu_id,
            overwrite=overwrite, storage_options=json_object("--storage-options", storage),
        )  # fmt: skip
        summary = annotate(model, input_url, output_url, options)
        msg.good(
            f"{summary['records']:,} records and {summary['errors']:,} bad lines or files in "
            f"{summary['parts_written']} parts ({summary['parts_skipped']} already done); {summary['words']:,} words "
            f"at {summary['words_per_second'] or 0:,.0f} words/s (start-up {summary['startup_seconds']:.1f} s)"
        )
        typer.echo(json.dumps(summary))
        if 0 <= max_errors < summary["errors_in_all"]:
            raise NerkitError(f"{summary['errors_in_all']:,} bad lines or files, over --max-errors {max_errors:,}")


if __name__ == "__main__":
    typer.run(main)
