"""Evaluate a pipeline on text as users send it.

Each test document's text is run through `nlp(text)` with the pipeline's own
tokenizer, and predicted entities are compared with the gold ones by character
offsets (exact start, end and label). Besides the text as converted, the same
documents are scored sentence-cased, title-cased, upper-cased, NFKC-normalised,
with PDF ligatures put back (fi -> ﬁ) and as PDF/web text (line breaks with
hyphenation, soft hyphens, zero-width characters, Unicode hyphens,
non-breaking spaces), the ways real input differs from the corpus; and, with
--sentences NAME=FILE, sets of sentences written outside the book.
"""

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Set, Tuple

import srsly
import typer
from spacy.language import Language
from spacy.scorer import PRFScore
from spacy.tokens import Doc, DocBin
from tqdm import tqdm
from wasabi import msg

from atomic_files import write_atomic
from loading import load_pipeline
from pipeline_functions import nfkc_char
from text_variants import CharSpan, GoldText, pdf_web_text, recase_doc, rewrite_doc

# Longest first, so "ffi" becomes "ﬃ" rather than "ﬀ" + "i"
LIGATURES = (("ffi", "ﬃ"), ("ffl", "ﬄ"), ("ff", "ﬀ"), ("fi", "ﬁ"), ("fl", "ﬂ"))


def prf_dict(score: PRFScore) -> Dict[str, float]:
    return {"p": score.precision, "r": score.recall, "f": score.fscore, "tp": score.tp, "fp": score.fp, "fn": score.fn}


@dataclass
class SpanScores:
    """Predicted against gold entities (character spans with their label),
    overall and per label, with spaCy's PRFScore."""

    overall: PRFScore = field(default_factory=PRFScore)
    per_label: Dict[str, PRFScore] = field(default_factory=lambda: defaultdict(PRFScore))

    def add(self, gold: Set[CharSpan], pred: Set[CharSpan]) -> None:
        self.overall.score_set(pred, gold)
        for label in {span[2] for span in gold | pred}:
            self.per_label[label].score_set({s for s in pred if s[2] == label}, {s for s in gold if s[2] == label})

    def to_dict(self) -> Dict[str, Any]:
        return {**prf_dict(self.overall), "per_label": {k: prf_dict(v) for k, v in sorted(self.per_label.items())}}


def char_spans(doc: Doc) -> Set[CharSpan]:
    return {(ent.start_char, ent.end_char, ent.label_) for ent in doc.ents}


def annotate(nlp: Language, texts: Iterable[str], n_texts: int, desc: str) -> List[Doc]:
    """nlp.pipe over texts, with a progress bar."""
    return list(tqdm(nlp.pipe(texts), total=n_texts, desc=desc, unit="doc", disable=None))


def nfkc(doc: Doc) -> Doc:
    return rewrite_doc(doc, ["".join(nfkc_char(char) for char in token.text) for token in doc])


def pdf_ligatures(doc: Doc) -> Doc:
    words = []
    for token in doc:
        word = token.text
        for plain, ligature in LIGATURES:
            word = word.replace(plain, ligature)
        words.append(word)
    return rewrite_doc(doc, words)


def gold_text(doc: Doc) -> GoldText:
    return doc.text, char_spans(doc)


VARIANTS: Dict[str, Callable[[Doc, int], GoldText]] = {
    "as_converted": lambda doc, i: gold_text(doc),
    "sentence_case": lambda doc, i: gold_text(recase_doc(doc, "sentence")),
    "title_case": lambda doc, i: gold_text(recase_doc(doc, "title")),
    "upper_case": lambda doc, i: gold_text(recase_doc(doc, "upper")),
    "nfkc": lambda doc, i: gold_text(nfkc(doc)),
    "pdf_ligatures": lambda doc, i: gold_text(pdf_ligatures(doc)),
    "pdf_web": pdf_web_text,
}


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


def evaluate_raw_text(nlp: Language, gold_docs: Sequence[Doc]) -> Tuple[Dict[str, Dict[str, Any]], List[Dict]]:
    """Scores of each variant of the gold documents' text, and the gold and
    predicted entities of each document as converted (for the report)."""
    results = {}
    for name, variant in VARIANTS.items():
        gold_texts = [variant(doc, i) for i, doc in enumerate(gold_docs)]
        scores, predictions = score_gold_texts(nlp, gold_texts, name)
        results[name] = scores.to_dict()
        if name == "as_converted":
            records = [
                {"text": text, "gold": sorted(gold), "predicted": sorted(pred)}
                for (text, gold), pred in zip(gold_texts, predictions, strict=True)
            ]
    return results, records


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


def parse_sentence_sets(values: Sequence[str]) -> Dict[str, Path]:
    sets = {}
    for value in values:
        name, sep, path = value.partition("=")
        if not sep or not Path(path).is_file():
            raise typer.BadParameter(f"expected NAME=FILE with an existing JSONL file, got {value!r}")
        sets[name] = Path(path)
    return sets


def main(
    model: str = typer.Argument(..., help="Pipeline name or path"),
    data_path: Path = typer.Argument(..., help="DocBin with the gold test documents", exists=True, dir_okay=False),
    output_path: Path = typer.Argument(..., help="JSON file for the scores", dir_okay=False),
    predictions_path: Path = typer.Argument(
        ..., help="JSONL file for the gold and predicted entities of each test text (for the report)", dir_okay=False
    ),
    sentences: List[str] = typer.Option(
        [],
        "--sentences",
        help="NAME=FILE: a JSONL of annotated sentences written outside the corpus, scored as NAME; repeatable",
    ),
    gpu_id: int = typer.Option(-1, "--gpu-id", "-g", help="GPU id, or -1 for the CPU"),
):
    """Score a pipeline on the raw text of the test split and on its re-cased
    and normalised variants, and on sentence sets written outside the book,
    entities matched by character offsets."""
    sentence_sets = parse_sentence_sets(sentences)
    nlp = load_pipeline(model, gpu_id)
    gold_docs = list(DocBin().from_disk(data_path).get_docs(nlp.vocab))
    results, records = evaluate_raw_text(nlp, gold_docs)
    for name, path in sentence_sets.items():
        results[name] = score_sentences(nlp, path, name)
    msg.table(
        [
            (name, f"{s['p']:.4f}", f"{s['r']:.4f}", f"{s['f']:.4f}", s["tp"], s["fp"], s["fn"])
            for name, s in results.items()
        ],
        header=("text", "P", "R", "F", "TP", "FP", "FN"),
        divider=True,
    )
    for name in sentence_sets:
        for error in results[name]["errors"]:
            msg.text(f"{name}: {error['kind']} {error['text']!r} in {error['sentence']!r}")
    summary = {"model": str(model), "data": str(data_path), "scores": results}
    write_atomic(output_path, json.dumps(summary, indent=2) + "\n")
    write_atomic(predictions_path, "".join(srsly.json_dumps(record) + "\n" for record in records))
    msg.good(f"Saved raw-text scores to {output_path} and the predictions to {predictions_path}")


if __name__ == "__main__":
    typer.run(main)
