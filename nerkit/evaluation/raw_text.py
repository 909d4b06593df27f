"""A pipeline on text as users send it: each text is run through the
pipeline's own tokenizer (`nlp.pipe`), and its entities are compared with
the gold ones by character offsets. The test documents are scored as
converted and in every variant of text_variants.VARIANTS (re-cased, NFKC,
ligatures put back, PDF/web text)."""

from typing import Any, Dict, Iterable, List, Sequence, Set, Tuple

from spacy.language import Language
from spacy.tokens import Doc
from tqdm import tqdm

from nerkit.common.entities import CharSpan, char_spans
from nerkit.corpus.text_variants import VARIANTS, GoldText
from nerkit.evaluation.scores import SpanScores


def annotate(nlp: Language, texts: Iterable[str], n_texts: int, desc: str) -> List[Doc]:
    """nlp.pipe over texts, with a progress bar."""
    return list(tqdm(nlp.pipe(texts), total=n_texts, desc=desc, unit="doc", disable=None))


def score_gold_texts(
    nlp: Language, gold_texts: Sequence[GoldText], desc: str
) -> Tuple[SpanScores, List[Set[CharSpan]]]:
    """Run the pipeline on each text and score its entities by character
    offsets; also returns the predicted entities of each text."""
    pred_docs = annotate(nlp, (text for text, _ in gold_texts), len(gold_texts), desc)
    scores = SpanScores()
    predictions = []
    for (text, gold), pred in zip(gold_texts, pred_docs, strict=True):
        if pred.text != text:
            raise ValueError(f"the pipeline changed the text: {text[:50]!r} / {pred.text[:50]!r}")
        predictions.append(char_spans(pred))
        scores.add(gold, predictions[-1])
    return scores, predictions


def evaluate_raw_text(
    nlp: Language, gold_docs: Sequence[Doc], variants: Sequence[str] = tuple(VARIANTS)
) -> Tuple[Dict[str, Dict[str, Any]], List[Dict]]:
    """Scores of each of `variants` (VARIANTS' names; as_converted always)
    of the gold documents' text, and the gold and predicted entities of each
    document as converted (for the report)."""
    results = {}
    for name, variant in VARIANTS.items():
        if name != "as_converted" and name not in variants:
            continue
        gold_texts = [variant(doc, i) for i, doc in enumerate(gold_docs)]
        scores, predictions = score_gold_texts(nlp, gold_texts, name)
        results[name] = scores.to_dict()
        if name == "as_converted":
            records = [
                {"text": text, "gold": sorted(gold), "predicted": sorted(pred)}
                for (text, gold), pred in zip(gold_texts, predictions, strict=True)
            ]
    return results, records
