"""What the annotate and serve benchmarks observe of the processes that
annotate: each one's memory (resident and peak) and vocabulary (strings,
cells of the StringStore's hash table) after each shard, traced against the
words it had annotated so far, and how far they grew after the first words."""

from typing import Any, Dict, List, Optional, Tuple

from spacy.language import Language

from nerkit.annotation.workers import RunWatch
from nerkit.common.machine import peak_rss_mb, rss_mb
from nerkit.common.renewal import string_table_cells


def memory_probe(nlp: Language) -> Dict[str, Any]:
    """This process's memory and the pipeline's vocabulary now (a RunWatch
    probe: it runs where the shard was annotated)."""
    return {
        "rss_mb": rss_mb(),
        "peak_rss_mb": peak_rss_mb(),
        "strings": len(nlp.vocab.strings),
        "string_table_cells": string_table_cells(nlp),
    }


class MemoryTrace:
    """Each worker's memory and vocabulary after each of its shards, against
    the words it had annotated so far (`watch` hands it to `annotate`)."""

    def __init__(self):
        self.points: Dict[str, List[Tuple[int, float, int, int]]] = {}
        self.words: Dict[str, int] = {}
        self.peaks: List[float] = []

    @property
    def watch(self) -> RunWatch:
        return RunWatch(probe=memory_probe, collect=self.collect)

    def collect(self, worker: str, words: int, found: Dict[str, Any]) -> None:
        self.words[worker] = self.words.get(worker, 0) + words
        point = (self.words[worker], found["rss_mb"], found["strings"], found["string_table_cells"])
        self.points.setdefault(worker, []).append(point)
        self.peaks.append(found["peak_rss_mb"])

    def trace(self) -> List[Dict[str, Any]]:
        return [
            {"worker": worker, "words": words, "rss_mb": rss, "strings": strings, "string_table_cells": cells}
            for worker, points in sorted(self.points.items())
            for words, rss, strings, cells in points
        ]

    def summary(self) -> Dict[str, Any]:
        """The trace, and each worker's peak memory after the first shard and
        over the run (flat memory keeps them close)."""
        return {
            "peak_rss_mb_per_worker_first_shard": self.peaks[0] if self.peaks else None,
            "peak_rss_mb_per_worker": max(self.peaks, default=None),
            "memory_trace": self.trace(),
        }


def memory_growth(trace: List[Dict], after_words: int) -> Dict[str, Dict[str, Optional[Any]]]:
    """For each worker: its memory (MB) and string count at the first shard
    that ended past `after_words` words, and how far they rose after it."""
    growth = {}
    for worker in sorted({point["worker"] for point in trace}):
        points = [point for point in trace if point["worker"] == worker]
        later = [point for point in points if point["words"] >= after_words]
        if not later:
            growth[worker] = {"words": points[-1]["words"], "past": None}
            continue
        first = later[0]
        growth[worker] = {
            "words": points[-1]["words"],
            "past": {"words": first["words"], "rss_mb": first["rss_mb"], "strings": first["strings"]},
            "rss_mb_max_after": max(point["rss_mb"] for point in later),
            "rss_mb_growth_after": max(point["rss_mb"] for point in later) - first["rss_mb"],
            "strings_growth_after": max(point["strings"] for point in later) - first["strings"],
            "strings_last": points[-1]["strings"],
        }
    return growth
