"""Load test of `serve` against a real server on 127.0.0.1: concurrent
clients send one-sentence requests, then 100-sentence requests, each
scenario bounded in seconds and in requests. Reports requests/s, words/s,
p50/p95/p99 latency, errors and the server's memory (all its processes)
before each scenario and once a second during it, beside the words/s of
in-process `nlp.pipe` over the same sentences, measured in the same run.
Then, on the same server, the hostile scenarios (serve_hostile.py) and the
soak of distinct words (serve_soak.py), where asked. Writes one JSON."""

import asyncio
import os
import statistics
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import aiohttp
import orjson
import spacy
from spacy.tokens import DocBin
from wasabi import msg

from dlbook.benchmarks.serve_hostile import run_hostile
from dlbook.benchmarks.serve_soak import soak_scenario
from dlbook.benchmarks.server_stats import LATENCY_PERCENTILES, percentile, server_memory_mb
from dlbook.common.loading import load_pipeline
from dlbook.common.machine import describe_machine
from dlbook.serving.process import running_server


def sentences_of(nlp, test_path: Path) -> List[str]:
    docs = DocBin().from_disk(test_path).get_docs(nlp.vocab)
    return [sent.text for doc in docs for sent in doc.sents if sent.text.strip()]


def in_process_words_per_second(nlp, texts: List[str], batch_size: int, passes: int = 3) -> float:
    list(nlp.pipe(texts[:500], batch_size=batch_size))  # warm-up
    rates = []
    for _ in range(passes):
        start = time.perf_counter()
        words = sum(len(doc) for doc in nlp.pipe(texts, batch_size=batch_size))
        rates.append(words / (time.perf_counter() - start))
    return statistics.median(rates)


async def load(
    url: str,
    bodies: List[bytes],
    words: List[int],
    clients: int,
    seconds: float,
    max_requests: int,
    server: subprocess.Popen,
) -> Dict:
    """`clients` clients, each sending the next body as soon as its answer is
    back, until `seconds` have passed or `max_requests` were sent; the
    server's memory once a second meanwhile."""
    latencies: List[float] = []
    errors: Dict[str, int] = {}
    done_words = 0
    next_body = 0
    deadline = time.perf_counter() + seconds

    async def client(session: aiohttp.ClientSession) -> None:
        nonlocal next_body, done_words
        while time.perf_counter() < deadline and next_body < max_requests:
            i = next_body % len(bodies)
            next_body += 1
            start = time.perf_counter()
            try:
                async with session.post(url, data=bodies[i], headers={"content-type": "application/json"}) as answer:
                    content = await answer.read()
                    if answer.status != 200 or not content.startswith(b'{"model"'):
                        errors[str(answer.status)] = errors.get(str(answer.status), 0) + 1
                        continue
            except aiohttp.ClientError as error:
                errors[type(error).__name__] = errors.get(type(error).__name__, 0) + 1
                continue
            latencies.append(time.perf_counter() - start)
            done_words += words[i]

    memory_mb: List[float] = []

    async def watch_memory() -> None:
        while time.perf_counter() < deadline and next_body < max_requests:
            memory_mb.append(server_memory_mb(server))
            await asyncio.sleep(1)

    started = time.perf_counter()
    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(connector=connector) as session:
        await asyncio.gather(watch_memory(), *(client(session) for _ in range(clients)))
    elapsed = time.perf_counter() - started
    return {
        "clients": clients,
        "seconds": elapsed,
        "requests": len(latencies),
        "errors": errors,
        "requests_per_second": len(latencies) / elapsed,
        "words_per_second": done_words / elapsed,
        "latency_ms": {name: percentile(latencies, q) * 1000 for name, q in LATENCY_PERCENTILES},
        "server_memory_mb_each_second": memory_mb,
    }


def benchmark_serve(
    model: str,
    test_path: Path,
    serve_command: Sequence,
    clients: int,
    batch_clients: int,
    texts_per_request: int,
    seconds: float,
    max_requests: int,
    workers: int,
    hostile: Optional[Dict] = None,
    soak: Optional[Dict] = None,
) -> Dict:
    """The scenarios against `serve_command` (the serve command line for
    `model`, without --port), beside in-process nlp.pipe over the same
    sentences; then the hostile scenarios with the `hostile` settings and
    the soak with the `soak` settings, where given."""

    nlp = load_pipeline(model)
    sentences = sentences_of(nlp, test_path)
    words = [len(nlp.make_doc(sentence)) for sentence in sentences]
    reference = in_process_words_per_second(nlp, sentences, batch_size=128)
    msg.info(f"{len(sentences):,} test sentences; in-process nlp.pipe {reference:,.0f} words/s")
    one = [orjson.dumps({"texts": [sentence]}) for sentence in sentences]
    groups = range(0, len(sentences) - texts_per_request + 1, texts_per_request)
    many = [orjson.dumps({"texts": sentences[i : i + texts_per_request]}) for i in groups]
    many_words = [sum(words[i : i + texts_per_request]) for i in groups]
    with running_server([*serve_command, "--workers", workers]) as (base_url, server):
        url = f"{base_url}/ents"
        memory = {"start": server_memory_mb(server)}
        scenarios = {}
        for name, bodies, body_words, n_clients in (
            ("one_sentence", one, words, clients),
            (f"{texts_per_request}_texts", many, many_words, batch_clients),
        ):
            result = asyncio.run(load(url, bodies, body_words, n_clients, seconds, max_requests, server))
            result["of_in_process_words_per_second"] = result["words_per_second"] / reference
            scenarios[name] = result
            memory[f"after_{name}"] = server_memory_mb(server)
            msg.good(
                f"{name}: {result['requests_per_second']:,.0f} requests/s, {result['words_per_second']:,.0f} words/s "
                f"({result['of_in_process_words_per_second']:.0%} of in-process), p99 "
                f"{result['latency_ms']['p99']:.1f} ms, errors {result['errors'] or 0}"
            )
        if hostile:
            scenarios["hostile"] = run_hostile(
                base_url, server, sentences, hostile, clients, seconds, max_requests, msg.good
            )
            memory["after_hostile"] = server_memory_mb(server)
        if soak:
            scenarios["soak"] = soak_scenario(base_url, server, **soak)
            growth = scenarios["soak"]["memory_growth"]
            msg.good(
                f"soak: {scenarios['soak']['words']:,} distinct words at {scenarios['soak']['words_per_second']:,.0f}"
                f" words/s, memory +{growth.get('rss_mb_growth_after') or 0:.1f} MB after the first words"
            )
            memory["after_soak"] = server_memory_mb(server)
        health = orjson.loads(urllib_get(f"{base_url}/health"))
    return {
        "model": model,
        "machine": describe_machine(-1),
        "cpu_count": os.cpu_count(),
        "spacy": spacy.__version__,
        "settings": {
            "workers": workers,
            "seconds": seconds,
            "max_requests": max_requests,
            "hostile": hostile,
            "soak": soak,
        },  # fmt: skip
        "sentences": len(sentences),
        "in_process_words_per_second": reference,
        "scenarios": scenarios,
        "server_memory_mb": memory,
        "health_at_the_end": health,
    }


def urllib_get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as answer:
        return answer.read()
