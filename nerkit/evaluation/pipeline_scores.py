"""Every test score of a trained pipeline in one call: the corpus's own
tokens (`spacy evaluate --gold-preproc`), the raw text and its variants, and
sentence sets (for the benchmarks that train and compare pipelines); on
request each test document's counts, for a paired bootstrap."""

from pathlib import Path
from typing import Dict, List, Optional, Sequence, Set

from spacy.cli.evaluate import evaluate as spacy_evaluate
from spacy.language import Language
from spacy.tokens import Doc, DocBin, Span

from nerkit.common.entities import CharSpan, char_spans
from nerkit.common.loading import load_pipeline
from nerkit.corpus.documents import bare_tokens
from nerkit.corpus.text_variants import VARIANTS
from nerkit.evaluation.bootstrap import document_counts
from nerkit.evaluation.raw_text import evaluate_raw_text
from nerkit.evaluation.sentence_sets import score_sentences


def gold_sentences(doc: Doc) -> List[Span]:
    """The document's sentences; one without boundaries is one sentence
    (as spaCy's Corpus reads it)."""
    return list(doc.sents) if doc.has_annotation("SENT_START") else [doc[:]]


def predict_on_gold_tokens(nlp: Language, gold_docs: Sequence[Doc]) -> List[Set[CharSpan]]:
    """Each document's predicted entities as `spacy evaluate --gold-preproc`
    predicts them: sentence by sentence, on the gold tokens; by character
    offsets into the document."""
    sentences = [(i, sent) for i, doc in enumerate(gold_docs) for sent in gold_sentences(doc)]
    inputs = (bare_tokens(sent, nlp.vocab) for _, sent in sentences)
    predicted: List[Set[CharSpan]] = [set() for _ in gold_docs]
    for (owner, sent), doc in zip(sentences, nlp.pipe(inputs), strict=True):
        offset = sent.start_char
        predicted[owner] |= {(start + offset, end + offset, label) for start, end, label in char_spans(doc)}
    return predicted


def evaluate_pipeline(
    model_path: Path,
    test_path: Path,
    gpu_id: int,
    sentence_sets: Optional[Dict[str, Path]] = None,
    variants: Sequence[str] = tuple(VARIANTS),
    per_document: bool = False,
) -> Dict:
    """Test scores on gold tokens (P, R, F, per label), on raw text as
    converted and by each of `variants`, and on each sentence set; with
    `per_document`, each test document's (tp, fp, fn) on gold tokens and on
    raw text as converted, in the DocBin's order.
    model_path: the pipeline; test_path: the test DocBin; gpu_id: the device;
    sentence_sets: name -> JSONL file; variants: text variants scored;
    per_document: whether to return each document's counts."""
    gold = spacy_evaluate(str(model_path), test_path, use_gpu=gpu_id, gold_preproc=True)
    nlp = load_pipeline(model_path, gpu_id)
    gold_docs = list(DocBin().from_disk(test_path).get_docs(nlp.vocab))
    raw, records = evaluate_raw_text(nlp, gold_docs, variants)
    for name, path in (sentence_sets or {}).items():
        raw[name] = score_sentences(nlp, path, name)
    scores = {
        "gold_tokens": {
            **{key: gold[key] for key in ("ents_p", "ents_r", "ents_f")},
            "per_label": gold["ents_per_type"] or {},
        },
        "raw_text": raw,
    }
    if per_document:
        on_gold_tokens = predict_on_gold_tokens(nlp, gold_docs)
        scores["per_document"] = {
            "gold_tokens": [document_counts(char_spans(d), p) for d, p in zip(gold_docs, on_gold_tokens, strict=True)],
            "raw_text": [document_counts(set(r["gold"]), set(r["predicted"])) for r in records],
        }
    return scores
