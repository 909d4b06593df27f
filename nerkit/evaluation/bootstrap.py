"""How sure a difference in test F is: a paired bootstrap over the test
documents (Koehn 2004; Berg-Kirkpatrick et al. 2012). Each resample draws
the test documents with replacement, the same draw for both configs; F is
summed over the drawn documents for each training seed, averaged over the
seeds, and the difference in points is taken. The 2.5th and 97.5th
percentiles of those differences are its 95% interval: a test split of a few
hundred entities cannot tell apart two configs whose interval spans zero."""

from typing import Dict, Sequence, Set, Tuple

import numpy

from nerkit.common.entities import CharSpan

# (true positives, false positives, false negatives) of one document
Counts = Tuple[int, int, int]
SAMPLES = 2000


def document_counts(gold: Set[CharSpan], predicted: Set[CharSpan]) -> Counts:
    """One document's counts, exact start, end and label (spaCy's ents_f)."""
    true_positives = len(gold & predicted)
    return true_positives, len(predicted) - true_positives, len(gold) - true_positives


def f_scores(counts: numpy.ndarray) -> numpy.ndarray:
    """F of (..., 3) counts (tp, fp, fn) along the last axis; 0 where no
    entity is predicted or gold."""
    true_positives, false_positives, false_negatives = numpy.moveaxis(counts.astype(float), -1, 0)
    denominator = 2 * true_positives + false_positives + false_negatives
    return numpy.divide(2 * true_positives, denominator, out=numpy.zeros_like(denominator), where=denominator > 0)


def paired_bootstrap(
    config_runs: Sequence[Sequence[Counts]],
    baseline_runs: Sequence[Sequence[Counts]],
    samples: int = SAMPLES,
    seed: int = 0,
) -> Dict[str, float]:
    """The difference in F points (the config's mean over its seeds minus the
    baseline's) on the test split as it is, its 95% interval over `samples`
    resamples of the documents, and the share of resamples where the config
    is ahead. Each run is one seed's counts, one row per test document, in
    the same document order for every run."""
    config = numpy.asarray(config_runs, dtype=numpy.int64)  # (seeds, documents, 3)
    baseline = numpy.asarray(baseline_runs, dtype=numpy.int64)
    if config.ndim != 3 or config.shape[1:] != baseline.shape[1:] or config.shape[1] == 0:
        raise ValueError(f"runs of different test documents: {config.shape} against {baseline.shape}")
    draws = numpy.random.default_rng(seed).integers(0, config.shape[1], size=(samples, config.shape[1]))

    def mean_f(runs: numpy.ndarray) -> numpy.ndarray:
        return f_scores(runs[:, draws, :].sum(axis=2)).mean(axis=0)  # (samples,)

    differences = 100 * (mean_f(config) - mean_f(baseline))
    point = 100 * (f_scores(config.sum(axis=1)).mean() - f_scores(baseline.sum(axis=1)).mean())
    low, high = numpy.percentile(differences, [2.5, 97.5])
    return {
        "points": float(point),
        "ci95_low": float(low),
        "ci95_high": float(high),
        "share_ahead": float((differences > 0).mean()),
        "samples": samples,
        "documents": int(config.shape[1]),
    }
