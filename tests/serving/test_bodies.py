"""nerkit/serving/bodies.py: a body over the limit refused before it is read
whole, and drained (within its bounds) so that the answer reaches a client
that sends it whole; the bodies held for all requests at once bounded, a
request past the bound refused with 503 and Retry-After before more of it
is read; the heap trimmed once enough bytes of bodies were freed."""

import asyncio

import orjson

import nerkit.serving.bodies as bodies_module
from nerkit.serving.bodies import BODY_BUFFER_STATE, TRIM_STEP_BYTES, BodySizeLimit
from nerkit.serving.limits import RequestLimits


def call(middleware, headers, chunks, limits=RequestLimits(max_body_bytes=10)):
    """Run the middleware on one request; returns the messages it sent and
    what the app behind it received. After the body, the client hangs up."""
    sent, reached = [], []
    messages = [{"type": "http.request", "body": c, "more_body": i + 1 < len(chunks)} for i, c in enumerate(chunks)]
    messages.append({"type": "http.disconnect"})
    call.unread = messages

    async def app(scope, receive, send):
        reached.append((await receive())["body"])

    async def receive():
        return messages.pop(0)

    async def send(message):
        sent.append(message)

    asyncio.run(BodySizeLimit(app, limits)(middleware | {"headers": headers}, receive, send))
    return sent, reached


def test_a_body_over_the_limit_is_refused_by_its_length_or_by_its_bytes_so_far():
    scope = {"type": "http"}
    sent, reached = call(scope, [(b"content-length", b"11")], [b"x" * 11])
    assert sent[0]["status"] == 413 and not reached
    assert orjson.loads(sent[1]["body"])["limit"] == "max_body_bytes"
    assert (b"connection", b"close") in sent[0]["headers"]
    sent, reached = call(scope, [], [b"x" * 6, b"x" * 6])  # no length: counted as it comes
    assert sent[0]["status"] == 413 and orjson.loads(sent[1]["body"])["found"] == 12 and not reached
    sent, reached = call(scope, [], [b"x" * 5, b"x" * 5])  # at the limit: handed on whole
    assert not sent and reached == [b"x" * 10]


def test_a_refused_body_is_drained_before_the_answer_unless_the_client_waits_for_100_continue():
    scope = {"type": "http"}
    chunks = [b"x" * 8] * 5  # 40 bytes, over the limit of 10
    sent, _ = call(scope, [(b"content-length", b"40")], chunks)
    assert sent[0]["status"] == 413 and [m["type"] for m in call.unread] == ["http.disconnect"]  # all read
    sent, _ = call(scope, [], chunks)  # counted as it comes, then the rest drained
    assert sent[0]["status"] == 413 and [m["type"] for m in call.unread] == ["http.disconnect"]
    sent, _ = call(scope, [(b"content-length", b"40"), (b"expect", b"100-continue")], chunks)
    assert sent[0]["status"] == 413 and len(call.unread) == 6  # nothing read: the client has sent nothing
    bounded = RequestLimits(max_body_bytes=10, max_drain_bytes=16)
    sent, _ = call(scope, [(b"content-length", b"40")], chunks, bounded)
    assert sent[0]["status"] == 413 and len(call.unread) == 4  # two chunks drained, then the connection closed


def request(middleware, headers, chunks, held_until=None):
    """One request through `middleware` (shared between requests); the app
    behind it waits for `held_until` (an asyncio.Event) before answering.
    Returns the messages sent, the bodies the app received and the messages
    left unread."""
    sent, reached = [], []
    messages = [{"type": "http.request", "body": c, "more_body": i + 1 < len(chunks)} for i, c in enumerate(chunks)]
    messages.append({"type": "http.disconnect"})

    async def app(scope, receive, send):
        reached.append((await receive())["body"])
        if held_until is not None:
            await held_until.wait()

    async def receive():
        return messages.pop(0)

    async def send(message):
        sent.append(message)

    async def run():
        middleware.app = app
        await middleware({"type": "http", "headers": headers}, receive, send)

    return run(), sent, reached, messages


def test_bodies_held_at_once_are_bounded_and_a_request_past_the_bound_is_503_unread():
    async def scenario():
        middleware = BodySizeLimit(None, RequestLimits(max_body_bytes=100, max_buffered_bytes=30))
        release = asyncio.Event()
        first, _, first_reached, _ = request(middleware, [(b"content-length", b"20")], [b"x" * 20], release)
        first_task = asyncio.ensure_future(first)
        await asyncio.sleep(0)
        assert middleware.held == 20 and first_reached == [b"x" * 20]
        # declared: refused before a byte of it is read
        second, sent, reached, unread = request(middleware, [(b"content-length", b"11")], [b"y" * 11])
        await second
        assert sent[0]["status"] == 503 and not reached and len(unread) == 2
        headers = dict(sent[0]["headers"])
        assert headers[b"retry-after"] == b"1" and headers[b"connection"] == b"close"
        assert orjson.loads(sent[1]["body"])["limit"] == "max_buffered_bytes"
        # undeclared: counted as it comes, refused at the chunk that passes the bound
        third, sent, reached, unread = request(middleware, [], [b"z" * 6, b"z" * 6, b"z" * 6])
        await third
        assert sent[0]["status"] == 503 and not reached and len(unread) == 2
        # within the bound: handed on
        fourth, sent, reached, _ = request(middleware, [], [b"w" * 10])
        await fourth
        assert not sent and reached == [b"w" * 10]
        release.set()
        await first_task
        assert middleware.held == 0

    asyncio.run(scenario())


def test_the_heap_is_trimmed_once_enough_bytes_of_bodies_were_freed(monkeypatch):
    trims = []
    monkeypatch.setattr(bodies_module, "trim_heap", lambda: trims.append(1))
    middleware = BodySizeLimit(None, RequestLimits(max_body_bytes=TRIM_STEP_BYTES))
    small, _, _, _ = request(middleware, [(b"content-length", b"10")], [b"x" * 10])
    asyncio.run(small)
    assert not trims and middleware.held == 0
    middleware.reserve(TRIM_STEP_BYTES)
    middleware.release(TRIM_STEP_BYTES)
    assert trims == [1] and middleware.held == 0


def test_the_middleware_leaves_itself_in_the_lifespan_state_for_the_http_protocol():
    reached = []

    async def app(scope, receive, send):
        reached.append(scope["type"])

    middleware = BodySizeLimit(app, RequestLimits(max_buffered_bytes=30))
    state = {}
    asyncio.run(middleware({"type": "lifespan", "state": state}, None, None))
    assert state[BODY_BUFFER_STATE] is middleware and reached == ["lifespan"]
    assert middleware.fits(30) and not middleware.fits(31)
