"""Training a config in this process, as `spacy train` does, with the
initialisation and the training loop timed apart: the benchmarks that train
several configs (named overrides of one config) and compare them."""

import sys
import time
from pathlib import Path
from typing import Dict

from spacy import util
from spacy.training.initialize import init_nlp
from spacy.training.loop import train as train_nlp

import nerkit.train.functions  # noqa: F401 (registers the readers, augmenters and logger the configs name)
from nerkit.common.machine import peak_gpu_memory_mb, reset_peak_gpu_memory
from nerkit.common.options import config_value
from nerkit.evaluation.training_log import read_log, training_summary


def train_config(config_path: Path, output_dir: Path, overrides: Dict[str, str], gpu_id: int, target: float) -> Dict:
    """Train `config_path` with `overrides` (`section.key` -> the value as a
    command line gives it) into output_dir, as `spacy train` does (the
    config's `paths.log` must be output_dir/log.jsonl); returns the training
    summary of its log with the initialisation timed, the dev curve and the
    peak GPU memory."""
    parsed = {key: config_value(value) for key, value in overrides.items()}
    config = util.load_config(config_path, overrides=parsed, interpolate=False)
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
