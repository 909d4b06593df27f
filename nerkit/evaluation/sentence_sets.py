"""Sets of sentences written outside the corpus, with their entities by
character offsets (corpus/eval/*.jsonl): scored overall, per label, per
class of sentence, with the entities missed or wrongly found."""

from collections import defaultdict
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Set, Tuple

from spacy.language import Language

from nerkit.corpus.spans import record_spans, records
from nerkit.corpus.text_variants import GoldText
from nerkit.evaluation.raw_text import score_gold_texts
from nerkit.evaluation.scores import SpanScores, prf_dict


def read_sentences(path: Path) -> List[Tuple[GoldText, Optional[str]]]:
    """Gold texts from JSONL lines `{"text": ..., "spans": [{"start", "end",
    "label"}], "class": ...}` (character offsets; the class is optional),
    read and checked as a JSONL corpus is (a bad line is a CorpusError)."""
    return [
        ((record["text"], set(record_spans(path, number, record))), record.get("class"))
        for number, record in records(path)
    ]


def score_sentences(nlp: Language, path: Path, desc: str) -> Dict[str, Any]:
    """Scores of a sentence set, with those of each class of sentences and
    the entities missed or wrongly found."""
    sentences = read_sentences(path)
    gold_texts = [gold_text for gold_text, _ in sentences]
    scores, predictions = score_gold_texts(nlp, gold_texts, desc)
    per_class: Dict[str, SpanScores] = defaultdict(SpanScores)
    errors = []
    for ((text, gold), sentence_class), pred in zip(sentences, predictions, strict=True):
        if sentence_class is not None:
            per_class[sentence_class].add(gold, pred)
        errors += [{"kind": "FN", "text": text[s:e], "sentence": text} for s, e, _ in sorted(gold - pred)]
        errors += [{"kind": "FP", "text": text[s:e], "sentence": text} for s, e, _ in sorted(pred - gold)]
    result = scores.to_dict()
    if per_class:
        result["per_class"] = {name: prf_dict(s.overall) for name, s in sorted(per_class.items())}
    result["errors"] = errors
    return result


def sentence_set_labels(path: Path) -> Set[str]:
    return {label for (_, spans), _ in read_sentences(path) for _, _, label in spans}


def split_sets_by_labels(sets: Dict[str, Path], model_labels: Sequence[str]) -> Tuple[Dict[str, Path], Dict[str, str]]:
    """The sets with a label the model has, and why each other is left out:
    a set about other labels (the book's terms) says nothing of a model of
    people and places."""
    kept, skipped = {}, {}
    for name, path in sets.items():
        labels = sentence_set_labels(path)
        if labels & set(model_labels):
            kept[name] = path
        else:
            skipped[name] = f"{path}: labels {', '.join(sorted(labels)) or 'none'}, none of the model's"
    return kept, skipped
