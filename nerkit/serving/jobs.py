"""A request's texts as the job of a lane (batcher.py), the answers a lane
hands back to the event loop, and the ways a job fails: a full queue (503),
a deadline passed (504), a text on which the pipeline fails (500)."""

import asyncio
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

Entities = List[Dict[str, Any]]


class QueueFull(Exception):
    def __init__(self, lane: str, queued_chars: int, max_chars: int, retry_after: int):
        self.retry_after = retry_after
        super().__init__(
            f"the {lane} queue holds {queued_chars:,} characters of its {max_chars:,}: retry in {retry_after} s"
        )


class DeadlineExceeded(Exception):
    pass


class TextFailed(Exception):
    def __init__(self, index: int, error: BaseException):
        self.index = index
        super().__init__(f"the pipeline failed on text {index}: {type(error).__name__}")


@dataclass
class Job:
    texts: List[str]
    deadline: float
    loop: asyncio.AbstractEventLoop
    future: "asyncio.Future[List[Entities]]"
    chars: int = 0
    next_text: int = 0  # texts before it are in a batch already
    done_texts: int = 0
    results: List[Optional[Entities]] = field(default_factory=list)
    abandoned: bool = False  # set by the event loop: the client went away or gave up
    settled: bool = False  # set by the lane, under its lock: answered, failed or dropped

    def __post_init__(self):
        self.chars = sum(len(text) for text in self.texts)
        self.results = [None] * len(self.texts)


def settle(future: asyncio.Future, result: Any, error: Any) -> None:
    """In the event loop: a job's answer or error, unless its request is gone."""
    if future.done():  # the client went away and the request was cancelled
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)
