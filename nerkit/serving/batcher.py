"""Annotate the texts of requests that arrive together in one `nlp.pipe`, in a
thread of its own (a lane), so that the event loop goes on reading requests
while a batch runs (spaCy's parser and the matrix products release the GIL).

A lane holds a queue bounded in characters: a request that would overflow
it is refused at once (QueueFull, 503 with Retry-After) instead of waiting
behind work it cannot outlast. A batch holds at most `max_batch_chars`
characters (at least one text), taken from the requests in the order they
came, a long request over several batches; each request is answered as soon
as its own texts are done. Requests whose client went away or whose
deadline passed are dropped before their texts are annotated. Each batch
runs inside `nlp.memory_zone()`, so the strings and lexemes of its texts
are freed after it, and the lane's pipeline is loaded anew once the
vocabulary's hash tables outgrow their bound: memory stays flat over any
vocabulary. A text on
which the pipeline fails fails its own request only: the batch is redone
text by text. The thread survives every error."""

import asyncio
import os
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any, Callable, Deque, Dict, List, Optional, Tuple

from spacy.language import Language

from nerkit.common.entities import entities
from nerkit.common.renewal import RenewingPipeline, string_table_cells
from nerkit.serving.jobs import DeadlineExceeded, Entities, Job, QueueFull, TextFailed, settle


class Lane:
    """One thread annotating the jobs of its queue with its own pipeline
    (`load()`, loaded anew between batches once its vocabulary's hash tables
    outgrew their bound: nerkit/common/renewal.py)."""

    def __init__(
        self,
        name: str,
        load: Callable[[], Language],
        max_queue_chars: int,
        max_batch_chars: int,
        batch_size: int = 128,
        nice: int = 0,
    ):
        self.name = name
        self.nice = nice
        self.pipeline = RenewingPipeline(load)
        self.max_queue_chars = max_queue_chars
        self.max_batch_chars = max_batch_chars
        self.batch_size = batch_size
        self.jobs: Deque[Job] = deque()
        self.queued_chars = 0  # characters of the jobs not yet answered or dropped
        self.condition = threading.Condition()
        self.batches = 0
        self.dropped = 0
        self.chars_per_second = 0.0  # of the last batch, for Retry-After
        self.vocabulary = self._vocabulary()
        self.thread = threading.Thread(target=self._run, name=f"lane-{name}", daemon=True)
        self.thread.start()

    @property
    def nlp(self) -> Language:
        return self.pipeline.nlp

    def submit(self, texts: List[str], seconds: float) -> Job:
        """Queue the texts; QueueFull where they do not fit (a job larger than
        the whole bound is taken when the queue is empty)."""
        loop = asyncio.get_running_loop()
        job = Job(texts, time.monotonic() + seconds, loop, loop.create_future())
        with self.condition:
            if self.queued_chars and self.queued_chars + job.chars > self.max_queue_chars:
                raise QueueFull(self.name, self.queued_chars, self.max_queue_chars, self.retry_after())
            self.jobs.append(job)
            self.queued_chars += job.chars
            self.condition.notify()
        return job

    def retry_after(self) -> int:
        """Seconds the queue takes to empty at the last batch's rate (1 to 60)."""
        if not self.chars_per_second:
            return 1
        return max(1, min(60, round(self.queued_chars / self.chars_per_second)))

    def status(self) -> Dict[str, Any]:
        with self.condition:
            queued = {"queued_requests": len(self.jobs), "queued_chars": self.queued_chars}
        return {
            "alive": self.thread.is_alive(),
            **queued,
            "max_queue_chars": self.max_queue_chars,
            "batches": self.batches,
            "dropped_requests": self.dropped,
            **self.vocabulary,
            "pipeline_renewals": self.pipeline.renewals,
        }

    def _vocabulary(self) -> Dict[str, int]:
        return {"vocab_strings": len(self.nlp.vocab.strings), "string_table_cells": string_table_cells(self.nlp)}

    def _take_batch(self) -> List[Tuple[Job, int]]:
        """(job, text index) pieces of at most max_batch_chars characters;
        jobs abandoned or past their deadline are dropped on the way."""
        with self.condition:
            while not self.jobs:
                self.condition.wait()
            pieces: List[Tuple[Job, int]] = []
            chars = 0
            now = time.monotonic()
            while self.jobs:
                job = self.jobs[0]
                if job.settled:  # one of its texts failed: the rest is not annotated
                    self.jobs.popleft()
                    continue
                if job.abandoned or job.deadline < now:
                    self.jobs.popleft()
                    self._forget(job, DeadlineExceeded("the request's deadline passed before it was annotated"))
                    continue
                text = job.texts[job.next_text]
                if pieces and chars + len(text) > self.max_batch_chars:
                    break
                pieces.append((job, job.next_text))
                chars += len(text)
                job.next_text += 1
                if job.next_text == len(job.texts):
                    self.jobs.popleft()
            return pieces

    def _forget(self, job: Job, error: BaseException) -> None:
        """Under the lock: a job leaves the queue unanswered."""
        self.dropped += 1
        job.settled = True
        self.queued_chars -= job.chars
        job.loop.call_soon_threadsafe(settle, job.future, None, error)

    def _finish(self, job: Job, error: Optional[BaseException] = None) -> None:
        """A job answered (or failed), once."""
        with self.condition:
            if job.settled:
                return
            job.settled = True
            self.queued_chars -= job.chars
        job.loop.call_soon_threadsafe(settle, job.future, job.results if error is None else None, error)

    def _run(self) -> None:
        if self.nice:
            lower_thread_priority(self.nice)
        while True:
            pieces = self._take_batch()
            start = time.perf_counter()
            try:
                self._annotate(pieces)
            except Exception:  # one text failed: redo the rest text by text, each failing its own job
                for piece in pieces:
                    job, index = piece
                    if job.results[index] is None and not job.settled:
                        try:
                            self._annotate([piece])
                        except Exception as error:
                            self._finish(job, TextFailed(index, error))
            self.pipeline.renew_if_grown()
            # read here, outside the batch's memory zone, for /health
            self.vocabulary = self._vocabulary()
            seconds = time.perf_counter() - start
            self.batches += 1
            self.chars_per_second = sum(len(job.texts[i]) for job, i in pieces) / seconds if seconds else 0.0

    def _annotate(self, pieces: List[Tuple[Job, int]]) -> None:
        texts = [job.texts[index] for job, index in pieces]
        with self.nlp.memory_zone():
            for (job, index), doc in zip(pieces, self.nlp.pipe(texts, batch_size=self.batch_size), strict=True):
                job.results[index] = entities(doc)
                job.done_texts += 1
                if job.done_texts == len(job.texts):
                    self._finish(job)


