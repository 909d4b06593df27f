"""A soak of `annotate`: a collection of distinct random words (no word
twice), annotated in one process and on a local Dask cluster, each worker's
memory and vocabulary traced after every shard; then the words/s of the
annotation itself with and without `nlp.memory_zone()`, in turns in one
process (A B A B) over other distinct words read beforehand, so that the
zone's cost is a ratio taken side by side. Writes one JSON."""

import os
import shutil
import statistics
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Dict, List

import spacy
from wasabi import msg

from nerkit.annotation.run import AnnotateOptions, annotate
from nerkit.annotation.workers import CHUNK_RECORDS, annotate_shard, load_for_annotation
from nerkit.benchmarks.annotate import shard_texts
from nerkit.benchmarks.distinct_words import make_distinct_collection
from nerkit.benchmarks.worker_memory import MemoryTrace, memory_growth, memory_probe
from nerkit.common.entities import entities
from nerkit.common.machine import describe_machine
from nerkit.common.renewal import RenewingPipeline


@dataclass(frozen=True)
class AnnotateSoakSettings:
    """The soak's distinct words and Dask workers, the words after which a
    worker's memory must stay flat, the distinct words and rounds of the
    zone/no-zone pairs, the words of a line, the input bytes of a shard and
    the lines of each memory zone of the pairs (annotate's chunk)."""

    words: int = 10_000_000
    workers: int = 2
    flat_after_words: int = 1_000_000
    ab_words: int = 2_000_000
    ab_rounds: int = 2
    words_per_line: int = 50
    shard_bytes: int = 1 << 20
    zone_lines: int = CHUNK_RECORDS


def soak(model: str, collection: Path, output_dir: Path, workers: int, settings: AnnotateSoakSettings) -> Dict:
    """annotate over the collection, each shard's memory traced; the parts
    of random words are removed after it."""
    shutil.rmtree(output_dir, ignore_errors=True)
    trace = MemoryTrace()
    summary = annotate(
        model, collection, output_dir, AnnotateOptions(workers=workers, shard_bytes=settings.shard_bytes), trace.watch
    )
    shutil.rmtree(output_dir, ignore_errors=True)
    return {**summary, **trace.summary()}


def zone_arm(model: str, shards: List[List[str]], with_zone: bool, batch_size: int = 64) -> Dict[str, float]:
    """Words/s of annotating the shards' texts as annotate does (its
    `annotate_shard`, in a memory zone and renewed), or the same pipeline
    without the zone; the growth of memory and strings meanwhile."""
    pipeline = RenewingPipeline(lambda: load_for_annotation(model, -1))
    trace = MemoryTrace()
    start = time.perf_counter()
    for texts in shards:
        if with_zone:
            result = annotate_shard(pipeline, texts, batch_size, memory_probe)
        else:
            docs = list(pipeline.nlp.pipe(texts, batch_size=batch_size))
            result = {"ents": [entities(doc) for doc in docs], "words": sum(len(doc) for doc in docs)}
            result["observed"] = memory_probe(pipeline.nlp)
        trace.collect("main", result["words"], result["observed"])
    seconds = time.perf_counter() - start
    growth = memory_growth(trace.trace(), 0)["main"]
    return {
        "words_per_second": trace.words["main"] / seconds,
        "rss_mb_growth": growth["rss_mb_growth_after"],
        "strings_growth": growth["strings_growth_after"],
    }


def zone_pairs(model: str, shards: List[List[str]], rounds: int) -> List[Dict]:
    """`rounds` pairs of arms, with the zone first."""
    pairs = []
    for round_index in range(rounds):
        pair = {
            setup: zone_arm(model, shards, zone) for setup, zone in (("memory_zone", True), ("no_memory_zone", False))
        }
        pair["ratio"] = pair["memory_zone"]["words_per_second"] / pair["no_memory_zone"]["words_per_second"]
        pairs.append(pair)
        msg.good(f"round {round_index + 1}: with the zone x{pair['ratio']:.3f} the words/s without")
    return pairs


def benchmark_annotate_soak(model: str, work_dir: Path, settings: AnnotateSoakSettings) -> Dict:
    """The soak in one process and on the settings' Dask workers, then the
    pairs of runs with and without the memory zone."""
    work_dir.mkdir(parents=True, exist_ok=True)
    collection = work_dir / "distinct_words.jsonl"
    size = make_distinct_collection(collection, settings.words, settings.words_per_line)
    msg.info(f"{size['words']:,} distinct words in {size['lines']:,} lines")
    soaks = {}
    for name, workers in (("in_process_1", 0), (f"dask_{settings.workers}", settings.workers)):
        summary = soak(model, collection, work_dir / name, workers, settings)
        growth = memory_growth(summary["memory_trace"], settings.flat_after_words)
        soaks[name] = {"workers": workers, "summary": summary, "memory_growth": growth}
        worst = max((g.get("rss_mb_growth_after") or 0.0) for g in growth.values())
        msg.good(f"{name}: {summary['words_per_second']:,.0f} words/s, memory +{worst:.1f} MB after the first words")
    # the A/B pairs read other distinct words (none seen by the soak) beforehand
    ab_collection = work_dir / "distinct_words_ab.jsonl"
    make_distinct_collection(ab_collection, settings.ab_words, settings.words_per_line, first_word=settings.words)
    pairs = zone_pairs(model, shard_texts(ab_collection, settings.zone_lines), settings.ab_rounds)
    ratios = [pair["ratio"] for pair in pairs]
    return {
        "model": model,
        "machine": describe_machine(-1),
        "cpu_count": os.cpu_count(),
        "spacy": spacy.__version__,
        "collection": size,
        "settings": asdict(settings),
        "soak": soaks,
        "worst_rss_mb_growth_after_first_words": max(
            (g.get("rss_mb_growth_after") or 0.0) for soak in soaks.values() for g in soak["memory_growth"].values()
        ),
        "memory_zone_vs_none": {
            "what": "annotate_shard's words/s with its memory zone against the same pipeline without one, "
            "over texts read beforehand (no parsing or part files in either)",
            "pairs": pairs,
            "ratio_median": statistics.median(ratios),
            "ratio_min": min(ratios),
            "ratio_max": max(ratios),
        },
    }
