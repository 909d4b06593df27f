"""Evaluate a pipeline on text as users send it.

Each test document's text is run through `nlp(text)` with the pipeline's own
tokenizer, and predicted entities are compared with the gold ones by character
offsets (exact start, end and label). Besides the text as converted, the same
documents are scored sentence-cased, title-cased, upper-cased, NFKC-normalised
and with PDF ligatures put back (fi -> ﬁ), the ways real input differs from
the corpus.
"""
import json
import unicodedata
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Dict, Iterable, List, Sequence, Set, Tuple, Union

import spacy
import typer
from spacy.language import Language
from spacy.tokens import Doc, DocBin
from tqdm import tqdm
from wasabi import msg

from functions import recase_doc, rewrite_doc

CharSpan = Tuple[int, int, str]
# Longest first, so "ffi" becomes "ﬃ" rather than "ﬀ" + "i"
LIGATURES = (("ffi", "ﬃ"), ("ffl", "ﬄ"), ("ff", "ﬀ"), ("fi", "ﬁ"), ("fl", "ﬂ"))


@dataclass
class PRF:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, gold: Set[CharSpan], pred: Set[CharSpan]) -> None:
        self.tp += len(gold & pred)
        self.fp += len(pred - gold)
        self.fn += len(gold - pred)

    def to_dict(self) -> Dict[str, float]:
        return {"p": self.precision, "r": self.recall, "f": self.f, **asdict(self)}


def char_spans(doc: Doc) -> Set[CharSpan]:
    return {(ent.start_char, ent.end_char, ent.label_) for ent in doc.ents}


def score_char_spans(gold_docs: Sequence[Doc], pred_docs: Sequence[Doc]) -> PRF:
    """Micro P/R/F of predicted against gold entities by character offsets;
    the two sequences must hold the same texts."""
    score = PRF()
    for gold, pred in zip(gold_docs, pred_docs, strict=True):
        if gold.text != pred.text:
            raise ValueError(f"gold and predicted texts differ: {gold.text[:50]!r} / {pred.text[:50]!r}")
        score.add(char_spans(gold), char_spans(pred))
    return score


def annotate(nlp: Language, inputs: Iterable[Union[str, Doc]], n_inputs: int, desc: str) -> List[Doc]:
    """nlp.pipe over texts (or unannotated Docs), with a progress bar."""
    return list(tqdm(nlp.pipe(inputs), total=n_inputs, desc=desc, unit="doc", disable=None))


def nfkc(doc: Doc) -> Doc:
    words = []
    for token in doc:
        normal = unicodedata.normalize("NFKC", token.text)
        words.append(token.text if any(c.isspace() for c in normal) else normal)
    return rewrite_doc(doc, words)


def pdf_ligatures(doc: Doc) -> Doc:
    words = []
    for token in doc:
        word = token.text
        for plain, ligature in LIGATURES:
            word = word.replace(plain, ligature)
        words.append(word)
    return rewrite_doc(doc, words)


VARIANTS: Dict[str, Callable[[Doc], Doc]] = {
    "as_converted": lambda doc: doc,
    "sentence_case": lambda doc: recase_doc(doc, "sentence"),
    "title_case": lambda doc: recase_doc(doc, "title"),
    "upper_case": lambda doc: recase_doc(doc, "upper"),
    "nfkc": nfkc,
    "pdf_ligatures": pdf_ligatures,
}


def evaluate_raw_text(nlp: Language, gold_docs: Sequence[Doc]) -> Dict[str, Dict[str, float]]:
    """Scores of each variant of the gold documents' text."""
    results = {}
    for name, variant in VARIANTS.items():
        variant_docs = [variant(doc) for doc in gold_docs]
        pred_docs = annotate(nlp, (doc.text for doc in variant_docs), len(variant_docs), name)
        results[name] = score_char_spans(variant_docs, pred_docs).to_dict()
    return results


def main(
    model: str = typer.Argument(..., help="Pipeline name or path"),
    data_path: Path = typer.Argument(..., help="DocBin with the gold test documents", exists=True, dir_okay=False),
    output_path: Path = typer.Argument(..., help="JSON file for the scores", dir_okay=False),
    gpu_id: int = typer.Option(-1, "--gpu-id", "-g", help="GPU id, or -1 for the CPU"),
):
    """Score a pipeline on the raw text of the test split and on its re-cased
    and normalised variants, entities matched by character offsets."""
    if gpu_id >= 0:
        spacy.require_gpu(gpu_id)
    nlp = spacy.load(model)
    gold_docs = list(DocBin().from_disk(data_path).get_docs(nlp.vocab))
    results = evaluate_raw_text(nlp, gold_docs)
    msg.table(
        [(name, f"{s['p']:.4f}", f"{s['r']:.4f}", f"{s['f']:.4f}", s["tp"], s["fp"], s["fn"]) for name, s in results.items()],
        header=("text", "P", "R", "F", "TP", "FP", "FN"),
        divider=True,
    )
    output_path.parent.mkdir(parents=True, exist_ok=True)
    output_path.write_text(json.dumps({"model": str(model), "data": str(data_path), "scores": results}, indent=2) + "\n")
    msg.good(f"Saved raw-text scores to {output_path}")


if __name__ == "__main__":
    typer.run(main)