@dataclass(frozen=True)
class LaneSettings:
    """How requests are queued and batched (the defaults are `serve`'s)."""

    # requests of up to this many characters take the fast lane
    fast_lane_chars: int = 10_000
    # characters waiting in the bulk and the fast lane before 503
    max_queue_chars: int = 10_000_000
    max_fast_queue_chars: int = 1_000_000
    # characters of one nlp.pipe batch (at least one text)
    max_batch_chars: int = 20_000
    # a request not answered within it is 504, and dropped unannotated
    request_seconds: float = 120.0
    # the CPU priority of the bulk lane's thread (19: the lowest)
    bulk_lane_nice: int = 19


class RequestBatcher:
    """`await batcher(texts)` gives the entities of each text. Requests of up
    to `fast_lane_chars` characters go to the fast lane, longer ones to the
    bulk lane: each lane has its own thread and pipeline, so a short request
    is never queued behind a long one. The bulk lane's thread runs at a lower
    CPU priority (`bulk_lane_nice`): where the cores are busy, the event loop
    and the fast lane go first (docs/serve.md)."""

    def __init__(self, load: Callable[[], Language], settings: LaneSettings = LaneSettings()):
        self.fast_lane_chars = settings.fast_lane_chars
        self.request_seconds = settings.request_seconds
        self.fast = Lane("fast", load, settings.max_fast_queue_chars, settings.max_batch_chars)
        self.bulk = Lane("bulk", load, settings.max_queue_chars, settings.max_batch_chars, nice=settings.bulk_lane_nice)

    def submit(self, texts: List[str]) -> Job:
        chars = sum(len(text) for text in texts)
        lane = self.fast if chars <= self.fast_lane_chars else self.bulk
        return lane.submit(texts, self.request_seconds)

    async def __call__(self, texts: List[str], gone: Optional["asyncio.Future[Any]"] = None) -> List[Entities]:
        """The entities of each text; DeadlineExceeded after request_seconds;
        where `gone` (the client hung up) finishes first, the job is dropped
        and CancelledError raised."""
        if not texts:
            return []
        job = self.submit(texts)
        waiting = {job.future} if gone is None else {job.future, gone}
        try:
            done, _ = await asyncio.wait(waiting, timeout=self.request_seconds, return_when=asyncio.FIRST_COMPLETED)
        except asyncio.CancelledError:
            job.abandoned = True
            raise
        if job.future in done:
            return job.future.result()
        job.abandoned = True
        if gone is not None and gone in done:
            raise asyncio.CancelledError("the client went away")
        raise DeadlineExceeded(f"not annotated within {self.request_seconds:g} s")

    def status(self) -> Dict[str, Any]:
        return {"fast": self.fast.status(), "bulk": self.bulk.status()}

    @property
    def alive(self) -> bool:
        return self.fast.thread.is_alive() and self.bulk.thread.is_alive()


def lower_thread_priority(nice: int) -> None:
    """Give the calling thread a lower CPU priority (Linux schedules threads
    one by one: a thread's nice value is its own); elsewhere, nothing."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), nice)
    except (AttributeError, OSError):
        pass
