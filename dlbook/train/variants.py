"""Variants of a training config: `name:key=value,...` specs, and training
one in this process as `spacy train` does, its initialisation and training
loop timed apart (the one-run GPU benchmark and the CPU config table)."""

import sys
import time
from pathlib import Path
from typing import Dict, List

import typer
from spacy import util
from spacy.cli._util import parse_config_overrides
from spacy.training.initialize import init_nlp
from spacy.training.loop import train as train_nlp

import dlbook.train.functions  # noqa: F401 (registers the readers, augmenters and logger the configs name)
from dlbook.common.machine import peak_gpu_memory_mb, reset_peak_gpu_memory
from dlbook.evaluation.training_log import read_log, training_summary


def parse_variants(specs: List[str]) -> Dict[str, Dict[str, str]]:
    """`name:section.key=value,section.key=value` -> {name: overrides}; a
    value may be a JSON list (`rows=[5000,1000]`: its commas are its own).
    The first variant is usually `base:` (the config as committed)."""
    variants = {}
    for spec in specs:
        name, _, settings = spec.partition(":")
        overrides = {}
        for setting in filter(None, _split_settings(settings)):
            key, sep, value = setting.partition("=")
            if not sep:
                raise typer.BadParameter(f"expected key=value in variant {spec!r}, got {setting!r}")
            overrides[key.strip()] = value.strip()
        variants[name.strip()] = overrides
    return variants


def _split_settings(settings: str) -> List[str]:
    """`settings` split at the commas outside brackets."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(settings):
        depth += {"[": 1, "]": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(settings[start:i])
            start = i + 1
    return [*parts, settings[start:]]


def train_variant(config_path: Path, output_dir: Path, overrides: Dict[str, str], gpu_id: int, target: float) -> Dict:
    """Train in this process, as `spacy train` does (the config's
    `paths.log` must be output_dir/log.jsonl); returns the training summary
    of its log with the initialisation timed, the dev curve and the peak GPU
    memory."""
    config = util.load_config(config_path, overrides=parse_config_overrides(_as_cli(overrides)), interpolate=False)
    reset_peak_gpu_memory(gpu_id)
    start = time.perf_counter()
    nlp = init_nlp(config, use_gpu=gpu_id)
    init_seconds = time.perf_counter() - start
    train_nlp(nlp, output_dir, use_gpu=gpu_id, stdout=sys.stdout, stderr=sys.stderr)
    total_seconds = time.perf_counter() - start
    log = read_log(output_dir / "log.jsonl")
    return {
        **training_summary(log, target, init_seconds),
        "total_seconds": total_seconds,
        "dev_curve": [{"step": r["step"], "seconds": r["seconds"], "score": r["score"]} for r in log],
        "peak_gpu_memory_mb": peak_gpu_memory_mb(gpu_id),
    }


def _as_cli(overrides: Dict[str, str]) -> List[str]:
    return [arg for key, value in overrides.items() for arg in (f"--{key}", value)]
