"""A soak of a real `serve` on 127.0.0.1: requests of distinct random words
(no word twice) from concurrent clients until a number of words or seconds,
the server's memory and its lanes' vocabulary (/health) traced as the words
go through. Writes its figures into the benchmark's JSON
(dlbook/benchmarks/serve.py)."""

import asyncio
import time
from typing import Dict, List

import aiohttp
import orjson

from dlbook.benchmarks.annotate_soak import distinct_word, memory_growth
from dlbook.benchmarks.server_stats import server_memory_mb


def soak_body(first_word: int, texts: int, words_per_text: int) -> bytes:
    words = (distinct_word(first_word + i) for i in range(texts * words_per_text))
    return orjson.dumps({"texts": [" ".join(next(words) for _ in range(words_per_text)) for _ in range(texts)]})


def soak_scenario(
    url: str, server, words: int, words_per_text: int, texts_per_request: int, clients: int, seconds: float,
    flat_after_words: int, trace_every_words: int,
) -> Dict:  # fmt: skip
    """`clients` clients posting requests of `texts_per_request` texts of
    `words_per_text` distinct words until `words` words or `seconds`."""
    words_per_request = words_per_text * texts_per_request
    requests = -(-words // words_per_request)
    next_request = 0
    done_words = 0
    statuses: Dict[str, int] = {}
    trace: List[Dict] = []

    async def record(session: aiohttp.ClientSession, words_done: int) -> None:
        # the count is taken by the caller: other clients add to it while /health answers
        async with session.get(f"{url}/health") as answer:
            lanes = (await answer.json())["lanes"]
        trace.append(
            {
                "worker": "server",
                "words": words_done,
                "rss_mb": server_memory_mb(server),
                "strings": sum(lane["vocab_strings"] for lane in lanes.values()),
                "string_table_cells": sum(lane["string_table_cells"] for lane in lanes.values()),
                "pipeline_renewals": sum(lane["pipeline_renewals"] for lane in lanes.values()),
            }
        )

    async def client(session: aiohttp.ClientSession, deadline: float) -> None:
        nonlocal next_request, done_words
        while next_request < requests and time.perf_counter() < deadline:
            body = soak_body(next_request * words_per_request, texts_per_request, words_per_text)
            next_request += 1
            async with session.post(f"{url}/ents", data=body, headers={"content-type": "application/json"}) as answer:
                await answer.read()
                statuses[str(answer.status)] = statuses.get(str(answer.status), 0) + 1
            if answer.status == 200:
                before = done_words
                done_words += words_per_request
                if done_words // trace_every_words > before // trace_every_words:
                    await record(session, done_words)

    async def run() -> float:
        start = time.perf_counter()
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=clients)) as session:
            await record(session, done_words)
            await asyncio.gather(*(client(session, start + seconds) for _ in range(clients)))
            await record(session, done_words)
        return time.perf_counter() - start

    elapsed = asyncio.run(run())
    trace.sort(key=lambda point: point["words"])  # clients' records may land out of order
    growth = memory_growth(trace, flat_after_words)["server"]
    return {
        "words": done_words,
        "words_asked": words,
        "seconds": elapsed,
        "words_per_second": done_words / elapsed,
        "clients": clients,
        "texts_per_request": texts_per_request,
        "words_per_text": words_per_text,
        "statuses": statuses,
        "flat_after_words": flat_after_words,
        "memory_growth": growth,
        "trace": trace,
    }
