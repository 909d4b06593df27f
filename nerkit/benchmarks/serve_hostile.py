"""Hostile traffic against a real `serve` on 127.0.0.1, each scenario bounded
in requests and seconds:

- oversize and malformed bodies (a 10 MB bomb of 5 million numbers, bodies
  over the body limit sent whole as Python's urllib sends them, with and
  without a length, 10 MB of nesting, a text over its limit, a thousand
  bad items, a foreign Host header): the status, the seconds to it, whether
  a Python client read the answer, and the server's memory during each;
- big and small: one client sending 10 MB requests while many clients send
  one-sentence requests, the small requests' latency percentiles;
- a full queue: many large requests at once, the 503s and that every
  admitted request was answered;
- slow clients (serve_slow_clients.py), where asked.
Writes its figures into the benchmark's JSON (nerkit/benchmarks/serve.py)."""

import asyncio
import http.client
import time
import urllib.error
import urllib.request
from typing import Dict, Iterator, List, Optional

import aiohttp
import orjson
from wasabi import msg

from nerkit.benchmarks.serve_settings import HostileSettings, LoadSettings
from nerkit.benchmarks.serve_slow_clients import SlowClientSettings, run_slow_clients
from nerkit.benchmarks.server_stats import MemoryWatch
from nerkit.benchmarks.timing import latency_percentiles_ms


def urllib_post(url: str, body, headers: Optional[Dict[str, str]] = None, timeout: float = 30) -> Dict:
    """POST as Python's urllib does (the whole body, no `Expect`): the
    status and error of the answer if one was read, else the error."""
    request = urllib.request.Request(url, data=body, method="POST", headers=headers or {})
    request.add_header("Content-Type", "application/json")
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            status, content = answer.status, answer.read()
    except urllib.error.HTTPError as error:
        status, content = error.code, error.read()
    except (OSError, http.client.HTTPException) as error:
        return {"status": None, "read_by_python_client": False, "error": f"{type(error).__name__}: {error}",
                "seconds": time.perf_counter() - start}  # fmt: skip
    seconds = time.perf_counter() - start
    try:
        answer_json = orjson.loads(content)
    except orjson.JSONDecodeError:
        answer_json = {"error": content[:200].decode(errors="replace")}
    return {
        "status": status,
        "read_by_python_client": True,
        "error": answer_json.get("error") if isinstance(answer_json, dict) else None,
        "seconds": seconds,
    }


def chunks(body: bytes, size: int = 1 << 20) -> Iterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start : start + size]


