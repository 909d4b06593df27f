"""nerkit/serving/ents_route.py: POST /ents answered in plain ASGI by the
lanes over a real (rule-based) pipeline, with the entities of nlp.pipe;
every other request handed to the app behind; each error JSON with its
status, the 503's Retry-After included."""

import asyncio

import orjson
import pytest
import spacy

from nerkit.serving.batcher import LaneSettings, RequestBatcher
from nerkit.serving.ents_route import EntsRoute, error_answer
from nerkit.serving.jobs import DeadlineExceeded, QueueFull, TextFailed
from nerkit.serving.limits import RequestLimits

MODEL = {"name": "en_pipeline", "version": "0.0.0"}
LIMITS = RequestLimits(max_text_chars=200, max_texts=8, max_body_bytes=4_000)


@pytest.fixture(scope="module")
def batcher(ruler_model):
    return RequestBatcher(lambda: spacy.load(ruler_model), LaneSettings())


def call(route, method, path, body):
    """One request through the route; the client stays connected. Returns
    the status, headers and body sent, or None where nothing was sent."""
    sent = []
    messages = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive():
        if messages:
            return messages.pop(0)
        await asyncio.sleep(3600)  # connected: no disconnect comes

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": method, "path": path, "headers": []}
    asyncio.run(asyncio.wait_for(route(scope, receive, send), 60))
    if not sent:
        return None
    return sent[0]["status"], dict(sent[0]["headers"]), sent[1]["body"]


def test_ents_are_those_of_nlp_pipe_and_other_requests_go_to_the_app_behind(batcher, ruler_model):
    behind = []

    async def api(scope, receive, send):
        behind.append((scope["method"], scope["path"]))

    route = EntsRoute(api, batcher, MODEL, LIMITS)
    texts = ["Gradient descent fits the model.", "", "No term here."]
    status, headers, content = call(route, "POST", "/ents", orjson.dumps({"texts": texts}))
    assert status == 200 and headers[b"content-type"] == b"application/json"
    assert int(headers[b"content-length"]) == len(content)
    answer = orjson.loads(content)
    assert answer["model"] == MODEL
    docs = spacy.load(ruler_model).pipe(texts)
    expected = [[(e.start_char, e.end_char, e.label_, e.text) for e in doc.ents] for doc in docs]
    found = [[(e["start"], e["end"], e["label"], e["text"]) for e in r["ents"]] for r in answer["results"]]
    assert found == expected and expected[0]
    assert call(route, "GET", "/ents", b"") is None and call(route, "POST", "/", b"text=a") is None
    assert behind == [("GET", "/ents"), ("POST", "/")]


def test_a_bad_body_and_a_limit_are_json_errors_naming_what_is_wrong(batcher):
    route = EntsRoute(None, batcher, MODEL, LIMITS)
    status, _, content = call(route, "POST", "/ents", b'{"texts": [1]}')
    assert status == 422 and orjson.loads(content)["problems"][0]["field"] == "texts.0"
    status, _, content = call(route, "POST", "/ents", orjson.dumps({"texts": ["a"] * 9}))
    assert status == 413 and orjson.loads(content)["limit"] == "max_texts"


def test_each_answered_error_has_its_status_and_the_full_queue_its_retry_after():
    status, content, headers = error_answer(QueueFull("fast", 20, 20, 7))
    assert (status, headers) == (503, [(b"retry-after", b"7")]) and b"retry in 7 s" in content
    status, content, headers = error_answer(DeadlineExceeded("late"))
    assert (status, orjson.loads(content), headers) == (504, {"error": "late"}, [])
    status, content, _ = error_answer(TextFailed(3, ValueError("x")))
    assert status == 500 and orjson.loads(content) == {"error": "the pipeline failed on text 3: ValueError"}
