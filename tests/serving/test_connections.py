"""nerkit/serving/connections.py in a real server (scripts/serve.py on
127.0.0.1, short deadlines): headers that never end, trickle in or run too
long, a body that never starts or stalls, and one connection too many are
each answered (408, 431, 503) and closed, while a steady client and the
server's other connections go on as before."""

import socket
import sys
import time
import urllib.request

import orjson
import pytest

from nerkit.benchmarks.server_process import running_server

pytestmark = pytest.mark.slow

DEADLINES = [
    "--header-seconds", "1", "--body-first-byte-seconds", "1", "--body-min-bytes-per-second", "100000",
    "--max-header-bytes", "2000", "--request-seconds", "20",
]  # fmt: skip
REQUEST_HEAD = b"POST /ents HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"


@pytest.fixture(scope="module")
def server(ruler_model, script):
    with running_server([sys.executable, script("serve"), ruler_model, *DEADLINES]) as (url, _):
        yield int(url.rsplit(":", 1)[1])


def connect(port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=60)


def answer_of(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    received = b""
    while chunk := sock.recv(65536):
        received += chunk
    return received


def status_of(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1]) if answer else 0


def ents(port: int, text: str) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/ents", data=orjson.dumps({"texts": [text]}), method="POST"
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return orjson.loads(response.read())


def test_headers_that_never_end_are_408_and_closed(server):
    sock = connect(server)
    sock.sendall(b"POST /ents HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    answer = answer_of(sock)
    assert status_of(answer) == 408 and b"connection: close" in answer
    assert b"content-security-policy" in answer and b"request line and headers" in answer


def test_trickled_headers_are_cut_off_by_the_deadline_not_by_their_pace(server):
    sock = connect(server)
    sock.sendall(b"POST /ents HTTP/1.1\r\n")
    sent = 0
    try:
        for sent in range(1, 60):  # a header line every 0.2 s: 12 s, far past the deadline of 1 s
            time.sleep(0.2)
            sock.sendall(b"X-Slow-%d: a\r\n" % sent)
    except OSError:  # closed by the server
        pass
    assert status_of(answer_of(sock)) == 408 and sent < 59


def test_headers_over_their_bytes_are_431(server):
    sock = connect(server)
    sock.sendall(REQUEST_HEAD + b"X-Big: " + b"a" * 5_000 + b"\r\n\r\n")
    assert status_of(answer_of(sock)) == 431


def test_a_body_that_never_starts_or_stalls_is_408(server):
    for first_bytes in (b"", b'{"texts": ["a model'):
        sock = connect(server)
        sock.sendall(REQUEST_HEAD + b"Content-Length: 1000000\r\n\r\n" + first_bytes)
        answer = answer_of(sock)
        assert status_of(answer) == 408, answer
        assert (b"no byte of the body" if not first_bytes else b"body slower than") in answer


def test_a_steady_body_and_kept_alive_requests_are_answered(server):
    text = "a model " * 40_000  # 320,000 bytes, sent at about 3 times the least rate
    body = orjson.dumps({"texts": [text[:90_000]] * 3})
    sock = connect(server)
    sock.sendall(REQUEST_HEAD + b"Content-Length: %d\r\n\r\n" % len(body))
    for start in range(0, len(body), 30_000):
        sock.sendall(body[start : start + 30_000])
        time.sleep(0.1)
    head = sock.recv(65536)
    assert status_of(head) == 200
    sock.close()
    assert ents(server, "a model")["results"][0]["ents"][0]["text"] == "model"
    assert ents(server, "gradient descent")["results"][0]["ents"][0]["text"] == "descent"


def test_one_connection_past_the_bound_is_503_before_anything_is_read(ruler_model, script):
    options = ["--max-connections", "4", "--header-seconds", "60"]
    with running_server([sys.executable, script("serve"), ruler_model, *options]) as (url, _):
        port = int(url.rsplit(":", 1)[1])
        held = [connect(port) for _ in range(4)]  # accepted in turn, before the next one
        extra = connect(port)
        answer = answer_of(extra)
        assert status_of(answer) == 503 and b"retry-after: 1" in answer and b"more than 4 connections" in answer
        for sock in held:
            sock.close()
        time.sleep(0.5)  # the server sees them closed
        assert ents(port, "a model")["results"][0]["ents"][0]["label"] == "TERM"


def test_a_declared_body_that_does_not_fit_the_buffer_is_503_before_any_app_is_called(ruler_model, script):
    with running_server([sys.executable, script("serve"), ruler_model, "--max-buffered-bytes", "1000"]) as (url, _):
        port = int(url.rsplit(":", 1)[1])
        sock = connect(port)
        sock.sendall(REQUEST_HEAD + b"Content-Length: 5000\r\n\r\n" + b"x" * 100)
        answer = answer_of(sock)
        assert status_of(answer) == 503 and b"retry-after: 1" in answer and b"would pass 1,000 bytes" in answer
        assert b"server: uvicorn" not in answer  # written by the protocol, not by the app through uvicorn
        assert ents(port, "a model")["results"][0]["ents"][0]["text"] == "model"  # 7-byte texts fit
