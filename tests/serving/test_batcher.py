"""nerkit/serving/batcher.py: requests that wait together share a batch, a
batch is capped in characters, each request is answered when its own texts
are done, a failing text fails its own request only, a full queue refuses at
once, requests past their deadline or abandoned are dropped unannotated, a
short request never waits behind a long one, and each batch runs in a
memory zone. Texts starting with "hold" wait at a gate the test opens, so
the order of events is set by the test, not by the machine's speed."""

import asyncio
import os
import threading

import pytest
from spacy.language import Language

from nerkit.serving.batcher import (
    LaneSettings,
    RequestBatcher,
    lower_thread_priority,
)
from nerkit.serving.jobs import DeadlineExceeded, QueueFull, TextFailed

GATES = {}  # text -> (reached, open): the pipeline waits at a text's gate until the test opens it
SEEN = []  # every text the pipeline was given, in order


def gate(text):
    GATES[text] = (threading.Event(), threading.Event())
    return GATES[text]


@Language.component("wait_for_gate")
def wait_for_gate(doc):
    SEEN.append(doc.text)
    if doc.text in GATES:
        reached, opened = GATES[doc.text]
        reached.set()
        assert opened.wait(60), "the test never opened the gate"
    if doc.text.startswith("fail"):
        raise ValueError("this text breaks the pipeline")
    return doc


def make_batcher(normalizing_nlp, **settings):
    def load():
        nlp = normalizing_nlp()
        nlp.add_pipe("wait_for_gate")
        nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"}).add_patterns(
            [{"label": "TERM", "pattern": "model"}]
        )
        return nlp

    defaults = dict(
        fast_lane_chars=100,
        max_queue_chars=10_000,
        max_fast_queue_chars=1_000,
        max_batch_chars=1_000,
        request_seconds=60,
        bulk_lane_nice=0,
    )
    return RequestBatcher(load, LaneSettings(**{**defaults, **settings}))


async def reached(event):
    await asyncio.get_running_loop().run_in_executor(None, event.wait, 60)


async def hold_lane(batcher, text):
    """Send `text` and wait until the lane holds it at its gate; returns the
    request and the gate's opener."""
    at_gate, open_gate = gate(text)
    holder = asyncio.ensure_future(batcher([text]))
    await reached(at_gate)
    return holder, open_gate


async def queued(lane, count):
    while len(lane.jobs) < count:
        await asyncio.sleep(0)


MODEL_AT_2 = [{"start": 2, "end": 7, "label": "TERM", "text": "model"}]


def test_requests_waiting_together_share_one_batch(normalizing_nlp):
    batcher = make_batcher(normalizing_nlp)
    at_gate, open_gate = gate("hold the first model")

    async def send_all():
        first = asyncio.ensure_future(batcher(["hold the first model"]))
        await reached(at_gate)  # the lane has taken the first request
        rest = [asyncio.ensure_future(batcher([f"a model {i}", "no term"])) for i in range(9)]
        await queued(batcher.fast, 9)
        open_gate.set()
        return await first, await asyncio.gather(*rest)

    first, rest = asyncio.run(send_all())
    assert batcher.fast.batches == 2  # the first request alone, then the nine that waited
    assert first == [[{"start": 15, "end": 20, "label": "TERM", "text": "model"}]]
    assert rest == [[MODEL_AT_2, []]] * 9
    assert asyncio.run(batcher([])) == []
    assert batcher.fast.queued_chars == 0


def test_a_batch_is_capped_in_characters_and_a_long_request_spans_batches(normalizing_nlp):
    batcher = make_batcher(normalizing_nlp, max_batch_chars=20)

    async def send():
        holder, open_gate = await hold_lane(batcher, "hold")
        long = asyncio.ensure_future(batcher(["a model 0123456", "a model 0123456", "a model 0123456"]))
        await queued(batcher.fast, 1)
        open_gate.set()
        return await holder, await long

    holder, long = asyncio.run(send())
    assert long == [MODEL_AT_2] * 3
    assert batcher.fast.batches == 4  # the holder, then one 15-character text a batch


def test_a_request_is_answered_when_its_own_texts_are_done_not_its_whole_batch(normalizing_nlp):
    batcher = make_batcher(normalizing_nlp)
    first_at, first_open = gate("hold x")
    later_at, later_open = gate("hold later")

    async def send():
        holder = asyncio.ensure_future(batcher(["hold x"]))
        await reached(first_at)
        early = asyncio.ensure_future(batcher(["a model"]))
        late = asyncio.ensure_future(batcher(["hold later"]))
        await queued(batcher.fast, 2)
        first_open.set()
        answer = await early
        await reached(later_at)  # the batch's other request is at its gate, unanswered
        still_waiting = not late.done()
        later_open.set()
        await holder, await late
        return answer, still_waiting

    answer, still_waiting = asyncio.run(send())
    assert answer == [MODEL_AT_2] and still_waiting


