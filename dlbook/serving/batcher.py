"""Annotate the texts of requests that arrive together in one `nlp.pipe`:
one thread takes every request waiting when it starts a batch, so that many
small concurrent requests share the cost of a batch instead of each paying
for its own `nlp()` call; each request awaits its own entities."""

import asyncio
import queue
import threading
from typing import Any, Dict, List, Tuple

from spacy.language import Language

from dlbook.common.entities import entities

Entities = List[Dict[str, Any]]
Job = Tuple[List[str], asyncio.AbstractEventLoop, "asyncio.Future[List[Entities]]"]


class RequestBatcher:
    """`await batcher(texts)` gives the entities of each text. The pipeline
    runs in a thread of its own, so the event loop goes on reading requests
    (spaCy's parser and the matrix products release the GIL) while a batch is
    annotated; a batch holds at most `max_batch_texts` texts, unless one
    request alone has more."""

    def __init__(self, nlp: Language, max_batch_texts: int = 512, batch_size: int = 128):
        self.nlp = nlp
        self.max_batch_texts = max_batch_texts
        self.batch_size = batch_size
        self.jobs: "queue.SimpleQueue[Job]" = queue.SimpleQueue()
        self.batches = 0
        self.thread = threading.Thread(target=self._run, name="request-batcher", daemon=True)
        self.thread.start()

    async def __call__(self, texts: List[str]) -> List[Entities]:
        if not texts:
            return []
        loop = asyncio.get_running_loop()
        future: "asyncio.Future[List[Entities]]" = loop.create_future()
        self.jobs.put((texts, loop, future))
        return await future

    def _take_batch(self) -> List[Job]:
        jobs = [self.jobs.get()]
        size = len(jobs[0][0])
        while size < self.max_batch_texts:
            try:
                job = self.jobs.get_nowait()
            except queue.Empty:
                break
            jobs.append(job)
            size += len(job[0])
        return jobs

    def _run(self) -> None:
        while True:
            jobs = self._take_batch()
            texts = [text for job_texts, _, _ in jobs for text in job_texts]
            try:
                found = [entities(doc) for doc in self.nlp.pipe(texts, batch_size=self.batch_size)]
            except Exception as error:  # each request gets the error; the thread goes on serving
                for _, loop, future in jobs:
                    loop.call_soon_threadsafe(_settle, future, None, error)
                continue
            self.batches += 1
            start = 0
            for job_texts, loop, future in jobs:
                loop.call_soon_threadsafe(_settle, future, found[start : start + len(job_texts)], None)
                start += len(job_texts)


def _settle(future: asyncio.Future, result: Any, error: Any) -> None:
    if future.done():  # the client went away and the request was cancelled
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)
