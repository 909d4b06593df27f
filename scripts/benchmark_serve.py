"""Load test of `serve` (scripts/serve.py, started as a real server on
127.0.0.1): concurrent one-sentence and 100-text requests, bounded in
seconds and requests; requests/s, words/s, latency percentiles, errors and
server memory, beside in-process nlp.pipe (dlbook/benchmarks/serve.py)."""

import json
import sys
from pathlib import Path

import typer
from wasabi import msg

from dlbook.benchmarks.serve import benchmark_serve
from dlbook.common.atomic_files import write_atomic

SERVE = Path(__file__).resolve().parent / "serve.py"


def main(
    model: str = typer.Argument(..., help="Installed pipeline package or pipeline folder"),
    test_path: Path = typer.Argument(..., help="DocBin whose sentences are sent", exists=True, dir_okay=False),
    output_path: Path = typer.Argument(..., help="JSON file for the figures", dir_okay=False),
    clients: int = typer.Option(16, "--clients", help="Concurrent clients sending one-sentence requests"),
    batch_clients: int = typer.Option(4, "--batch-clients", help="Concurrent clients sending 100-text requests"),
    texts_per_request: int = typer.Option(100, "--texts-per-request", help="Texts of a batch request"),
    seconds: float = typer.Option(20.0, "--seconds", help="Length of each scenario"),
    max_requests: int = typer.Option(100_000, "--max-requests", help="Most requests of each scenario"),
    workers: int = typer.Option(1, "--workers", help="Server worker processes"),
):
    """Load-test a served pipeline on 127.0.0.1 against in-process nlp.pipe."""
    summary = benchmark_serve(
        model,
        test_path,
        [sys.executable, SERVE, model],
        clients,
        batch_clients,
        texts_per_request,
        seconds,
        max_requests,
        workers,
    )
    write_atomic(output_path, json.dumps(summary, indent=2) + "\n")
    msg.good(f"Saved {output_path}")


if __name__ == "__main__":
    typer.run(main)
