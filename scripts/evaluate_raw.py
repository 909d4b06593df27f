"""Evaluate a pipeline on text as users send it.

Each test document's text is run through `nlp(text)` with the pipeline's own
tokenizer, and predicted entities are compared with the gold ones by character
offsets (exact start, end and label). Besides the text as converted, the same
documents are scored sentence-cased, title-cased, upper-cased, NFKC-normalised,
with PDF ligatures put back (fi -> ﬁ) and as PDF/web text (line breaks with
hyphenation, soft hyphens, zero-width characters, Unicode hyphens,
non-breaking spaces), the ways real input differs from the corpus; and, with
--user-sentences, sentences written outside the book.
"""

import json
import random
import unicodedata
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Set, Tuple, Union

import spacy
import typer
from spacy.language import Language
from spacy.tokens import Doc, DocBin
from tqdm import tqdm
from wasabi import msg

from functions import UNICODE_HYPHENS, recase_doc, rewrite_doc

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


# PDF/web text: the book's line width, and how often each artefact occurs
PDF_LINE_WIDTH = 78
SOFT_HYPHEN_RATE = 0.03  # long words carrying a soft hyphen (web hyphenation hints)
ZERO_WIDTH_RATE = 0.01  # words followed by a zero-width space or joiner
NBSP_RATE = 0.03  # spaces that are non-breaking
UNICODE_HYPHEN_RATE = 0.5  # hyphenated words written with U+2010 or U+2011

GoldText = Tuple[str, Set[CharSpan]]


def pdf_web_text(doc: Doc, seed: int) -> GoldText:
    """The document's text as it comes out of a PDF or a web page, with the
    gold entities moved to their new offsets: lines of PDF_LINE_WIDTH
    characters, long words hyphenated across the line break (a hyphenated
    word breaks after its own hyphen), soft hyphens, zero-width characters,
    Unicode hyphens and non-breaking spaces at the rates above."""
    rng = random.Random(seed)
    out: List[str] = []  # one rendering per character of doc.text
    line = 0
    pending_space = None  # index in `out` of the space before the next word
    for token in doc:
        word = token.text
        rendered = list(word)
        if "-" in word[1:-1] and rng.random() < UNICODE_HYPHEN_RATE:
            rendered = [rng.choice(UNICODE_HYPHENS) if c == "-" else c for c in rendered]
        if len(word) >= 6 and word.isalpha() and rng.random() < SOFT_HYPHEN_RATE:
            k = rng.randint(2, len(word) - 3)
            rendered[k] += "\u00ad"
        if line and line + 1 + len(word) > PDF_LINE_WIDTH:
            room = PDF_LINE_WIDTH - line - 2  # the space and the hyphen
            hyphen = word.find("-", 1, len(word) - 1)
            if len(word) >= 7 and word.isalpha() and room >= 3:
                k = min(room, len(word) - 3)
                rendered[k - 1] += "-\n"
                line = len(word) - k
            elif 0 < hyphen <= room:
                rendered[hyphen] += "\n"
                line = len(word) - hyphen - 1
            else:
                if pending_space is not None:
                    out[pending_space] = "\n"
                line = len(word)
        else:
            line += len(word) + (1 if pending_space is not None else 0)
        if rng.random() < ZERO_WIDTH_RATE:
            rendered[-1] += rng.choice(["\u200b", "\u200c", "\u200d"])
        out.extend(rendered)
        pending_space = None
        if token.whitespace_:
            pending_space = len(out)
            out.append("\u00a0" if rng.random() < NBSP_RATE else " ")
    starts = [0]
    for piece in out:
        starts.append(starts[-1] + len(piece))
    spans = {(starts[e.start_char], starts[e.end_char - 1] + 1, e.label_) for e in doc.ents}
    return "".join(out), spans


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


def score_gold_texts(nlp: Language, gold_texts: Sequence[GoldText], desc: str) -> PRF:
    """Run the pipeline on each text and score its entities by character offsets."""
    pred_docs = annotate(nlp, (text for text, _ in gold_texts), len(gold_texts), desc)
    score = PRF()
    for (text, gold), pred in zip(gold_texts, pred_docs, strict=True):
        if pred.text != text:
            raise ValueError(f"the pipeline changed the text: {text[:50]!r} / {pred.text[:50]!r}")
        score.add(gold, char_spans(pred))
    return score


def evaluate_raw_text(nlp: Language, gold_docs: Sequence[Doc]) -> Dict[str, Dict[str, float]]:
    """Scores of each variant of the gold documents' text."""
    return {
        name: score_gold_texts(nlp, [variant(doc, i) for i, doc in enumerate(gold_docs)], name).to_dict()
        for name, variant in VARIANTS.items()
    }


def read_user_sentences(path: Path) -> List[GoldText]:
    """Gold texts from JSONL lines `{"text": ..., "spans": [{"start", "end",
    "label"}]}` (character offsets)."""
    gold_texts = []
    for line in path.read_text(encoding="utf8").splitlines():
        if line.strip():
            record = json.loads(line)
            gold_texts.append((record["text"], {(s["start"], s["end"], s["label"]) for s in record["spans"]}))
    return gold_texts


def main(
    model: str = typer.Argument(..., help="Pipeline name or path"),
    data_path: Path = typer.Argument(..., help="DocBin with the gold test documents", exists=True, dir_okay=False),
    output_path: Path = typer.Argument(..., help="JSON file for the scores", dir_okay=False),
    user_sentences: Optional[Path] = typer.Option(
        None,
        "--user-sentences",
        help="JSONL of annotated sentences written outside the corpus",
        exists=True,
        dir_okay=False,
    ),
    gpu_id: int = typer.Option(-1, "--gpu-id", "-g", help="GPU id, or -1 for the CPU"),
):
    """Score a pipeline on the raw text of the test split and on its re-cased
    and normalised variants, entities matched by character offsets."""
    if gpu_id >= 0:
        spacy.require_gpu(gpu_id)
    nlp = spacy.load(model)
    gold_docs = list(DocBin().from_disk(data_path).get_docs(nlp.vocab))
    results = evaluate_raw_text(nlp, gold_docs)
    if user_sentences is not None:
        gold_texts = read_user_sentences(user_sentences)
        results["user_sentences"] = score_gold_texts(nlp, gold_texts, "user sentences").to_dict()
    msg.table(
        [
            (name, f"{s['p']:.4f}", f"{s['r']:.4f}", f"{s['f']:.4f}", s["tp"], s["fp"], s["fn"])
            for name, s in results.items()
        ],
        header=("text", "P", "R", "F", "TP", "FP", "FN"),
        divider=True,
    )
    output_path.parent.mkdir(parents=True, exist_ok=True)
    output_path.write_text(
        json.dumps({"model": str(model), "data": str(data_path), "scores": results}, indent=2) + "\n"
    )
    msg.good(f"Saved raw-text scores to {output_path}")


if __name__ == "__main__":
    typer.run(main)
