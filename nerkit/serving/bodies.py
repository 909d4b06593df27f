"""The body of a request, read by ASGI middleware before any route sees it:
within the body limit of RequestLimits (limits.py), as its Content-Length
or its bytes so far say, and within the bytes of bodies the server holds
for all requests at once. A body refused for its size is drained (read
and dropped, within a bound of bytes and seconds) before the answer goes
out, so that a client that sends its whole body before reading (Python's
urllib, requests, httpx) reads the 413 instead of a reset connection.

Bodies held across all requests at once (from the first byte read to the
answer) are bounded by `max_buffered_bytes`: a request whose declared length
or bytes so far would pass it is answered 503 with Retry-After before more
of it is read, and closed; where uvicorn runs the app with its lifespan,
the HTTP protocol refuses a declared length that does not fit already,
before any app is called (connections.py). Once a burst of bodies is
freed, the allocator is asked to give the freed pages back to the system
(allocator.py), so that memory returns after the burst."""

import asyncio
import time
from typing import Any, Awaitable, Callable, Dict, List, MutableMapping, Optional, Sequence, Tuple

import orjson

from nerkit.serving.allocator import trim_heap
from nerkit.serving.limits import LimitExceeded, RequestLimits

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
Headers = Sequence[Tuple[bytes, bytes]]

# the heap is trimmed each time this many bytes of bodies were freed
TRIM_STEP_BYTES = 16_000_000
# the Retry-After of a request refused while bodies fill the buffer
BUFFER_RETRY_AFTER_SECONDS = 1
# where the middleware leaves itself in the lifespan state, which uvicorn
# hands to its HTTP protocol (connections.py refuses a body that does not
# fit before any app is called)
BODY_BUFFER_STATE = "nerkit.body_buffer"


class BodySizeLimit:
    """ASGI middleware: a body over `max_bytes` is refused as soon as its
    Content-Length or its bytes so far say so; a body within the limit is
    read here and handed on whole. The refused body is drained first (unless
    the client waits for `100 Continue`, and so has sent nothing), within the
    drain bounds, then answered 413 and the connection closed. The bytes held
    for all requests at once are counted against `max_buffered_bytes`."""

    def __init__(self, app: Callable, limits: RequestLimits):
        self.app = app
        self.limits = limits
        self.held = 0  # bytes of bodies reserved by the requests in progress
        self.held_at_trim = 0  # the most held since the heap was last trimmed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            if scope["type"] == "lifespan" and "state" in scope:
                scope["state"][BODY_BUFFER_STATE] = self
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        length = headers.get(b"content-length")
        declared = int(length) if length is not None and length.isdigit() else 0
        if declared > self.limits.max_body_bytes:
            if headers.get(b"expect", b"").lower() != b"100-continue":
                await self.drain(receive, 0)
            await self.refuse(send, declared)
            return
        if not self.reserve(declared):
            await refuse_for_buffer(send, self.limits.max_buffered_bytes)
            return
        reserved = [declared]  # what this request holds, as its body grows
        try:
            body = await self.read_body(receive, send, reserved)
            if body is not None:
                await self.app(scope, replay(body, receive), send)
        finally:
            self.release(reserved[0])

    async def read_body(self, receive: Receive, send: Send, reserved: List[int]) -> Optional[bytes]:
        """The whole body, or None where it was refused (413 or 503, sent
        here) or the client went away; `reserved[0]` follows the bytes held."""
        chunks: List[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return None
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            more = message.get("more_body", False)
            if size > self.limits.max_body_bytes:
                chunks.clear()
                if more:
                    size = await self.drain(receive, size)
                await self.refuse(send, size)
                return None
            if size > reserved[0]:
                if not self.reserve(size - reserved[0]):
                    chunks.clear()
                    await refuse_for_buffer(send, self.limits.max_buffered_bytes)
                    return None
                reserved[0] = size
        body = b"".join(chunks)
        chunks.clear()  # the body once in memory, not twice
        return body

    def fits(self, size: int) -> bool:
        """Whether `size` more bytes would stay within the bound."""
        return self.held + size <= self.limits.max_buffered_bytes

    def reserve(self, size: int) -> bool:
        """Counts `size` more bytes held, unless that passes the bound."""
        if size and not self.fits(size):
            return False
        self.held += size
        self.held_at_trim = max(self.held_at_trim, self.held)
        return True

    def release(self, size: int) -> None:
        """Counts `size` bytes freed; trims the heap once enough were."""
        self.held -= size
        if self.held_at_trim - self.held >= TRIM_STEP_BYTES:
            trim_heap()
            self.held_at_trim = self.held

    async def drain(self, receive: Receive, size: int) -> int:
        """Read and drop the rest of the body, within the drain bounds;
        returns the bytes seen in all."""
        deadline = time.monotonic() + self.limits.max_drain_seconds
        start = size
        while size - start < self.limits.max_drain_bytes:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            try:
                message = await asyncio.wait_for(receive(), left)
            except asyncio.TimeoutError:
                break
            if message["type"] != "http.request":
                break
            size += len(message.get("body", b""))
            if not message.get("more_body", False):
                break
        return size

    async def refuse(self, send: Send, found: int) -> None:
        error = LimitExceeded("max_body_bytes", self.limits.max_body_bytes, found, "bytes in the request body")
        # whatever of the body was not drained makes the connection unusable
        await send_closing_answer(send, 413, error.to_dict())


def replay(body: bytes, receive: Receive) -> Receive:
    """The receive of the app behind: the body once, whole, then the
    connection's own messages (after the body, only a disconnect)."""
    delivered = False

    async def receive_body() -> Message:
        nonlocal delivered
        if delivered:
            return await receive()
        delivered = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive_body


def buffer_full(maximum: int) -> str:
    """The error of a request refused because the bodies held for the
    requests in progress would pass `maximum` bytes (here and in the HTTP
    protocol, connections.py)."""
    return f"request bodies held by the server would pass {maximum:,} bytes; retry later"


async def refuse_for_buffer(send: Send, maximum: int) -> None:
    """503 with Retry-After and the connection closed: the bodies held for
    the requests in progress would pass `maximum` bytes."""
    content = {"error": buffer_full(maximum), "limit": "max_buffered_bytes", "maximum": maximum}
    await send_closing_answer(send, 503, content, [(b"retry-after", str(BUFFER_RETRY_AFTER_SECONDS).encode())])


async def send_closing_answer(send: Send, status: int, content: Dict[str, Any], headers: Headers = ()) -> None:
    """A JSON answer that closes the connection, with `headers` besides."""
    body = orjson.dumps(content)
    start = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        *headers,
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": status, "headers": start})
    await send({"type": "http.response.body", "body": body})
