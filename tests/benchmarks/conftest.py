"""Fixtures of the benchmark tests: a clock that only the code under test
moves, so that rates are exact whatever the machine's speed."""

import pytest


class FakeClock:
    """`perf_counter` of a `time` module stand-in; `advance` moves it."""

    def __init__(self):
        self.now = 1000.0

    def perf_counter(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def fake_clock():
    return FakeClock()
