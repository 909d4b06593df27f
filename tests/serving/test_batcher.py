"""dlbook/serving/batcher.py: requests that wait together are annotated in
one nlp.pipe batch, each gets its own entities, and an error reaches the
requests of its batch only. The batching thread is held at a gate, so the
order of events is set by the test, not by the machine's speed."""

import asyncio
import threading

import pytest
from spacy.language import Language

from dlbook.serving.batcher import RequestBatcher

GATE = threading.Event()  # the pipeline waits here while it is clear
AT_GATE = threading.Event()  # set when a document has reached the gate


@Language.component("wait_for_gate")
def wait_for_gate(doc):
    AT_GATE.set()
    assert GATE.wait(60), "the test never opened the gate"
    if doc.text == "fail":
        raise ValueError("this text breaks the pipeline")
    return doc


def ruler_nlp(normalizing_nlp):
    nlp = normalizing_nlp()
    nlp.add_pipe("wait_for_gate")
    nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"}).add_patterns(
        [{"label": "TERM", "pattern": "model"}]
    )
    return nlp


def test_requests_waiting_together_share_one_batch(normalizing_nlp):
    GATE.set()  # the entity ruler runs its patterns through the pipeline
    batcher = RequestBatcher(ruler_nlp(normalizing_nlp), max_batch_texts=100)
    GATE.clear()
    AT_GATE.clear()

    async def send_all():
        first = asyncio.ensure_future(batcher(["the first model"]))
        # the thread has taken the first request and waits at the gate
        await asyncio.get_running_loop().run_in_executor(None, AT_GATE.wait, 60)
        rest = [asyncio.ensure_future(batcher([f"model {i}", "no term"])) for i in range(9)]
        while batcher.jobs.qsize() < 9:  # each request queued before the gate opens
            await asyncio.sleep(0)
        GATE.set()
        return await first, await asyncio.gather(*rest)

    first, rest = asyncio.run(send_all())
    assert batcher.batches == 2  # the first request alone, then the nine that waited
    assert first == [[{"start": 10, "end": 15, "label": "TERM", "text": "model"}]]
    assert rest == [[[{"start": 0, "end": 5, "label": "TERM", "text": "model"}], []]] * 9
    assert asyncio.run(batcher([])) == []


def test_a_failing_batch_fails_its_requests_and_the_next_batch_is_served(normalizing_nlp):
    GATE.set()
    batcher = RequestBatcher(ruler_nlp(normalizing_nlp))

    async def send(texts):
        return await batcher(texts)

    with pytest.raises(ValueError, match="breaks the pipeline"):
        asyncio.run(send(["fail"]))
    assert asyncio.run(send(["a model"])) == [[{"start": 2, "end": 7, "label": "TERM", "text": "model"}]]
