"""scripts/request_batcher.py: requests that wait together are annotated in
one nlp.pipe batch, each gets its own entities, and an error reaches the
requests of its batch only."""

import asyncio
import threading

import pytest
from spacy.language import Language

from conftest import normalizing_nlp
from request_batcher import RequestBatcher

GATE = threading.Event()


@Language.component("wait_for_gate")
def wait_for_gate(doc):
    GATE.wait(10)
    if doc.text == "fail":
        raise ValueError("this text breaks the pipeline")
    return doc


def ruler_nlp():
    nlp = normalizing_nlp()
    nlp.add_pipe("wait_for_gate")
    nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"}).add_patterns(
        [{"label": "TERM", "pattern": "model"}]
    )
    return nlp


def test_requests_waiting_together_share_one_batch():
    GATE.clear()
    batcher = RequestBatcher(ruler_nlp(), max_batch_texts=100)

    async def send_all():
        first = asyncio.ensure_future(batcher(["the first model"]))
        await asyncio.sleep(0.2)  # the thread has taken the first request and waits at the gate
        rest = [asyncio.ensure_future(batcher([f"model {i}", "no term"])) for i in range(9)]
        await asyncio.sleep(0.2)
        GATE.set()
        return await first, await asyncio.gather(*rest)

    first, rest = asyncio.run(send_all())
    assert batcher.batches == 2  # the first request alone, then the nine that waited
    assert first == [[{"start": 10, "end": 15, "label": "TERM", "text": "model"}]]
    assert rest == [[[{"start": 0, "end": 5, "label": "TERM", "text": "model"}], []]] * 9
    assert asyncio.run(batcher([])) == []


def test_a_failing_batch_fails_its_requests_and_the_next_batch_is_served():
    GATE.set()
    batcher = RequestBatcher(ruler_nlp())

    async def send(texts):
        return await batcher(texts)

    with pytest.raises(ValueError, match="breaks the pipeline"):
        asyncio.run(send(["fail"]))
    assert asyncio.run(send(["a model"])) == [[{"start": 2, "end": 7, "label": "TERM", "text": "model"}]]
