"""A soak of a real `serve` on 127.0.0.1: requests of distinct random words
(no word twice) from concurrent clients until a number of words or seconds,
the server's memory and its lanes' vocabulary (/health) traced as the words
go through. Writes its figures into the benchmark's JSON
(nerkit/benchmarks/serve.py)."""

import asyncio
import time
from typing import Dict, List

import aiohttp
import orjson

from nerkit.benchmarks.distinct_words import distinct_word
from nerkit.benchmarks.serve_settings import SoakSettings
from nerkit.benchmarks.server_stats import server_memory_mb
from nerkit.benchmarks.worker_memory import memory_growth


def soak_body(first_word: int, texts: int, words_per_text: int) -> bytes:
    words = (distinct_word(first_word + i) for i in range(texts * words_per_text))
    return orjson.dumps({"texts": [" ".join(next(words) for _ in range(words_per_text)) for _ in range(texts)]})


class Soak:
    """One soak against a server: the next request to send, the words
    answered, the statuses and the trace, shared by its clients (all on one
    event loop)."""

    def __init__(self, url: str, server, settings: SoakSettings):
        self.url, self.server, self.settings = url, server, settings
        self.words_per_request = settings.words_per_request
        self.requests = settings.requests
        self.next_request = 0
        self.words = 0
        self.statuses: Dict[str, int] = {}
        self.trace: List[Dict] = []

    async def trace_point(self, session: aiohttp.ClientSession, words: int) -> None:
        """The server's memory and its lanes' vocabulary (/health) at `words`
        (taken by the caller: other clients add to the count while /health answers)."""
        async with session.get(f"{self.url}/health") as answer:
            lanes = (await answer.json())["lanes"]
        self.trace.append(
            {
                "worker": "server",
                "words": words,
                "rss_mb": server_memory_mb(self.server),
                "strings": sum(lane["vocab_strings"] for lane in lanes.values()),
                "string_table_cells": sum(lane["string_table_cells"] for lane in lanes.values()),
                "pipeline_renewals": sum(lane["pipeline_renewals"] for lane in lanes.values()),
            }
        )

    async def client(self, session: aiohttp.ClientSession, deadline: float) -> None:
        """The next request of the soak until its words or the deadline, a
        trace point each `trace_every_words` words answered."""
        settings = self.settings
        while self.next_request < self.requests and time.perf_counter() < deadline:
            body = soak_body(
                self.next_request * self.words_per_request, settings.texts_per_request, settings.words_per_text
            )
            self.next_request += 1
            async with session.post(
                f"{self.url}/ents", data=body, headers={"content-type": "application/json"}
            ) as answer:
                await answer.read()
                self.statuses[str(answer.status)] = self.statuses.get(str(answer.status), 0) + 1
            if answer.status == 200:
                before = self.words
                self.words += self.words_per_request
                if self.words // settings.trace_every_words > before // settings.trace_every_words:
                    await self.trace_point(session, self.words)

    async def run(self) -> float:
        start = time.perf_counter()
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=self.settings.clients)) as session:
            await self.trace_point(session, self.words)
            deadline = start + self.settings.seconds
            await asyncio.gather(*(self.client(session, deadline) for _ in range(self.settings.clients)))
            await self.trace_point(session, self.words)
        return time.perf_counter() - start


def soak_scenario(url: str, server, settings: SoakSettings) -> Dict:
    """The soak's clients posting requests of distinct words until its
    words or seconds; the trace and the memory growth after its first words."""
    soak = Soak(url, server, settings)
    elapsed = asyncio.run(soak.run())
    soak.trace.sort(key=lambda point: point["words"])  # clients' records may land out of order
    return {
        "words": soak.words,
        "words_asked": settings.words,
        "seconds": elapsed,
        "words_per_second": soak.words / elapsed,
        "clients": settings.clients,
        "texts_per_request": settings.texts_per_request,
        "words_per_text": settings.words_per_text,
        "statuses": soak.statuses,
        "flat_after_words": settings.flat_after_words,
        "memory_growth": memory_growth(soak.trace, settings.flat_after_words)["server"],
        "trace": soak.trace,
    }
