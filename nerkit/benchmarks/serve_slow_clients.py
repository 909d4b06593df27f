"""Slow clients against a real `serve` on 127.0.0.1, each scenario bounded in
seconds: many connections that trickle a header line every few seconds
(slowloris), many bodies that promise more than they send and stall, and
one header line far over the header limit. For each: when the server
closed each connection and with what status, how many were still open at
each checkpoint, /health's latency throughout (a probe every 0.25 s on a
connection of its own, from a process of its own) and the server's memory before, at the peak and
after the clients are gone."""

import asyncio
import http.client
import multiprocessing
import time
from dataclasses import asdict, dataclass
from typing import Dict, List, Optional

from nerkit.benchmarks.server_stats import MemoryWatch, server_memory_mb
from nerkit.benchmarks.timing import latency_percentiles_ms

REQUEST_HEAD = b"POST /ents HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
# seconds at which the connections still open are counted
CHECKPOINTS = (5, 10, 20, 30, 40)


@dataclass(frozen=True)
class SlowClientSettings:
    """`trickling` connections sending a header line every `trickle_seconds`;
    `stalled` bodies promising `promised_bytes` and sending `sent_bytes`;
    one header line of `big_header_bytes`; each scenario watched for at most
    `window_seconds`, the memory read `settle_seconds` after its clients
    are gone."""

    trickling: int = 300
    trickle_seconds: float = 2.0
    stalled: int = 600
    promised_bytes: int = 5_000_000
    sent_bytes: int = 1_000_000
    big_header_bytes: int = 200_000
    window_seconds: float = 45.0
    settle_seconds: float = 5.0


async def watch_connection(reader: asyncio.StreamReader, writer, started: float, until: float, trickle: float) -> Dict:
    """Reads what the server sends until it closes the connection or `until`;
    every `trickle` seconds of silence (0: never) sends one more header line."""
    received = b""
    lines = 0
    while time.perf_counter() < until:
        wait = min(trickle or until, until - time.perf_counter())
        try:
            chunk = await asyncio.wait_for(reader.read(65536), max(0.01, wait))
        except asyncio.TimeoutError:
            if trickle:
                lines += 1
                try:
                    writer.write(b"X-Trickle-%d: a\r\n" % lines)
                    await writer.drain()
                except OSError:
                    return closed(received, started)
            continue
        except OSError:
            return closed(received, started)
        if not chunk:
            return closed(received, started)
        received += chunk
    writer.close()
    return {"closed_after_seconds": None, "status": status_of(received)}


def closed(received: bytes, started: float) -> Dict:
    return {"closed_after_seconds": time.perf_counter() - started, "status": status_of(received)}


def status_of(received: bytes) -> Optional[int]:
    parts = received.split(b" ", 2)
    return int(parts[1]) if len(parts) > 2 and parts[0].startswith(b"HTTP/") else None


async def slow_client(port: int, first: bytes, until: float, trickle: float) -> Dict:
    started = time.perf_counter()
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=1 << 20)
        writer.write(first)
        await writer.drain()
    except OSError as error:
        return {"closed_after_seconds": time.perf_counter() - started, "status": None, "error": type(error).__name__}
    return await watch_connection(reader, writer, started, until, trickle)


def probe_health(port: int, stop, answers) -> None:
    """In a process of its own (so that the clients' work in this one does not
    delay it): GET /health every 0.25 s on a new connection until `stop` is
    set; "ready" after the first answer, then the latencies and failures."""
    latencies: List[float] = []
    failures: List[str] = []
    while not stop.is_set():
        start = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            connection.request("GET", "/health", headers={"Connection": "close"})
            status = connection.getresponse().status
            if status == 200:
                latencies.append(time.perf_counter() - start)
            else:
                failures.append(str(status))
        except (OSError, http.client.HTTPException) as error:
            failures.append(type(error).__name__)
        finally:
            connection.close()
        if len(latencies) + len(failures) == 1:
            answers.put("ready")
        stop.wait(max(0.0, 0.25 - (time.perf_counter() - start)))
    answers.put((latencies, failures))


def summary(outcomes: List[Dict], window: float) -> Dict:
    statuses: Dict[str, int] = {}
    for outcome in outcomes:
        statuses[str(outcome["status"])] = statuses.get(str(outcome["status"]), 0) + 1
    closed_after = sorted(o["closed_after_seconds"] for o in outcomes if o["closed_after_seconds"] is not None)
    return {
        "connections": len(outcomes),
        "statuses": statuses,
        "closed_within_window": len(closed_after),
        "open_at_seconds": {
            str(mark): sum(1 for o in outcomes if o["closed_after_seconds"] is None or o["closed_after_seconds"] > mark)
            for mark in CHECKPOINTS
            if mark <= window
        },
        "last_closed_after_seconds": closed_after[-1] if closed_after else None,
    }


def slow_scenario(port: int, server, firsts: List[bytes], trickle: float, settings: SlowClientSettings) -> Dict:
    """The connections, each opened with its first bytes, watched with /health
    (from a process of its own) and the server's memory until all are closed
    or the window ends."""

    async def run() -> List[Dict]:
        until = time.perf_counter() + settings.window_seconds
        return await asyncio.gather(*(slow_client(port, first, until, trickle) for first in firsts))

    context = multiprocessing.get_context("spawn")
    stop, answers = context.Event(), context.Queue()
    prober = context.Process(target=probe_health, args=(port, stop, answers), daemon=True)
    prober.start()
    answers.get(timeout=120)  # the first probe answered: the clients start
    with MemoryWatch(server) as memory:
        outcomes = asyncio.run(run())
    stop.set()
    latencies, failures = answers.get(timeout=60)
    prober.join(30)
    time.sleep(settings.settle_seconds)
    after = server_memory_mb(server)
    return {
        **summary(outcomes, settings.window_seconds),
        "health": health_summary(latencies, failures),
        **memory.summary(),
        "memory_mb_after": after,
        "memory_mb_after_up": after - memory.before,
    }


def health_summary(latencies: List[float], failures: List[str]) -> Dict:
    return {
        "probes": len(latencies) + len(failures),
        "failures": len(failures),
        "latency_ms": latency_percentiles_ms(latencies),
        "max_ms": max(latencies, default=0.0) * 1000,
    }


def run_slow_clients(url: str, server, settings: SlowClientSettings) -> Dict:
    """Slowloris, stalled bodies and a header line over the limit, in turn."""
    port = int(url.rsplit(":", 1)[1])
    stalled_head = REQUEST_HEAD + b"Content-Length: %d\r\n\r\n" % settings.promised_bytes
    stalled_body = stalled_head + b'{"texts": ["' + b"a" * (settings.sent_bytes - 12)
    body = b'{"texts": ["a model"]}'
    big_header = REQUEST_HEAD + b"X-Big: " + b"a" * settings.big_header_bytes + b"\r\n"
    big_header += b"Content-Length: %d\r\n\r\n" % len(body) + body
    return {
        "settings": asdict(settings),
        "slowloris": slow_scenario(
            port, server, [REQUEST_HEAD] * settings.trickling, settings.trickle_seconds, settings
        ),
        "stalled_bodies": slow_scenario(port, server, [stalled_body] * settings.stalled, 0.0, settings),
        "big_header_line": slow_scenario(port, server, [big_header], 0.0, settings),
    }
