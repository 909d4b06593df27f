"""`POST /ents` answered in plain ASGI, ahead of FastAPI: the body (already
read whole and within its limits by bodies.py) parsed once by orjson, the
texts annotated by the lanes while the client is connected, the answer
serialised once by orjson. The one-sentence request, the most frequent,
so skips Starlette's routing, request object and exception middleware and
FastAPI's dependency solving: about a fifth of the event loop's busy time
per request in the profile of docs/serve.md. FastAPI still documents the
route in its OpenAPI schema, and its own route runs the same `ents_answer`.

Every error is JSON that says what is wrong (`error_answer`), shared with
the FastAPI routes' handlers: 422 for a body that is not the request, 413
for a limit, 503 with Retry-After for a full queue, 504 past the deadline,
500 for a text the pipeline fails on, never a traceback."""

import asyncio
from typing import Any, Awaitable, Callable, Dict, List, MutableMapping, Tuple

import orjson

from nerkit.serving.batcher import RequestBatcher
from nerkit.serving.jobs import DeadlineExceeded, QueueFull, TextFailed
from nerkit.serving.limits import InvalidRequest, LimitExceeded, RequestLimits, read_texts

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
Answer = Tuple[int, bytes, List[Tuple[bytes, bytes]]]

ERROR_STATUS = {InvalidRequest: 422, LimitExceeded: 413, QueueFull: 503, DeadlineExceeded: 504, TextFailed: 500}
ANSWERED_ERRORS = tuple(ERROR_STATUS)


def error_answer(error: Exception) -> Answer:
    """The status, JSON and headers that answer one of ANSWERED_ERRORS."""
    if isinstance(error, (InvalidRequest, LimitExceeded)):
        content: Dict[str, Any] = error.to_dict()
    else:
        content = {"error": str(error)}
    headers = [(b"retry-after", str(error.retry_after).encode())] if isinstance(error, QueueFull) else []
    return ERROR_STATUS[type(error)], orjson.dumps(content), headers


async def client_gone(receive: Receive) -> None:
    """Returns when the client hangs up (the body is read already, so the
    next message can only be the disconnect)."""
    while (await receive())["type"] != "http.disconnect":
        pass


async def annotate_while_connected(batcher: RequestBatcher, receive: Receive, texts: List[str]) -> List[Any]:
    """The entities of the texts; the request is dropped if its client hangs up."""
    gone = asyncio.ensure_future(client_gone(receive))
    try:
        return await batcher(texts, gone)
    finally:
        gone.cancel()


async def ents_answer(
    batcher: RequestBatcher, model: Dict[str, str], limits: RequestLimits, body: bytes, receive: Receive
) -> Answer:
    """The answer to a POST /ents body: the entities of each text, by
    character offsets, or the error."""
    try:
        texts = read_texts(body, limits)
        found = await annotate_while_connected(batcher, receive, texts)
    except ANSWERED_ERRORS as error:
        return error_answer(error)
    results = [{"text": text, "ents": text_ents} for text, text_ents in zip(texts, found, strict=True)]
    return 200, orjson.dumps({"model": model, "results": results}), []


class EntsRoute:
    """ASGI: POST /ents answered here, everything else by `api` (FastAPI)."""

    def __init__(self, api: Callable, batcher: RequestBatcher, model: Dict[str, str], limits: RequestLimits):
        self.api = api
        self.batcher = batcher
        self.model = model
        self.limits = limits

    async def __call__(self, scope: MutableMapping[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != "/ents" or scope["method"] != "POST":
            await self.api(scope, receive, send)
            return
        body = b""
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
        try:
            status, content, headers = await ents_answer(self.batcher, self.model, self.limits, body, receive)
        except Exception:  # never a traceback
            status, content, headers = 500, b'{"error":"internal error"}', []
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(content)).encode()),
                    *headers,
                ],
            }
        )
        await send({"type": "http.response.body", "body": content})
