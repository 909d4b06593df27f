"""How many words per second a pipeline annotates with `nlp.pipe`, as `spacy
benchmark speed` measures it (warm-up, then the mean of per-batch rates with
a bootstrapped 95% interval); and its tokenizer alone, the ceiling of any
pipeline with that tokenizer."""

from pathlib import Path
from typing import Callable, Dict, List, Sequence

import numpy
import spacy
from spacy.cli.benchmark_speed import benchmark, bootstrap, warmup
from spacy.language import Language
from spacy.tokens import DocBin

from dlbook.common.loading import load_pipeline
from dlbook.common.machine import blas_threads, describe_machine, peak_gpu_memory_mb


def measure(nlp, docs, batch_size: int, n_batches: int, warmup_epochs: int) -> Dict[str, float]:
    warmup(nlp, docs, warmup_epochs, batch_size)
    rates = benchmark(nlp, docs, n_batches, batch_size, shuffle=False)
    means = numpy.sort(bootstrap(rates))
    return {
        "batch_size": batch_size,
        "words_per_second": float(numpy.mean(rates)),
        "ci95_low": float(means[int(len(means) * 0.025)]),
        "ci95_high": float(means[int(len(means) * 0.975)]),
        "batches": int(len(rates)),
    }


def tokenizer_words(nlp: Language, texts: List[str]) -> Callable[[], int]:
    """A run of the tokenizer alone (`nlp.make_doc`) over the texts: returns
    the words it made."""
    return lambda: sum(len(nlp.make_doc(text)) for text in texts)


def benchmark_speed(
    model: str, data_path: Path, batch_sizes: Sequence[int], n_batches: int, warmup_epochs: int, gpu_id: int
) -> Dict:
    """Words/s of nlp.pipe over the texts of a DocBin at each batch size, with
    the machine, the BLAS threads and the peak GPU memory."""
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
