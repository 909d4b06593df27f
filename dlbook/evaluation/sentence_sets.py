"""Sets of sentences written outside the corpus, with their entities by
character offsets (corpus/eval/*.jsonl): scored overall, per label, per
class of sentence, with the entities missed or wrongly found."""

import json
from collections import defaultdict
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Set, Tuple

import typer
from spacy.language import Language

from dlbook.evaluation.raw_text import score_gold_texts
from dlbook.evaluation.scores import SpanScores, prf_dict
from dlbook.evaluation.text_variants import GoldText


def read_sentences(path: Path) -> List[Tuple[GoldText, Optional[str]]]:
    """Gold texts from JSONL lines `{"text": ..., "spans": [{"start", "end",
    "label"}], "class": ...}` (character offsets; the class is optional)."""
    sentences = []
    for line in path.read_text(encoding="utf8").splitlines():
        if line.strip():
            record = json.loads(line)
            spans = {(s["start"], s["end"], s["label"]) for s in record["spans"]}
            sentences.append(((record["text"], spans), record.get("class")))
    return sentences


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


def parse_sentence_sets(values: Sequence[str]) -> Dict[str, Path]:
    """`--sentences NAME=FILE` options (or one comma-separated list of them,
    as a project var gives it) as {name: path}; a bad one is a usage error
    of the command."""
    sets = {}
    for value in (item for option in values for item in option.split(",") if item):
        name, sep, path = value.partition("=")
        if not sep or not Path(path).is_file():
            raise typer.BadParameter(f"expected NAME=FILE with an existing JSONL file, got {value!r}")
        sets[name] = Path(path)
    return sets
