"""nerkit/benchmarks/worker_memory.py: a run's memory traced per worker
through annotate's watch, and each worker's growth read from the trace."""

import spacy

from nerkit.benchmarks.worker_memory import MemoryTrace, memory_growth, memory_probe


def test_growth_is_measured_from_the_first_shard_past_the_given_words():
    trace = [
        {"worker": "w1", "words": 500, "rss_mb": 300.0, "strings": 900},
        {"worker": "w1", "words": 1000, "rss_mb": 340.0, "strings": 1000},
        {"worker": "w1", "words": 1500, "rss_mb": 352.5, "strings": 1040},
        {"worker": "w1", "words": 2000, "rss_mb": 345.0, "strings": 1010},
        {"worker": "w2", "words": 600, "rss_mb": 310.0, "strings": 950},
    ]
    growth = memory_growth(trace, after_words=1000)
    assert growth["w1"]["past"] == {"words": 1000, "rss_mb": 340.0, "strings": 1000}
    assert growth["w1"]["rss_mb_growth_after"] == 12.5 and growth["w1"]["strings_growth_after"] == 40
    assert growth["w1"]["strings_last"] == 1010
    # a worker that never got past the first words has no growth to report
    assert growth["w2"] == {"words": 600, "past": None}


def test_the_trace_counts_each_workers_words_and_keeps_the_peaks_in_order():
    trace = MemoryTrace()
    found = memory_probe(spacy.blank("en"))
    assert set(found) == {"rss_mb", "peak_rss_mb", "strings", "string_table_cells"} and found["rss_mb"] > 0
    trace.watch.collect("w1", 100, {**found, "peak_rss_mb": 300.0})
    trace.watch.collect("w2", 50, {**found, "peak_rss_mb": 320.0})
    trace.watch.collect("w1", 100, {**found, "peak_rss_mb": 310.0})
    assert [(p["worker"], p["words"]) for p in trace.trace()] == [("w1", 100), ("w1", 200), ("w2", 50)]
    summary = trace.summary()
    assert (summary["peak_rss_mb_per_worker_first_shard"], summary["peak_rss_mb_per_worker"]) == (300.0, 320.0)
    assert trace.watch.probe is memory_probe
