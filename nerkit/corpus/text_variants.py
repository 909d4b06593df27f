"""The text of a gold document as users send it, with its entities moved
along: re-cased (sentence, title, upper case), NFKC-normalised, with the
PDF ligatures put back and as PDF/web text. Used by the training augmenters
and readers (nerkit/train/functions.py) and by the raw-text evaluation
(VARIANTS: each variant of the test text that raw_text.py scores)."""

import random
from typing import Callable, Dict, List, Optional, Sequence, Set, Tuple

from spacy.language import Language
from spacy.tokens import Doc

from nerkit.common.entities import CharSpan, char_spans
from nerkit.corpus.documents import rewrite_doc
from nerkit.corpus.repairs import PDF_LIGATURES
from nerkit.errors import OptionError
from nerkit.pipeline_functions import UNICODE_HYPHENS, nfkc_char


def sentence_case(words: Sequence[str], sent_starts: Sequence[bool]) -> List[str]:
    return [_capitalize(w) if start else w for w, start in zip(words, sent_starts, strict=True)]


def title_case(words: Sequence[str], sent_starts: Sequence[bool]) -> List[str]:
    return [_capitalize(w) for w in words]


def upper_case(words: Sequence[str], sent_starts: Sequence[bool]) -> List[str]:
    return [_same_length(w, w.upper()) for w in words]


def _capitalize(word: str) -> str:
    return _same_length(word, word[:1].upper() + word[1:])


def _same_length(word: str, cased: str) -> str:
    # "ß".upper() is "SS": a change of length would move every offset after it
    return cased if len(cased) == len(word) else word


CASE_VARIANTS = {"sentence": sentence_case, "title": title_case, "upper": upper_case}


def recase_doc(doc: Doc, variant: str) -> Doc:
    """A copy of `doc` re-cased by one of CASE_VARIANTS."""
    sent_starts = [bool(token.is_sent_start) for token in doc]
    return rewrite_doc(doc, CASE_VARIANTS[variant]([t.text for t in doc], sent_starts))


# a text and its gold entities by character offsets
GoldText = Tuple[str, Set[CharSpan]]

# PDF/web text: the book's line width, and how often each artefact occurs
PDF_LINE_WIDTH = 78
SOFT_HYPHEN_RATE = 0.03  # long words carrying a soft hyphen (web hyphenation hints)
ZERO_WIDTH_RATE = 0.01  # words followed by a zero-width space or joiner
NBSP_RATE = 0.03  # spaces that are non-breaking
UNICODE_HYPHEN_RATE = 0.5  # hyphenated words written with U+2010 or U+2011


def pdf_web_text(doc: Doc, seed: int, entity_space_rate: float = 0.0) -> GoldText:
    """The document's text as it comes out of a PDF or a web page, with the
    gold entities moved to their new offsets: lines of PDF_LINE_WIDTH
    characters, long words hyphenated across the line break (a hyphenated
    word breaks after its own hyphen), soft hyphens, zero-width characters,
    Unicode hyphens and non-breaking spaces at the rates above. With
    `entity_space_rate`, that share of the spaces inside entities also
    becomes a non-breaking space or a line break (for training: entities
    of several words are rare)."""
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
            inside_entity = token.i + 1 < len(doc) and doc[token.i + 1].ent_iob_ == "I"
            if entity_space_rate and inside_entity and rng.random() < entity_space_rate:
                out[pending_space] = rng.choice(["\u00a0", "\n"])
                line = 0 if out[pending_space] == "\n" else line
    starts = [0]
    for piece in out:
        starts.append(starts[-1] + len(piece))
    spans = {(starts[e.start_char], starts[e.end_char - 1] + 1, e.label_) for e in doc.ents}
    return "".join(out), spans


def pdf_web_doc(nlp: Language, reference: Doc, seed: int, entity_space_rate: float = 0.0) -> Optional[Doc]:
    """`reference` rewritten as PDF/web text (`pdf_web_text`), tokenized by
    the pipeline and annotated with the moved entities; None where an entity
    no longer falls on token boundaries."""
    text, spans = pdf_web_text(reference, seed, entity_space_rate)
    doc = nlp.make_doc(text)
    ents = [doc.char_span(start, end, label=label) for start, end, label in sorted(spans)]
    if any(ent is None for ent in ents):
        return None
    doc.ents = ents
    return doc


def nfkc(doc: Doc) -> Doc:
    return rewrite_doc(doc, ["".join(nfkc_char(char) for char in token.text) for token in doc])


def pdf_ligatures(doc: Doc) -> Doc:
    words = []
    for token in doc:
        word = token.text
        for plain, ligature in PDF_LIGATURES:
            word = word.replace(plain, ligature)
        words.append(word)
    return rewrite_doc(doc, words)


def gold_text(doc: Doc) -> GoldText:
    return doc.text, char_spans(doc)


# The variants of the test text that the raw-text evaluation scores: each
# takes a gold document and its index (the seed of the PDF/web rendering)
VARIANTS: Dict[str, Callable[[Doc, int], GoldText]] = {
    "as_converted": lambda doc, i: gold_text(doc),
    "sentence_case": lambda doc, i: gold_text(recase_doc(doc, "sentence")),
    "title_case": lambda doc, i: gold_text(recase_doc(doc, "title")),
    "upper_case": lambda doc, i: gold_text(recase_doc(doc, "upper")),
    "nfkc": lambda doc, i: gold_text(nfkc(doc)),
    "pdf_ligatures": lambda doc, i: gold_text(pdf_ligatures(doc)),
    "pdf_web": pdf_web_text,
}


def parse_text_variants(value: str) -> List[str]:
    """`--variants` (comma-separated names of VARIANTS, as a project var
    gives them); an unknown name is an OptionError."""
    chosen = [name for name in value.split(",") if name]
    unknown = sorted(set(chosen) - set(VARIANTS))
    if unknown:
        raise OptionError(f"unknown text variants {', '.join(unknown)}; known: {', '.join(VARIANTS)}")
    return chosen
