"""Words per second of scripts/annotate.py on one machine: in this process
with nlp.pipe (1 and N processes) and on a local Dask cluster (1 and N
workers), over a JSONL collection of at least a million words made from the
test texts. Start-up (cluster and model loading) is reported apart from the
annotation rate, with the peak memory per worker. Writes one JSON."""

import json
import os
import shutil
import time
from pathlib import Path
from typing import Dict, List

import spacy
import typer
from spacy.tokens import DocBin
from wasabi import msg

from annotate import annotate
from benchmark_speed import describe_machine


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


def main(
    model: str = typer.Argument(..., help="Installed pipeline package or pipeline folder"),
    test_path: Path = typer.Argument(..., help="DocBin whose texts make the collection", exists=True, dir_okay=False),
    output_path: Path = typer.Argument(..., help="JSON file for the figures", dir_okay=False),
    work_dir: Path = typer.Option(Path("training/benchmark_annotate"), "--work-dir", help="Collection and annotations"),
    min_words: int = typer.Option(1_000_000, "--min-words", help="Words in the collection at least"),
    processes: int = typer.Option(
        2, "--processes", help="N: processes (in-process) and Dask workers to compare with 1"
    ),
    batch_size: int = typer.Option(64, "--batch-size", help="Documents per nlp.pipe batch"),
    shard_size: int = typer.Option(
        100, "--shard-size", help="Lines per shard (enough shards to keep every worker busy)"
    ),
):
    """Benchmark annotate.py in-process and on Dask with 1 and N processes."""
    work_dir.mkdir(parents=True, exist_ok=True)
    collection = work_dir / "collection.jsonl"
    size = make_collection(test_path, collection, min_words)
    msg.info(f"{size['lines']:,} lines, {size['words']:,} words")
    setups: List[Dict] = [
        {"name": "in_process_1", "workers": 0, "n_process": 1},
        {"name": f"in_process_{processes}", "workers": 0, "n_process": processes},
        {"name": "dask_1", "workers": 1, "n_process": 1},
        {"name": f"dask_{processes}", "workers": processes, "n_process": 1},
    ]
    runs = {}
    for setup in setups:
        output_dir = work_dir / setup["name"]
        shutil.rmtree(output_dir, ignore_errors=True)
        start = time.perf_counter()
        summary = annotate(
            model,
            collection,
            output_dir,
            workers=setup["workers"],
            n_process=setup["n_process"],
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
    in_process_n = runs[f"in_process_{processes}"]
    result = {
        "model": model,
        "machine": describe_machine(-1),
        "cpu_count": os.cpu_count(),
        "spacy": spacy.__version__,
        "collection": size,
        "settings": {"batch_size": batch_size, "shard_size": shard_size},
        "runs": runs,
        "dask_speedup": dask_n["words_per_second"] / dask_1["words_per_second"],
        "dask_scaling_efficiency": dask_n["words_per_second"] / dask_1["words_per_second"] / processes,
        "dask_vs_in_process": dask_n["words_per_second"] / in_process_n["words_per_second"],
        "dask_vs_in_process_wall": dask_n["wall_words_per_second"] / in_process_n["wall_words_per_second"],
    }
    output_path.parent.mkdir(parents=True, exist_ok=True)
    output_path.write_text(json.dumps(result, indent=2) + "\n")
    msg.good(
        f"Dask {processes} workers: x{result['dask_speedup']:.2f} over 1 worker, "
        f"{result['dask_vs_in_process']:.2f} of in-process n_process={processes}; saved {output_path}"
    )


if __name__ == "__main__":
    typer.run(main)
