"""The connection guards of `serve`, in uvicorn's HTTP protocol (httptools),
where a slow or greedy client is seen before any ASGI app is called:

- at most `max_connections` open connections a worker: one more is answered
  503 and closed before anything of it is read;
- the request line and headers within `header_seconds` (from the connection,
  or from the first byte of a request on a kept-alive one), in at most
  `max_header_bytes` (over: 431);
- a body's first byte within `body_first_byte_seconds` of the headers, then
  at least `body_min_bytes_per_second` on average from that byte (and at
  least a second);
- the whole request within `request_seconds` of its first byte;
- a declared body that does not fit the bytes of bodies the server may hold
  (bodies.py, found in the lifespan state) answered 503 with Retry-After at
  once, before a task or any app is made for it.

Past a deadline the answer is 408 and the connection is closed; the app,
if it was waiting for the body, sees the client gone. Idle kept-alive
connections are closed by uvicorn's keep-alive timeout. One timer a
connection, re-armed only when it fires: a client that keeps pace costs
nothing per chunk but a counter."""

from dataclasses import dataclass
from typing import Any, Optional

import orjson
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from nerkit.serving.bodies import BODY_BUFFER_STATE, BUFFER_RETRY_AFTER_SECONDS, buffer_full
from nerkit.serving.headers import HEADERS


@dataclass(frozen=True)
class ConnectionLimits:
    """What one connection may take of a worker (the defaults are `serve`'s)."""

    max_connections: int = 1_000
    header_seconds: float = 10.0
    max_header_bytes: int = 16_384
    body_first_byte_seconds: float = 10.0
    body_min_bytes_per_second: int = 65_536
    request_seconds: float = 120.0


def raw_answer(status: int, error: str, retry_after: Optional[int] = None) -> bytes:
    """A complete JSON answer that closes the connection, with the security
    headers, written by the protocol itself (no app has the request)."""
    content = orjson.dumps({"error": error})
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(content)).encode()),
        (b"connection", b"close"),
        *HEADERS,
    ]
    if retry_after is not None:
        headers.append((b"retry-after", str(retry_after).encode()))
    lines = b"".join(name + b": " + value + b"\r\n" for name, value in headers)
    return STATUS_LINE[status] + lines + b"\r\n" + content


class RequestRefused(Exception):
    """Raised in the parser's callback to stop it after a refusal."""


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with the deadlines and bounds of
    ConnectionLimits (given as the keyword `limits`; `serve` hands uvicorn a
    partial of this class)."""

    def __init__(self, *args: Any, limits: ConnectionLimits, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.limits = limits
        self.timer: Any = None
        self.reading_headers = True
        self.header_bytes = 0
        self.request_deadline = 0.0
        self.body_expected_by = 0.0
        self.body_started: Optional[float] = None
        self.body_bytes = 0
        self.refused = False

    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)
        if len(self.connections) > self.limits.max_connections:
            self.refuse(503, f"more than {self.limits.max_connections:,} connections open; retry later", 1)
            return
        self.arm(self.limits.header_seconds, self.headers_late)

    def connection_lost(self, exc: Optional[Exception]) -> None:
        self.disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.reading_headers and not self.transport.is_closing():
            self.header_bytes += len(data)
            if self.header_bytes > self.limits.max_header_bytes:
                self.refuse(431, f"request line and headers over {self.limits.max_header_bytes:,} bytes")

    def on_message_begin(self) -> None:
        super().on_message_begin()
        now = self.loop.time()
        self.request_deadline = now + self.limits.request_seconds
        self.body_started, self.body_bytes = None, 0
        if not self.reading_headers:  # a new request on a kept-alive connection
            self.reading_headers, self.header_bytes = True, 0
            self.arm(self.limits.header_seconds, self.headers_late)

    def on_headers_complete(self) -> None:
        self.reading_headers = False
        self.disarm()
        # the bytes of a request whose headers came in one piece, counted here
        size = len(self.url) + sum(len(name) + len(value) + 4 for name, value in self.headers)
        if size > self.limits.max_header_bytes:
            self.refuse(431, f"request line and headers over {self.limits.max_header_bytes:,} bytes")
            raise RequestRefused()  # stops the parser: no app sees the request
        buffer = self.app_state.get(BODY_BUFFER_STATE)
        declared = self.declared_length()
        if buffer is not None and declared and not buffer.fits(declared):
            self.refuse(503, buffer_full(buffer.limits.max_buffered_bytes), BUFFER_RETRY_AFTER_SECONDS)
            raise RequestRefused()
        super().on_headers_complete()
        if declared or any(name == b"transfer-encoding" for name, _ in self.headers):  # a body follows
            self.body_expected_by = self.loop.time() + self.limits.body_first_byte_seconds
            self.arm(self.limits.body_first_byte_seconds, self.check_body)

    def declared_length(self) -> int:
        """The request's Content-Length (0 where there is none)."""
        for name, value in self.headers:
            if name == b"content-length" and value.strip().isdigit():
                return int(value)
        return 0

    def send_400_response(self, msg: str) -> None:
        if not self.refused:  # the parser's error after a refusal is that refusal
            super().send_400_response(msg)

    def on_body(self, body: bytes) -> None:
        if self.body_started is None:
            self.body_started = self.loop.time()
        self.body_bytes += len(body)
        super().on_body(body)

    def on_message_complete(self) -> None:
        self.disarm()
        super().on_message_complete()

    def headers_late(self) -> None:
        self.timer = None
        self.refuse(408, f"request line and headers not received within {self.limits.header_seconds:g} s")

    def check_body(self) -> None:
        """The body's deadlines, checked when the timer fires; re-armed for
        the moment the body would next fall behind."""
        self.timer = None
        now = self.loop.time()
        if now >= self.request_deadline:
            self.refuse(408, f"request not received within {self.limits.request_seconds:g} s")
            return
        if self.flow.read_paused:  # the app has not taken what came: not the client's delay
            due = now + 1.0
        elif self.body_started is None:
            due = self.body_expected_by
            if now >= due:
                self.refuse(408, f"no byte of the body within {self.limits.body_first_byte_seconds:g} s")
                return
        else:
            rate = self.limits.body_min_bytes_per_second
            due = self.body_started + max(self.body_bytes, rate) / rate
            if now >= due:
                self.refuse(408, f"body slower than {rate:,} bytes/s on average")
                return
        self.arm(min(due, self.request_deadline) - now, self.check_body)

    def arm(self, seconds: float, callback: Any) -> None:
        self.disarm()
        self.timer = self.loop.call_later(max(0.0, seconds), callback)

    def disarm(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None

    def refuse(self, status: int, error: str, retry_after: Optional[int] = None) -> None:
        """Answer `status` and close; an app waiting for the body sees the
        client gone, and can answer nothing more."""
        self.disarm()
        self.refused = True
        if self.cycle is not None and not self.cycle.response_complete:
            if self.cycle.response_started:  # an answer is under way: only closing is left
                self.transport.close()
                return
            self.cycle.disconnected = True
            self.cycle.message_event.set()
        self.transport.write(raw_answer(status, error, retry_after))
        self.transport.close()
