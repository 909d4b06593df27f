"""Load test of `serve` (scripts/serve.py, started as a real server on
127.0.0.1): concurrent one-sentence and 100-text requests, bounded in
seconds and requests; requests/s, words/s, latency percentiles, errors and
server memory, beside in-process nlp.pipe; then hostile traffic and a soak
of distinct words on the same server (nerkit/benchmarks/serve.py)."""

import sys
from pathlib import Path

import typer
from wasabi import msg

from nerkit.benchmarks.serve import benchmark_serve
from nerkit.benchmarks.serve_settings import HostileSettings, LoadSettings, SoakSettings
from nerkit.benchmarks.serve_slow_clients import SlowClientSettings
from nerkit.common.atomic_files import write_json
from nerkit.common.machine import with_run_record
from nerkit.serving.limits import RequestLimits

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
    hostile: bool = typer.Option(True, "--hostile/--no-hostile", help="Oversize bodies, big and small, a full queue"),
    big_texts: int = typer.Option(95, "--big-texts", help="Texts of a big request"),
    big_text_chars: int = typer.Option(99_000, "--big-text-chars", help="Characters of each text of a big request"),
    queue_clients: int = typer.Option(24, "--queue-clients", help="Clients sending one large request at once"),
    queue_request_chars: int = typer.Option(1_000_000, "--queue-request-chars", help="Characters of each"),
    trickling: int = typer.Option(300, "--trickling", help="Connections trickling their headers (0: none)"),
    stalled: int = typer.Option(600, "--stalled", help="Bodies promising 5 MB, sending 1 MB, then stalling"),
    soak_words: int = typer.Option(10_000_000, "--soak-words", help="Distinct words of the soak (0: none)"),
    soak_seconds: float = typer.Option(1200.0, "--soak-seconds", help="The soak's most seconds"),
    soak_clients: int = typer.Option(4, "--soak-clients", help="Clients of the soak"),
    flat_after_words: int = typer.Option(1_000_000, "--flat-after-words", help="Memory growth counted after these"),
):
    """Load-test a served pipeline on 127.0.0.1 against in-process nlp.pipe."""
    load = LoadSettings(clients, batch_clients, texts_per_request, seconds, max_requests, workers)
    hostile_settings = HostileSettings.sized_by(
        RequestLimits(), big_texts=big_texts, big_text_chars=big_text_chars, queue_clients=queue_clients,
        queue_request_chars=queue_request_chars,
    )  # fmt: skip
    soak = SoakSettings(words=soak_words, clients=soak_clients, seconds=soak_seconds, flat_after_words=flat_after_words)
    slow = SlowClientSettings(trickling=trickling, stalled=stalled) if hostile and trickling + stalled else None
    summary = benchmark_serve(
        model, test_path, [sys.executable, SERVE, model], load, hostile_settings if hostile else None,
        soak if soak_words else None, slow,
    )  # fmt: skip
    write_json(output_path, with_run_record(summary))
    msg.good(f"Saved {output_path}")


if __name__ == "__main__":
    typer.run(main)
