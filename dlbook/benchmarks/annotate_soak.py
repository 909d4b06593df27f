"""A soak of `annotate`: a collection of distinct random words (no word
twice, as a crawl's long tail of names, numbers and typos), annotated in one
process and on a local Dask cluster, each worker's memory and vocabulary
traced after every shard; then the words/s of annotate with and without
`nlp.memory_zone()`, in turns in one process (A B A B), so that the zone's
cost is a ratio taken side by side. Writes one JSON."""

import json
import os
import shutil
import statistics
from pathlib import Path
from typing import Dict, List

import spacy
from wasabi import msg

from dlbook.annotation.run import annotate
from dlbook.common.machine import describe_machine

LETTERS = "abcdefghijklmnopqrstuvwxyz"
WORD_LENGTH = 7
# odd and not a multiple of 13, so coprime with 26**7: i -> i * STRIDE mod
# 26**7 is one-to-one, and the words look random
STRIDE = 2_654_435_761


def distinct_word(index: int) -> str:
    """The index-th word of a sequence in which no word repeats (for the
    first 26**7, about 8 billion)."""
    number = (index * STRIDE + 12_345) % len(LETTERS) ** WORD_LENGTH
    letters = []
    for _ in range(WORD_LENGTH):
        number, digit = divmod(number, len(LETTERS))
        letters.append(LETTERS[digit])
    return "".join(letters)


def make_distinct_collection(output_path: Path, words: int, words_per_line: int, first_word: int = 0) -> Dict:
    """A JSONL file of `words` distinct words, `words_per_line` a line,
    starting at the `first_word`-th word of the sequence."""
    with output_path.open("w", encoding="utf8") as out:
        for start in range(first_word, first_word + words, words_per_line):
            line = " ".join(distinct_word(i) for i in range(start, min(start + words_per_line, first_word + words)))
            out.write(json.dumps({"text": line}) + "\n")
    return {"words": words, "words_per_line": words_per_line, "lines": -(-words // words_per_line)}


def memory_growth(trace: List[Dict], after_words: int) -> Dict[str, Dict]:
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


def _run(model: str, collection: Path, output_dir: Path, workers: int, shard_size: int, memory_zone: bool) -> Dict:
    shutil.rmtree(output_dir, ignore_errors=True)
    summary = annotate(model, collection, output_dir, workers=workers, shard_size=shard_size, memory_zone=memory_zone)
    shutil.rmtree(output_dir, ignore_errors=True)  # the parts of random words are of no use
    return summary


def benchmark_annotate_soak(
    model: str,
    work_dir: Path,
    words: int,
    workers: int,
    flat_after_words: int,
    ab_words: int,
    ab_rounds: int,
    words_per_line: int,
    shard_size: int,
) -> Dict:
    """The soak in one process and on `workers` Dask workers, then
    `ab_rounds` pairs of runs with and without the memory zone."""
    work_dir.mkdir(parents=True, exist_ok=True)
    collection = work_dir / "distinct_words.jsonl"
    size = make_distinct_collection(collection, words, words_per_line)
    msg.info(f"{size['words']:,} distinct words in {size['lines']:,} lines")
    soaks = {}
    for name, n_workers in (("in_process_1", 0), (f"dask_{workers}", workers)):
        summary = _run(model, collection, work_dir / name, n_workers, shard_size, memory_zone=True)
        growth = memory_growth(summary["memory_trace"], flat_after_words)
        soaks[name] = {"workers": n_workers, "summary": summary, "memory_growth": growth}
        worst = max((g.get("rss_mb_growth_after") or 0.0) for g in growth.values())
        msg.good(f"{name}: {summary['words_per_second']:,.0f} words/s, memory +{worst:.1f} MB after the first words")
    # A B A B on a collection of other distinct words (none seen by the soak)
    ab_collection = work_dir / "distinct_words_ab.jsonl"
    make_distinct_collection(ab_collection, ab_words, words_per_line, first_word=words)
    pairs = []
    for round_index in range(ab_rounds):
        pair = {}
        for setup, zone in (("memory_zone", True), ("no_memory_zone", False)):
            summary = _run(model, ab_collection, work_dir / f"ab_{setup}", 0, shard_size, memory_zone=zone)
            growth = memory_growth(summary["memory_trace"], 0)["main"]
            pair[setup] = {
                "words_per_second": summary["words_per_second"],
                "rss_mb_growth": growth["rss_mb_growth_after"],
                "strings_growth": growth["strings_growth_after"],
            }
        pair["ratio"] = pair["memory_zone"]["words_per_second"] / pair["no_memory_zone"]["words_per_second"]
        pairs.append(pair)
        msg.good(f"round {round_index + 1}: with the zone x{pair['ratio']:.3f} the words/s without")
    return {
        "model": model,
        "machine": describe_machine(-1),
        "cpu_count": os.cpu_count(),
        "spacy": spacy.__version__,
        "collection": size,
        "settings": {
            "shard_size": shard_size,
            "flat_after_words": flat_after_words,
            "ab_words": ab_words,
            "ab_rounds": ab_rounds,
        },
        "soak": soaks,
        "worst_rss_mb_growth_after_first_words": max(
            (g.get("rss_mb_growth_after") or 0.0) for soak in soaks.values() for g in soak["memory_growth"].values()
        ),
        "memory_zone_vs_none": {
            "pairs": pairs,
            "ratio_median": statistics.median(pair["ratio"] for pair in pairs),
            "ratio_min": min(pair["ratio"] for pair in pairs),
            "ratio_max": max(pair["ratio"] for pair in pairs),
        },
    }
