"""Every test score of a trained pipeline in one call: the corpus's own
tokens (`spacy evaluate --gold-preproc`), the raw text and its variants, and
sentence sets (for the benchmarks that train and compare pipelines)."""

from pathlib import Path
from typing import Dict, Optional, Sequence

from spacy.cli.evaluate import evaluate as spacy_evaluate
from spacy.tokens import DocBin

from dlbook.common.loading import load_pipeline
from dlbook.evaluation.raw_text import evaluate_raw_text
from dlbook.evaluation.sentence_sets import score_sentences
from dlbook.evaluation.text_variants import VARIANTS


def evaluate_pipeline(
    model_path: Path,
    test_path: Path,
    gpu_id: int,
    sentence_sets: Optional[Dict[str, Path]] = None,
    variants: Sequence[str] = tuple(VARIANTS),
) -> Dict:
    """Test scores on gold tokens (P, R, F, per label), on raw text as
    converted and by each of `variants`, and on each sentence set."""
    gold = spacy_evaluate(str(model_path), test_path, use_gpu=gpu_id, gold_preproc=True)
    nlp = load_pipeline(model_path, gpu_id)
    gold_docs = list(DocBin().from_disk(test_path).get_docs(nlp.vocab))
    raw, _ = evaluate_raw_text(nlp, gold_docs, variants)
    for name, path in (sentence_sets or {}).items():
        raw[name] = score_sentences(nlp, path, name)
    return {
        "gold_tokens": {
            **{key: gold[key] for key in ("ents_p", "ents_r", "ents_f")},
            "per_label": gold["ents_per_type"] or {},
        },
        "raw_text": raw,
    }
