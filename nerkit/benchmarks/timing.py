"""How the benchmarks time and summarise: runs that return the words they
processed, timed in turns (A B C A B C) so that a ratio between two of them
does not move with the machine's speed; and percentiles (numpy's, linear
between the closest ranks) of latencies and bootstrapped means."""

import statistics
import time
from typing import Callable, Dict, List, Sequence

import numpy
from spacy.language import Language

# a run: processes its texts once, returns the words it processed
WordsRun = Callable[[], int]
LATENCY_PERCENTILES = (("p50", 0.5), ("p95", 0.95), ("p99", 0.99))


def time_in_turns(runs: Dict[str, WordsRun], rounds: int) -> Dict[str, Dict[str, float]]:
    """Words/s of each run, called in turn `rounds` times after one warm-up
    turn: median, min, max; and the words of one run."""
    rates: Dict[str, List[float]] = {name: [] for name in runs}
    words: Dict[str, int] = {}
    for turn in range(rounds + 1):
        for name, run in runs.items():
            start = time.perf_counter()
            words[name] = run()
            if turn:  # the first turn warms caches up
                rates[name].append(words[name] / (time.perf_counter() - start))
    return {
        name: {
            "words_per_second": statistics.median(values),
            "min": min(values),
            "max": max(values),
            "words": words[name],
        }
        for name, values in rates.items()
    }


def pipe_words(nlp: Language, texts: List[str], batch_size: int) -> WordsRun:
    """A run of `nlp.pipe` over the texts, tokenizer included."""
    return lambda: sum(len(doc) for doc in nlp.pipe(texts, batch_size=batch_size))


def tokenizer_words(nlp: Language, texts: List[str]) -> WordsRun:
    """A run of the tokenizer alone (`nlp.make_doc`) over the texts: the
    ceiling of any pipeline with that tokenizer."""
    return lambda: sum(len(nlp.make_doc(text)) for text in texts)


def percentile(values: Sequence[float], q: float) -> float:
    """The `q` quantile (0 to 1) of the values."""
    return float(numpy.percentile(numpy.asarray(values, dtype=float), 100 * q))


def latency_percentiles_ms(seconds: Sequence[float]) -> Dict[str, float]:
    """p50, p95 and p99 of latencies in seconds, in milliseconds ({} for none)."""
    if not seconds:
        return {}
    return {name: percentile(seconds, q) * 1000 for name, q in LATENCY_PERCENTILES}
