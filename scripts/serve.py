"""Serve a trained pipeline over HTTP (FastAPI + uvicorn, 127.0.0.1 unless
told otherwise): `POST /ents`, `GET /model`, `GET /health`,
`/openapi.json`, and a page at `/` that highlights the entities of a text
(nerkit/serving/app.py, docs/serve.md)."""

from typing import List

import typer

from nerkit.common.loading import check_model
from nerkit.errors import exit_on_error
from nerkit.serving.app import ServeSettings, serve
from nerkit.serving.batcher import LaneSettings
from nerkit.serving.connections import ConnectionLimits
from nerkit.serving.limits import RequestLimits

LIMITS, LANES, CONNECTIONS = RequestLimits(), LaneSettings(), ConnectionLimits()


def main(
    model: str = typer.Argument(..., help="Installed pipeline package or pipeline folder"),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to bind (0.0.0.0: every interface)"),
    port: int = typer.Option(8000, "--port", help="Port to bind"),
    workers: int = typer.Option(1, "--workers", help="Worker processes, each with the pipeline loaded"),
    max_text_chars: int = typer.Option(LIMITS.max_text_chars, "--max-text-chars", help="Most characters in a text"),
    max_texts: int = typer.Option(LIMITS.max_texts, "--max-texts", help="Most texts in a request"),
    max_total_chars: int = typer.Option(LIMITS.max_total_chars, "--max-total-chars", help="Most characters a request"),
    max_body_bytes: int = typer.Option(LIMITS.max_body_bytes, "--max-body-bytes", help="Largest request body"),
    max_batch_chars: int = typer.Option(LANES.max_batch_chars, "--max-batch-chars", help="Characters of a batch"),
    fast_lane_chars: int = typer.Option(LANES.fast_lane_chars, "--fast-lane-chars", help="Requests of the fast lane"),
    max_queue_chars: int = typer.Option(LANES.max_queue_chars, "--max-queue-chars", help="Bulk queue, then 503"),
    max_fast_queue_chars: int = typer.Option(
        LANES.max_fast_queue_chars, "--max-fast-queue-chars", help="Fast lane's queue, then 503"
    ),
    max_buffered_bytes: int = typer.Option(
        LIMITS.max_buffered_bytes, "--max-buffered-bytes", help="Bytes of bodies held at once, then 503"
    ),
    request_seconds: float = typer.Option(
        LANES.request_seconds, "--request-seconds", help="Whole request received (else 408), answered (else 504)"
    ),
    max_connections: int = typer.Option(
        CONNECTIONS.max_connections, "--max-connections", help="Open connections a worker, then 503"
    ),
    header_seconds: float = typer.Option(
        CONNECTIONS.header_seconds, "--header-seconds", help="Request line and headers within, else 408"
    ),
    max_header_bytes: int = typer.Option(
        CONNECTIONS.max_header_bytes, "--max-header-bytes", help="Bytes of request line and headers, then 431"
    ),
    body_first_byte_seconds: float = typer.Option(
        CONNECTIONS.body_first_byte_seconds, "--body-first-byte-seconds", help="Body's first byte within, else 408"
    ),
    body_min_bytes_per_second: int = typer.Option(
        CONNECTIONS.body_min_bytes_per_second, "--body-min-bytes-per-second", help="Body's least average rate, else 408"
    ),
    bulk_lane_nice: int = typer.Option(LANES.bulk_lane_nice, "--bulk-lane-nice", help="CPU priority of long requests"),
    allowed_host: List[str] = typer.Option(
        [], "--allowed-host", help="Host header to accept (default: the bound address and localhost)"
    ),
    gpu_id: int = typer.Option(-1, "--gpu-id", "-g", help="GPU id, or -1 for the CPU"),
):
    """Serve the pipeline's entities over a REST API and a page."""
    with exit_on_error():
        check_model(model)
    limits = RequestLimits(
        max_text_chars, max_texts, max_total_chars, max_body_bytes, max_buffered_bytes=max_buffered_bytes
    )
    lanes = LaneSettings(
        fast_lane_chars, max_queue_chars, max_fast_queue_chars, max_batch_chars, request_seconds, bulk_lane_nice
    )
    connections = ConnectionLimits(
        max_connections, header_seconds, max_header_bytes, body_first_byte_seconds, body_min_bytes_per_second,
        request_seconds,
    )  # fmt: skip
    settings = ServeSettings(model, limits, lanes, connections, gpu_id, tuple(allowed_host))
    serve(settings, host, port, workers)


if __name__ == "__main__":
    typer.run(main)
