"""The limits of `serve`: characters per text, texts per request, bytes per
request body. Over a limit, the answer is 413 with the limit's name, its
value and what was sent; a body is refused before it is read whole."""

from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Dict, List, MutableMapping

import orjson

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


@dataclass(frozen=True)
class Limits:
    max_text_chars: int = 100_000
    max_texts: int = 1_000
    max_body_bytes: int = 10_000_000


class LimitExceeded(Exception):
    def __init__(self, limit: str, maximum: int, found: int, what: str):
        self.limit, self.maximum, self.found = limit, maximum, found
        self.message = f"{what}: {found:,} over the limit of {maximum:,} ({limit})"
        super().__init__(self.message)

    def to_dict(self) -> Dict[str, Any]:
        return {"error": self.message, "limit": self.limit, "maximum": self.maximum, "found": self.found}


def check_texts(texts: List[str], limits: Limits) -> None:
    if len(texts) > limits.max_texts:
        raise LimitExceeded("max_texts", limits.max_texts, len(texts), "texts in the request")
    for i, text in enumerate(texts):
        if len(text) > limits.max_text_chars:
            raise LimitExceeded("max_text_chars", limits.max_text_chars, len(text), f"characters in text {i}")


class BodySizeLimit:
    """ASGI middleware: a body over `max_bytes` is answered 413 as soon as
    its Content-Length or its bytes so far say so; a body within the limit is
    read here and handed on whole."""

    def __init__(self, app: Callable, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_bytes:
            await self.refuse(send, int(length))
            return
        chunks: List[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > self.max_bytes:
                await self.refuse(send, size)
                return
            more = message.get("more_body", False)
        body = b"".join(chunks)
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if delivered:
                return await receive()  # after the body: wait for a disconnect
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def refuse(self, send: Send, found: int) -> None:
        error = LimitExceeded("max_body_bytes", self.max_bytes, found, "bytes in the request body")
        content = orjson.dumps(error.to_dict())
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(content)).encode())]
        # the unread rest of the body makes the connection unusable: close it
        headers.append((b"connection", b"close"))
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": content})
