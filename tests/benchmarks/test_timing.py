"""nerkit/benchmarks/timing.py: runs timed in turns on a fake clock, the
words of a run of the pipeline and of its tokenizer alone, percentiles."""

import pytest

import nerkit.benchmarks.timing
from nerkit.benchmarks.timing import latency_percentiles_ms, percentile, pipe_words, time_in_turns, tokenizer_words


def test_turns_give_each_run_its_words_per_second_without_the_warm_up_turn(fake_clock, monkeypatch):
    monkeypatch.setattr(nerkit.benchmarks.timing, "time", fake_clock)
    calls = []

    def run(seconds: float, words: int):
        def process() -> int:
            calls.append(seconds)
            fake_clock.advance(seconds * (2 if len(calls) <= 2 else 1))  # the warm-up turn is slower
            return words

        return process

    speed = time_in_turns({"slow": run(0.02, 100), "fast": run(0.01, 100)}, rounds=3)
    assert calls == [0.02, 0.01] * 4  # one warm-up turn, then three timed, in turns
    assert speed["slow"] == pytest.approx({"words_per_second": 5000.0, "min": 5000.0, "max": 5000.0, "words": 100})
    assert speed["fast"]["words_per_second"] == pytest.approx(10000.0)


def test_the_tokenizer_alone_counts_the_words_it_makes(hyphen_nlp):
    run = tokenizer_words(hyphen_nlp(), ["a k-means model.", "two words"])
    assert run() == 6 and run() == 6


def test_a_pipe_run_counts_the_words_of_its_documents(hyphen_nlp):
    run = pipe_words(hyphen_nlp(), ["a k-means model.", "two words"], batch_size=1)
    assert run() == 6


def test_percentiles_interpolate_between_the_closest_ranks():
    values = [float(v) for v in range(1, 101)]
    assert (percentile(values, 0.5), percentile(values, 0.99), percentile(values, 1.0)) == (50.5, 99.01, 100.0)
    assert latency_percentiles_ms([0.001, 0.002, 0.003]) == pytest.approx({"p50": 2.0, "p95": 2.9, "p99": 2.98})
    assert latency_percentiles_ms([]) == {}