def test_a_failing_text_fails_its_own_request_and_the_rest_of_its_batch_is_served(normalizing_nlp):
    batcher = make_batcher(normalizing_nlp)

    async def send():
        holder, open_gate = await hold_lane(batcher, "hold y")
        requests = [asyncio.ensure_future(batcher(texts)) for texts in (["a model"], ["ok", "fail"], ["a model"])]
        await queued(batcher.fast, 3)
        open_gate.set()
        await holder
        return await asyncio.gather(*requests, return_exceptions=True)

    good, failed, also_good = asyncio.run(send())
    assert good == also_good == [MODEL_AT_2]
    assert isinstance(failed, TextFailed) and "text 1: ValueError" in str(failed)
    assert asyncio.run(batcher(["a model"])) == [MODEL_AT_2]  # the lane goes on
    assert batcher.fast.queued_chars == 0


def test_a_full_queue_refuses_at_once_with_a_retry_time(normalizing_nlp):
    batcher = make_batcher(normalizing_nlp, max_fast_queue_chars=30)

    async def send():
        holder, open_gate = await hold_lane(batcher, "hold z")
        admitted = asyncio.ensure_future(batcher(["a model " * 2]))  # 16 + 6 held: 22 of 30
        await queued(batcher.fast, 1)
        with pytest.raises(QueueFull, match="fast queue holds 22 characters of its 30") as refused:
            await batcher(["a model 0"])
        open_gate.set()
        return await holder, await admitted, refused.value.retry_after

    _, admitted, retry_after = asyncio.run(send())
    assert admitted == [[MODEL_AT_2[0], {"start": 10, "end": 15, "label": "TERM", "text": "model"}]]
    assert retry_after >= 1


def test_requests_past_their_deadline_or_abandoned_are_dropped_unannotated(normalizing_nlp):
    batcher = make_batcher(normalizing_nlp, request_seconds=0.01)
    at_gate, open_gate = gate("hold w")

    async def send():
        loop = asyncio.get_running_loop()
        holder = batcher.fast.submit(["hold w"], seconds=60)  # past the batcher's deadline, kept
        await reached(at_gate)
        with pytest.raises(DeadlineExceeded):
            await batcher(["a late model"])
        gone = loop.create_future()
        abandoned = asyncio.ensure_future(batcher(["an abandoned model"], gone))
        await queued(batcher.fast, 2)
        gone.set_result(None)  # the client hung up
        with pytest.raises(asyncio.CancelledError):
            await abandoned
        open_gate.set()
        return await holder.future

    assert asyncio.run(send()) == [[]]
    assert asyncio.run(make_batcher(normalizing_nlp)(["a model"])) == [MODEL_AT_2]  # another lane, to flush
    assert "a late model" not in SEEN and "an abandoned model" not in SEEN
    assert batcher.fast.dropped == 2 and batcher.fast.queued_chars == 0


def test_a_short_request_is_answered_while_a_long_one_holds_the_bulk_lane(normalizing_nlp):
    batcher = make_batcher(normalizing_nlp, fast_lane_chars=10)
    long_text = "hold a long text"
    at_gate, open_gate = gate(long_text)

    async def send():
        long = asyncio.ensure_future(batcher([long_text]))
        await reached(at_gate)
        short = await batcher(["a model"])
        status = batcher.status()
        open_gate.set()
        return short, status, await long

    short, status, long = asyncio.run(send())
    assert short == [MODEL_AT_2] and long == [[]]
    assert status["bulk"]["queued_chars"] == len(long_text) and status["bulk"]["queued_requests"] == 0
    assert status["fast"]["alive"] and status["fast"]["queued_chars"] == 0
    assert batcher.alive


def test_each_batch_leaves_no_strings_of_its_texts_in_the_vocabulary(normalizing_nlp):
    batcher = make_batcher(normalizing_nlp)
    asyncio.run(batcher(["a model"]))
    before = len(batcher.fast.nlp.vocab.strings)
    asyncio.run(batcher([f"zyxq{i} wvut{i} a model" for i in range(50)]))
    assert len(batcher.fast.nlp.vocab.strings) == before


def test_the_bulk_lane_runs_at_a_lower_priority_and_the_rest_of_the_process_does_not():
    before = os.getpriority(os.PRIO_PROCESS, 0)
    seen = []

    def lowered():
        lower_thread_priority(5)
        seen.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))

    thread = threading.Thread(target=lowered)
    thread.start()
    thread.join()
    assert seen == [min(19, before + 5)]
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == before
