"""How many words per second a pipeline annotates with `nlp.pipe`, as `spacy
benchmark speed` measures it: warm-up, then the mean of per-batch rates with
a bootstrapped 95% interval."""

from pathlib import Path
from typing import Dict, List, Sequence

import numpy
import spacy
from spacy.cli.benchmark_speed import benchmark, bootstrap, warmup
from spacy.language import Language
from spacy.tokens import Doc, DocBin

from nerkit.benchmarks.timing import percentile
from nerkit.common.loading import load_pipeline
from nerkit.common.machine import blas_threads, describe_machine, peak_gpu_memory_mb


def measure(nlp: Language, docs: List[Doc], batch_size: int, n_batches: int, warmup_epochs: int) -> Dict[str, float]:
    """spaCy's own speed benchmark at one batch size: the mean of the
    per-batch rates and a bootstrapped 95% interval of it."""
    warmup(nlp, docs, warmup_epochs, batch_size)
    rates = benchmark(nlp, docs, n_batches, batch_size, shuffle=False)
    means = bootstrap(rates)
    return {
        "batch_size": batch_size,
        "words_per_second": float(numpy.mean(rates)),
        "ci95_low": percentile(means, 0.025),
        "ci95_high": percentile(means, 0.975),
        "batches": int(len(rates)),
    }


def benchmark_speed(
    model: str, data_path: Path, batch_sizes: Sequence[int], n_batches: int, warmup_epochs: int, gpu_id: int
) -> Dict:
    """Words/s of nlp.pipe over the texts of a DocBin at each batch size, with
    the machine, the BLAS threads and the peak GPU memory.
    model: the pipeline; data_path: the DocBin of texts; batch_sizes: the
    sizes timed; n_batches: batches timed at each; warmup_epochs: passes
    before timing; gpu_id: the device (-1: the CPU)."""
    nlp = load_pipeline(model, gpu_id)
    docs = list(DocBin().from_disk(data_path).get_docs(nlp.vocab))
    results = [measure(nlp, docs, batch_size, n_batches, warmup_epochs) for batch_size in batch_sizes]
    return {
        "model": str(model),
        "machine": describe_machine(gpu_id),
        "spacy": spacy.__version__,
        "words_in_texts": int(sum(len(doc) for doc in docs)),
        "blas_threads": blas_threads(),
        "results": results,
        "peak_gpu_memory_mb": peak_gpu_memory_mb(gpu_id),
    }
