"""Words per second of `annotate` on one machine: in this process and on a
local Dask cluster (1 and N workers), over a JSONL collection of at least a
million words made from the test texts. Start-up (cluster and model loading) is reported apart from the
annotation rate, with the peak memory per worker. Beside them: the words/s of
the pipeline's tokenizer alone over the same texts (the ceiling of any spaCy
pipeline with that tokenizer), and with --baseline another pipeline (the
config before a change) annotating in one process right before the
pipeline's own one-process run, so that their ratio is taken side by side.
Writes one JSON."""

import json
import os
import shutil
import time
from pathlib import Path
from typing import Dict, List, Optional

import spacy
from spacy.tokens import DocBin
from wasabi import msg

from dlbook.annotation.collection import list_inputs, read_shards
from dlbook.annotation.run import annotate
from dlbook.benchmarks.speed import tokenizer_words
from dlbook.common.loading import load_pipeline
from dlbook.common.machine import describe_machine


def make_collection(test_path: Path, output_path: Path, min_words: int) -> Dict[str, int]:
    """A JSONL file of the test texts, one paragraph-sized text a line,
    repeated until it holds `min_words` words."""
    nlp = spacy.blank("en")
    texts = [doc.text for doc in DocBin().from_disk(test_path).get_docs(nlp.vocab)]
    words_per_pass = sum(len(nlp.make_doc(text)) for text in texts)
    passes = -(-min_words // words_per_pass)
    with output_path.open("w", encoding="utf8") as out:
        for i in range(passes):
            for j, text in enumerate(texts):
                out.write(json.dumps({"id": f"{i}-{j}", "text": text}) + "\n")
    return {"lines": passes * len(texts), "words": passes * words_per_pass}


def tokenizer_speed(model: str, collection: Path) -> Dict[str, float]:
    """Words/s of the pipeline's tokenizer alone (`nlp.make_doc`, one
    process) over the texts of the collection, read beforehand."""
    nlp = load_pipeline(model)
    shards = read_shards(list_inputs(collection), collection, 1000, "text", "id", lambda name, digest: False)
    texts = [text for shard in shards for _, text, _ in shard.records]
    run = tokenizer_words(nlp, texts)
    start = time.perf_counter()
    words = run()
    seconds = time.perf_counter() - start
    return {"words": words, "seconds": seconds, "words_per_second": words / seconds}


def benchmark_annotate(
    model: str,
    test_path: Path,
    work_dir: Path,
    min_words: int,
    processes: int,
    batch_size: int,
    shard_size: int,
    baseline: Optional[str],
) -> Dict:
    """annotate over a collection of at least `min_words` words made from the
    test texts: in process, on Dask (1 and `processes` workers), the baseline
    pipeline in one process first; the tokenizer alone; speed-ups and ratios."""
    work_dir.mkdir(parents=True, exist_ok=True)
    collection = work_dir / "collection.jsonl"
    size = make_collection(test_path, collection, min_words)
    msg.info(f"{size['lines']:,} lines, {size['words']:,} words")
    setups: List[Dict] = [
        *([{"name": "baseline_in_process_1", "workers": 0, "model": baseline}] if baseline else []),
        {"name": "in_process_1", "workers": 0},
        {"name": "dask_1", "workers": 1},
        {"name": f"dask_{processes}", "workers": processes},
    ]
    runs = {}
    for setup in setups:
        output_dir = work_dir / setup["name"]
        shutil.rmtree(output_dir, ignore_errors=True)
        start = time.perf_counter()
        summary = annotate(
            setup.get("model", model),
            collection,
            output_dir,
            workers=setup["workers"],
            batch_size=batch_size,
            shard_size=shard_size,
        )
        summary["wall_seconds"] = time.perf_counter() - start
        summary["wall_words_per_second"] = summary["words"] / summary["wall_seconds"]
        runs[setup["name"]] = {**setup, **summary}
        msg.good(
            f"{setup['name']}: {summary['words_per_second']:,.0f} words/s annotating, "
            f"{summary['wall_words_per_second']:,.0f} words/s wall, start-up {summary['startup_seconds']:.1f} s"
        )
    dask_1, dask_n = runs["dask_1"], runs[f"dask_{processes}"]
    in_process_1 = runs["in_process_1"]
    tokenizer = tokenizer_speed(model, collection)
    msg.good(f"tokenizer alone: {tokenizer['words_per_second']:,.0f} words/s")
    fastest = max((r for r in runs.values() if "model" not in r), key=lambda r: r["words_per_second"])
    result = {
        "model": model,
        "machine": describe_machine(-1),
        "cpu_count": os.cpu_count(),
        "spacy": spacy.__version__,
        "collection": size,
        "settings": {"batch_size": batch_size, "shard_size": shard_size},
        "runs": runs,
        "fastest": {key: fastest[key] for key in ("name", "words_per_second", "wall_words_per_second")},
        "tokenizer_alone": tokenizer,
        "dask_speedup": dask_n["words_per_second"] / dask_1["words_per_second"],
        "dask_scaling_efficiency": dask_n["words_per_second"] / dask_1["words_per_second"] / processes,
        "dask_vs_in_process": dask_n["words_per_second"] / in_process_1["words_per_second"],
        "dask_vs_in_process_wall": dask_n["wall_words_per_second"] / in_process_1["wall_words_per_second"],
    }
    if baseline:
        result["baseline"] = baseline
        result["ratio_to_baseline"] = {
            "in_process_1": in_process_1["words_per_second"] / runs["baseline_in_process_1"]["words_per_second"],
            "fastest": fastest["words_per_second"] / runs["baseline_in_process_1"]["words_per_second"],
        }
    return result
