"""Variants of a training config: `name:key=value,...` specs, training one
in this process as `spacy train` does (initialisation and training loop
timed apart), and its test scores on gold tokens, raw text and sentence
sets. Used by the one-run GPU benchmark (benchmark_trf.py)."""

import json
import sys
import time
from pathlib import Path
from typing import Dict, List, Optional

import typer
from spacy import util
from spacy.cli._util import parse_config_overrides
from spacy.cli.evaluate import evaluate as spacy_evaluate
from spacy.tokens import DocBin
from spacy.training.initialize import init_nlp
from spacy.training.loop import train as train_nlp

import training_functions  # noqa: F401 (registers the readers, augmenters and logger the configs name)
from benchmark_speed import peak_gpu_memory_mb
from evaluate_raw import evaluate_raw_text, score_sentences
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


def evaluate_pipeline(
    model_path: Path, test_path: Path, gpu_id: int, sentence_sets: Optional[Dict[str, Path]] = None
) -> Dict:
    """Test scores on the corpus's tokens (`spacy evaluate --gold-preproc`),
    on raw text with its variants and on sentence sets (evaluate_raw.py)."""
    gold = spacy_evaluate(str(model_path), test_path, use_gpu=gpu_id, gold_preproc=True)
    nlp = load_pipeline(model_path, gpu_id)
    gold_docs = list(DocBin().from_disk(test_path).get_docs(nlp.vocab))
    raw, _ = evaluate_raw_text(nlp, gold_docs)
    for name, path in (sentence_sets or {}).items():
        raw[name] = score_sentences(nlp, path, name)
    return {
        "gold_tokens": {key: gold[key] for key in ("ents_p", "ents_r", "ents_f")},
        "raw_text": raw,
    }
