"""scripts/serve.py as a real uvicorn server on 127.0.0.1, with a trained
pipeline: the API as nlp.pipe gives it, the limits from the command line,
and a worker killed under load that is replaced while the server goes on
answering."""

import os
import signal
import threading
import time

import httpx
import psutil
import pytest

from loading import load_pipeline
from serve_process import running_server

pytestmark = pytest.mark.slow

TEXTS = ["Lloyd's algorithm for K-Means and Fine-tuning by Gradient Descent.", "We train the model with k-means."]


def test_api_and_limits_of_a_real_server(sm_model):
    nlp = load_pipeline(sm_model)
    expected = [[(e.start_char, e.end_char, e.label_, e.text) for e in doc.ents] for doc in nlp.pipe(TEXTS)]
    with running_server(sm_model, "--max-texts", "3", "--max-text-chars", "500", "--max-body-bytes", "2000") as (
        url,
        _,
    ):
        with httpx.Client(base_url=url) as client:
            body = client.post("/ents", json={"texts": TEXTS}).json()
            found = [[(e["start"], e["end"], e["label"], e["text"]) for e in r["ents"]] for r in body["results"]]
            assert found == expected and any(expected)
            assert client.get("/model").json()["labels"] == ["TERM"]
            assert client.post("/ents", json={"texts": ["x"] * 4}).json()["limit"] == "max_texts"
            assert client.post("/ents", json={"texts": ["x" * 501]}).json()["limit"] == "max_text_chars"
            big = client.post("/ents", content=b'{"texts": ["' + b"x" * 3000 + b'"]}')
            assert (big.status_code, big.json()["limit"]) == (413, "max_body_bytes")
            assert client.post("/ents", content=b"{not json").status_code == 422
            assert client.get("/health").json() == {"status": "ok"}


def workers(server) -> set:
    """uvicorn's worker processes (multiprocessing children that serve)."""
    found = set()
    for child in psutil.Process(server.pid).children():
        try:  # a killed worker stays a zombie until uvicorn reaps it
            if child.status() != psutil.STATUS_ZOMBIE and "spawn_main" in " ".join(child.cmdline()):
                found.add(child.pid)
        except psutil.NoSuchProcess:
            continue
    return found


def test_a_worker_killed_under_load_is_replaced_and_the_server_keeps_answering(sm_model):
    with running_server(sm_model, "--workers", "2") as (url, server):
        deadline = time.monotonic() + 60
        while len(workers(server)) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        before = workers(server)
        assert len(before) == 2
        outcomes = []
        stop = threading.Event()

        def client_loop():
            # no keep-alive: each request a new connection, which the kernel
            # hands to a live worker
            with httpx.Client(limits=httpx.Limits(max_keepalive_connections=0), timeout=10) as client:
                while not stop.is_set():
                    try:
                        status = client.post(f"{url}/ents", json={"texts": TEXTS}).status_code
                    except httpx.TransportError:
                        status = None
                    outcomes.append((time.monotonic(), status))

        clients = [threading.Thread(target=client_loop) for _ in range(4)]
        for thread in clients:
            thread.start()
        try:
            time.sleep(2)
            victim = min(before)
            killed_at = time.monotonic()
            os.kill(victim, signal.SIGKILL)
            deadline = time.monotonic() + 60
            while (len(workers(server)) < 2 or victim in workers(server)) and time.monotonic() < deadline:
                time.sleep(0.2)
            replaced_at = time.monotonic()
            now = workers(server)
            time.sleep(3)
        finally:
            stop.set()
            for thread in clients:
                thread.join()
    assert len(now) == 2 and victim not in now and now & before, f"no new worker within 60 s: {before} -> {now}"
    assert all(status == 200 for at, status in outcomes if at < killed_at), "errors before the kill"
    # only the requests that the killed worker held may fail: at most one a client
    failed = [at for at, status in outcomes if status != 200]
    assert len(failed) <= 4, failed
    assert sum(1 for at, status in outcomes if at > replaced_at and status == 200) > 10
