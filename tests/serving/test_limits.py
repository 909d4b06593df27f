"""dlbook/serving/limits.py: each limit named with its value and what was
sent; a body over the limit refused before it is read whole."""

import asyncio

import orjson
import pytest

from dlbook.serving.limits import BodySizeLimit, LimitExceeded, Limits, check_texts


def test_texts_within_the_limits_pass_and_the_first_over_one_is_named():
    limits = Limits(max_text_chars=5, max_texts=2, max_body_bytes=100)
    check_texts(["model", ""], limits)
    with pytest.raises(LimitExceeded) as too_many:
        check_texts(["a", "b", "c"], limits)
    assert too_many.value.to_dict() == {
        "error": "texts in the request: 3 over the limit of 2 (max_texts)",
        "limit": "max_texts",
        "maximum": 2,
        "found": 3,
    }
    with pytest.raises(LimitExceeded, match=r"characters in text 1: 6 over the limit of 5 \(max_text_chars\)"):
        check_texts(["ok", "models"], limits)


def call(middleware, headers, chunks):
    """Run the middleware on one request; returns the messages it sent and
    whether the app behind it ran."""
    sent, reached = [], []
    messages = [{"type": "http.request", "body": c, "more_body": i + 1 < len(chunks)} for i, c in enumerate(chunks)]

    async def app(scope, receive, send):
        reached.append((await receive())["body"])

    async def receive():
        return messages.pop(0)

    async def send(message):
        sent.append(message)

    asyncio.run(BodySizeLimit(app, 10)(middleware | {"headers": headers}, receive, send))
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