def hostile_bodies(max_body_bytes: int, max_text_chars: int) -> Dict[str, Dict]:
    """The bodies of the oversize scenario: name -> body and how it is sent."""
    items = (max_body_bytes - len(b'{"texts": []}')) // 2
    bomb = b'{"texts": [' + b",".join([b"1"] * items) + b"]}"
    over = b'{"texts": ["' + b"model " * (2 * max_body_bytes // 6 + 1) + b'"]}'
    depth = (max_body_bytes - len(b'{"texts": }')) // 2
    return {
        "item_bomb_10mb": {"body": bomb, "expect": 413},
        "over_body_limit_urllib": {"body": over, "expect": 413},
        "over_body_limit_chunked": {"body": over, "chunked": True, "expect": 413},
        "nested_10mb": {"body": b'{"texts": ' + b"[" * depth + b"]" * depth + b"}", "expect": 422},
        "text_over_its_limit": {"body": orjson.dumps({"texts": ["model " * (max_text_chars // 6 + 1)]}), "expect": 413},
        "a_thousand_bad_items": {"body": orjson.dumps({"texts": [None] * 1000}), "expect": 422},
        "lone_surrogate": {"body": b'{"texts": ["a \\ud800 model"]}', "expect": 422},
        "not_utf8": {"body": b'{"texts": ["caf\xe9 model"]}', "expect": 422},
        "foreign_host": {"body": b'{"texts": ["a model"]}', "host": "attacker.example", "expect": 400},
    }


def oversize_scenario(url: str, server, max_body_bytes: int, max_text_chars: int) -> Dict[str, Dict]:
    results = {}
    for name, case in hostile_bodies(max_body_bytes, max_text_chars).items():
        body = chunks(case["body"]) if case.get("chunked") else case["body"]
        headers = {"Host": case["host"]} if "host" in case else {}
        with MemoryWatch(server) as memory:
            result = urllib_post(f"{url}/ents", body, headers)
        results[name] = {
            "body_bytes": len(case["body"]),
            "expected_status": case["expect"],
            **result,
            **memory.summary(),
        }
    return results


async def timed_posts(
    session: aiohttp.ClientSession, url: str, bodies: List[bytes], deadline: float, max_requests: int
) -> Dict:
    """One client posting its bodies in turn until the deadline: latencies
    and status counts."""
    latencies, statuses = [], {}
    sent = 0
    while time.perf_counter() < deadline and sent < max_requests:
        body = bodies[sent % len(bodies)]
        sent += 1
        start = time.perf_counter()
        try:
            async with session.post(url, data=body, headers={"content-type": "application/json"}) as answer:
                await answer.read()
                status = str(answer.status)
        except aiohttp.ClientError as error:
            status = type(error).__name__
        statuses[status] = statuses.get(status, 0) + 1
        if status == "200":
            latencies.append(time.perf_counter() - start)
    return {"latencies": latencies, "statuses": statuses}


def merge(runs: List[Dict]) -> Dict:
    latencies = [latency for run in runs for latency in run["latencies"]]
    statuses: Dict[str, int] = {}
    for run in runs:
        for status, count in run["statuses"].items():
            statuses[status] = statuses.get(status, 0) + count
    return {
        "requests": sum(statuses.values()),
        "statuses": statuses,
        "latency_ms": latency_percentiles_ms(latencies),
    }


def big_and_small_scenario(
    url: str, server, sentences: List[str], settings: HostileSettings, load: LoadSettings
) -> Dict:
    """One client sending big requests (made of the test sentences) while
    the load's clients send one-sentence requests, for the load's seconds."""
    big_texts, big_text_chars = settings.big_texts, settings.big_text_chars
    clients, seconds, max_requests = load.clients, load.seconds, load.max_requests
    text = (" ".join(sentences) * (big_text_chars // max(1, len(" ".join(sentences))) + 1))[:big_text_chars]
    big = [orjson.dumps({"texts": [text] * big_texts})]
    small = [orjson.dumps({"texts": [sentence]}) for sentence in sentences]

    async def run() -> Dict:
        deadline = time.perf_counter() + seconds
        timeout = aiohttp.ClientTimeout(total=seconds + 120)
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=clients + 1), timeout=timeout) as s:
            big_run = asyncio.ensure_future(timed_posts(s, f"{url}/ents", big, deadline, max_requests))
            await asyncio.sleep(0.5)  # the first big request is in before the small ones start
            small_runs = await asyncio.gather(
                *(timed_posts(s, f"{url}/ents", small, deadline, max_requests) for _ in range(clients))
            )
            return {"big": merge([await big_run]), "small": merge(list(small_runs))}

    with MemoryWatch(server) as memory:
        result = asyncio.run(run())
    return {
        "big_request": {"texts": big_texts, "chars_per_text": big_text_chars, "bytes": len(big[0])},
        "small_clients": clients,
        "seconds": seconds,
        **result,
        **memory.summary(),
    }


def queue_full_scenario(url: str, server, sentences: List[str], clients: int, request_chars: int) -> Dict:
    """`clients` clients each sending one request of `request_chars`
    characters at once: 200 or 503 (with Retry-After) for each, nothing
    else."""
    text = (" ".join(sentences) * (request_chars // max(1, len(" ".join(sentences))) + 1))[:request_chars]
    texts_per_request = max(1, request_chars // 99_000)
    body = orjson.dumps({"texts": [text[: request_chars // texts_per_request]] * texts_per_request})
    outcomes: List[Dict] = []

    async def one(session: aiohttp.ClientSession) -> None:
        start = time.perf_counter()
        async with session.post(f"{url}/ents", data=body, headers={"content-type": "application/json"}) as answer:
            content = await answer.read()
            outcomes.append(
                {
                    "status": answer.status,
                    "retry_after": answer.headers.get("Retry-After"),
                    "seconds": time.perf_counter() - start,
                    "answered_whole": answer.status != 200 or content.startswith(b'{"model"'),
                }
            )

    async def run() -> None:
        timeout = aiohttp.ClientTimeout(total=600)
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=clients), timeout=timeout) as session:
            await asyncio.gather(*(one(session) for _ in range(clients)))

    with MemoryWatch(server) as memory:
        asyncio.run(run())
    statuses: Dict[str, int] = {}
    for outcome in outcomes:
        statuses[str(outcome["status"])] = statuses.get(str(outcome["status"]), 0) + 1
    refused = [o for o in outcomes if o["status"] == 503]
    return {
        "clients": clients,
        "request_chars": len(text[: request_chars // texts_per_request]) * texts_per_request,
        "statuses": statuses,
        "every_admitted_request_answered": all(o["answered_whole"] for o in outcomes if o["status"] == 200),
        "other_5xx": sum(1 for o in outcomes if o["status"] >= 500 and o["status"] != 503),
        "refused_with_retry_after": sum(1 for o in refused if o["retry_after"]),
        "slowest_refusal_seconds": max((o["seconds"] for o in refused), default=None),
        **memory.summary(),
    }


def run_hostile(
    url: str,
    server,
    sentences: List[str],
    settings: HostileSettings,
    load: LoadSettings,
    slow: Optional[SlowClientSettings] = None,
) -> Dict:
    """Oversize bodies, big requests beside the load's one-sentence clients,
    a full queue, then the slow clients where given; each result logged as
    it comes."""
    oversize = oversize_scenario(url, server, settings.max_body_bytes, settings.max_text_chars)
    for name, result in oversize.items():
        msg.good(f"{name}: {result['status']} in {result['seconds']:.2f} s, memory +{result['memory_mb_up']:.0f} MB")
    big_and_small = big_and_small_scenario(url, server, sentences, settings, load)
    msg.good(f"big and small: small p99 {big_and_small['small']['latency_ms'].get('p99', 0):.1f} ms")
    queue_full = queue_full_scenario(url, server, sentences, settings.queue_clients, settings.queue_request_chars)
    msg.good(f"queue full: {queue_full['statuses']}")
    results = {"oversize": oversize, "big_and_small": big_and_small, "queue_full": queue_full}
    if slow:
        results["slow_clients"] = run_slow_clients(url, server, slow)
        for name, result in results["slow_clients"].items():
            if name != "settings":
                msg.good(f"{name}: {result['statuses']}, open at {result['open_at_seconds']} s")
    return results
