"""Serve a trained pipeline over HTTP (FastAPI + uvicorn, 127.0.0.1 unless
told otherwise): `POST /ents`, `GET /model`, `GET /health`,
`/openapi.json`, and a page at `/` that highlights the entities of a text
(dlbook/serving/app.py, docs/serve.md)."""

from pathlib import Path

import spacy
import typer

from dlbook.serving.app import Settings, serve
from dlbook.serving.limits import Limits


def main(
    model: str = typer.Argument(..., help="Installed pipeline package or pipeline folder"),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to bind (0.0.0.0: every interface)"),
    port: int = typer.Option(8000, "--port", help="Port to bind"),
    workers: int = typer.Option(1, "--workers", help="Worker processes, each with the pipeline loaded"),
    max_text_chars: int = typer.Option(Limits.max_text_chars, "--max-text-chars", help="Most characters in a text"),
    max_texts: int = typer.Option(Limits.max_texts, "--max-texts", help="Most texts in a request"),
    max_body_bytes: int = typer.Option(Limits.max_body_bytes, "--max-body-bytes", help="Largest request body"),
    max_batch_texts: int = typer.Option(512, "--max-batch-texts", help="Most texts in one batch of requests"),
    gpu_id: int = typer.Option(-1, "--gpu-id", "-g", help="GPU id, or -1 for the CPU"),
):
    """Serve the pipeline's entities over a REST API and a page."""
    if not (spacy.util.is_package(model) or (Path(model) / "meta.json").is_file()):
        typer.echo(f"✘ {model}: neither an installed pipeline package nor a pipeline folder", err=True)
        raise typer.Exit(1)
    limits = Limits(max_text_chars=max_text_chars, max_texts=max_texts, max_body_bytes=max_body_bytes)
    serve(Settings(model=model, limits=limits, gpu_id=gpu_id, max_batch_texts=max_batch_texts), host, port, workers)


if __name__ == "__main__":
    typer.run(main)
