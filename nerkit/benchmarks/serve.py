"""Load test of `serve` against a real server on 127.0.0.1: concurrent
clients send one-sentence requests, then 100-sentence requests, each
scenario bounded in seconds and in requests. Reports requests/s, words/s,
p50/p95/p99 latency, errors and the server's memory (all its processes)
before each scenario and once a second during it, beside the words/s of
in-process `nlp.pipe` over the same sentences, measured in the same run.
Then, on the same server, the hostile scenarios (serve_hostile.py), the
slow clients (serve_slow_clients.py) and the soak of distinct words
(serve_soak.py), where asked. Writes one JSON."""

import asyncio
import os
import subprocess
import time
import urllib.request
from dataclasses import asdict
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import aiohttp
import orjson
import spacy
from spacy.tokens import DocBin
from wasabi import msg

from nerkit.benchmarks.serve_hostile import run_hostile
from nerkit.benchmarks.serve_settings import HostileSettings, LoadSettings, SoakSettings
from nerkit.benchmarks.serve_slow_clients import SlowClientSettings
from nerkit.benchmarks.serve_soak import soak_scenario
from nerkit.benchmarks.server_process import running_server
from nerkit.benchmarks.server_stats import server_memory_mb
from nerkit.benchmarks.timing import latency_percentiles_ms, pipe_words, time_in_turns
from nerkit.common.loading import load_pipeline
from nerkit.common.machine import describe_machine


def sentences_of(nlp, test_path: Path) -> List[str]:
    docs = DocBin().from_disk(test_path).get_docs(nlp.vocab)
    return [sent.text for doc in docs for sent in doc.sents if sent.text.strip()]


async def load_test(
    url: str, bodies: List[bytes], words: List[int], clients: int, load: LoadSettings, server: subprocess.Popen
) -> Dict:
    """`clients` clients, each sending the next body as soon as its answer is
    back, until `seconds` have passed or `max_requests` were sent; the
    server's memory once a second meanwhile.
    url: the endpoint; bodies, words: the requests in turn and the words of
    each; clients: concurrent clients; load: the seconds and requests that
    bound the scenario; server: the server process whose memory is read."""
    latencies: List[float] = []
    errors: Dict[str, int] = {}
    done_words = 0
    next_body = 0
    seconds, max_requests = load.seconds, load.max_requests
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
        "latency_ms": latency_percentiles_ms(latencies),
        "server_memory_mb_each_second": memory_mb,
    }


def load_scenarios(
    url: str, server, sentences: List[str], words: List[int], load: LoadSettings
) -> Tuple[Dict[str, Dict], Dict[str, float]]:
    """One-sentence requests from the load's clients, then requests of
    `texts_per_request` sentences from its batch clients: each scenario's
    figures, and the server's memory after each (`after_NAME`)."""
    size = load.texts_per_request
    groups = range(0, len(sentences) - size + 1, size)
    setups = {
        "one_sentence": ([orjson.dumps({"texts": [s]}) for s in sentences], words, load.clients),
        f"{size}_texts": (
            [orjson.dumps({"texts": sentences[i : i + size]}) for i in groups],
            [sum(words[i : i + size]) for i in groups],
            load.batch_clients,
        ),
    }
    results, memory = {}, {}
    for name, (bodies, body_words, clients) in setups.items():
        results[name] = asyncio.run(load_test(f"{url}/ents", bodies, body_words, clients, load, server))
        memory[f"after_{name}"] = server_memory_mb(server)
    return results, memory


def benchmark_serve(
    model: str,
    test_path: Path,
    serve_command: Sequence,
    load: LoadSettings = LoadSettings(),
    hostile: Optional[HostileSettings] = None,
    soak: Optional[SoakSettings] = None,
    slow: Optional[SlowClientSettings] = None,
) -> Dict:
    """The load scenarios against `serve_command` (the serve command line for
    `model`, without --port), beside in-process nlp.pipe over the same
    sentences timed in this run; then the hostile scenarios (the slow
    clients among them) and the soak, where given.
    model: the pipeline; test_path: the DocBin whose sentences are sent;
    serve_command: its command line; load, hostile, soak, slow: settings (None: not run)."""
    nlp = load_pipeline(model)
    sentences = sentences_of(nlp, test_path)
    words = [len(nlp.make_doc(sentence)) for sentence in sentences]
    reference = time_in_turns({"in_process": pipe_words(nlp, sentences, 128)}, rounds=3)["in_process"]
    msg.info(f"{len(sentences):,} test sentences; in-process nlp.pipe {reference['words_per_second']:,.0f} words/s")
    with running_server([*serve_command, "--workers", load.workers]) as (base_url, server):
        start = server_memory_mb(server)
        scenarios, memory = load_scenarios(base_url, server, sentences, words, load)
        memory = {"start": start, **memory}
        for name, result in scenarios.items():
            result["of_in_process_words_per_second"] = result["words_per_second"] / reference["words_per_second"]
            rates = f"{result['requests_per_second']:,.0f} requests/s, {result['words_per_second']:,.0f} words/s"
            share, p99 = result["of_in_process_words_per_second"], result["latency_ms"].get("p99", 0)
            msg.good(f"{name}: {rates} ({share:.0%} of in-process), p99 {p99:.1f} ms, errors {result['errors'] or 0}")
        if hostile:
            scenarios["hostile"] = run_hostile(base_url, server, sentences, hostile, load, slow)
            memory["after_hostile"] = server_memory_mb(server)
        if soak:
            scenarios["soak"] = soak_scenario(base_url, server, soak)
            soaked, growth = scenarios["soak"], scenarios["soak"]["memory_growth"]
            msg.good(
                f"soak: {soaked['words']:,} distinct words at {soaked['words_per_second']:,.0f} words/s, "
                f"memory +{growth.get('rss_mb_growth_after') or 0:.1f} MB after the first words"
            )
            memory["after_soak"] = server_memory_mb(server)
        health = orjson.loads(urllib_get(f"{base_url}/health"))
    return {
        "model": model,
        "machine": describe_machine(-1),
        "cpu_count": os.cpu_count(),
        "spacy": spacy.__version__,
        "settings": {
            "load": asdict(load),
            "hostile": hostile and asdict(hostile),
            "slow_clients": slow and asdict(slow),
            "soak": soak and asdict(soak),
        },
        "sentences": len(sentences),
        "in_process_words_per_second": reference["words_per_second"],
        "in_process_timing": reference,
        "scenarios": scenarios,
        "server_memory_mb": memory,
        "health_at_the_end": health,
    }


def urllib_get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as answer:
        return answer.read()
