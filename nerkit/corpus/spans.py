"""Read a JSONL corpus with character-offset spans into documents.

One JSON object a line, its text under `"text"` and its entities in one of
the shapes annotation tools export:

- `"spans": [{"start", "end", "label"}]` (Prodigy; a record whose
  `"answer"` is not `"accept"` is skipped and counted);
- `"label": [[start, end, "LABEL"], ...]` (doccano);
- `"entities": [[start, end, "LABEL"], ...]` or
  `[{"start_offset", "end_offset", "label"}]` (doccano and similar).

A record without any of them has no entities. The text is cut into tokens
by the pipeline's own tokenizer; a span whose edges fall inside a token is
an error, or is expanded or contracted to token edges (spaCy's `char_span`
alignment modes), each counted. Overlapping spans, spans outside the text,
empty or whitespace-edged spans and labels that are not strings are errors
naming the file and line.
"""

import json
from enum import Enum
from pathlib import Path
from typing import Any, Iterable, List, Optional, Tuple

import spacy
from spacy.language import Language
from spacy.pipeline import Sentencizer
from spacy.tokens import Doc

from nerkit.common.entities import CharSpan
from nerkit.corpus.documents import rewrite_doc
from nerkit.corpus.files import read_lines
from nerkit.corpus.repairs import Repairs, normalize_tokens
from nerkit.errors import CorpusError

SPAN_KEYS = ("spans", "label", "entities")
SENTENCIZER = Sentencizer()


class Misaligned(str, Enum):
    error = "error"
    expand = "expand"
    contract = "contract"


def pipeline_tokenizer(lang: str = "en") -> Language:
    """A blank pipeline with the tokenizer of the project's configs."""
    return spacy.blank(lang, config={"nlp": {"tokenizer": {"@tokenizers": "nerkit.normalizing_tokenizer.v1"}}})


def record_spans(path: Path, number: int, record: dict) -> List[CharSpan]:
    """The (start, end, label) of a record's entities, checked against its
    text and sorted; raises CorpusError on the first bad one."""
    text = record["text"]
    keys = [key for key in SPAN_KEYS if key in record]
    if len(keys) > 1:
        raise CorpusError(path, number, f"entities under both {keys[0]!r} and {keys[1]!r}: use one")
    items = record[keys[0]] if keys else []
    if items is None:
        items = []
    if not isinstance(items, list):
        raise CorpusError(path, number, f"{keys[0]!r} must be a list of spans, found {type(items).__name__}")
    spans = sorted(span_of(path, number, item) for item in items)
    for start, end, label in spans:
        if start < 0 or end > len(text):
            raise CorpusError(
                path, number, f"span {start}-{end} ({label}) is outside the text of {len(text)} characters"
            )
        if start >= end:
            raise CorpusError(path, number, f"span {start}-{end} ({label}) is empty")
        if text[start].isspace() or text[end - 1].isspace():
            raise CorpusError(
                path, number, f"span {start}-{end} ({label}) {text[start:end]!r} starts or ends with a space"
            )
    for (start, end, label), (next_start, next_end, next_label) in zip(spans, spans[1:], strict=False):
        if next_start < end:
            raise CorpusError(
                path,
                number,
                f"spans {start}-{end} ({label}) {text[start:end]!r} and {next_start}-{next_end} ({next_label}) "
                f"{text[next_start:next_end]!r} overlap",
            )
    return spans


def span_of(path: Path, number: int, item: Any) -> CharSpan:
    if isinstance(item, dict):
        start = item.get("start", item.get("start_offset"))
        end = item.get("end", item.get("end_offset"))
        label = item.get("label")
    elif isinstance(item, list) and len(item) == 3:
        start, end, label = item
    else:
        raise CorpusError(
            path, number, f"a span must be [start, end, label] or an object with start, end, label: {item!r}"
        )
    if not all(isinstance(offset, int) and not isinstance(offset, bool) for offset in (start, end)):
        raise CorpusError(path, number, f"span offsets must be integers: {item!r}")
    if not isinstance(label, str) or not label.strip():
        raise CorpusError(path, number, f"span label must be a non-empty string: {item!r}")
    return start, end, label


def records(path: Path) -> Iterable[Tuple[int, dict]]:
    """(line number, record) of each non-blank line."""
    for number, line in enumerate(read_lines(path), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            raise CorpusError(path, number, f"not JSON: {err.msg} at column {err.colno}") from None
        if not isinstance(record, dict):
            raise CorpusError(path, number, f"expected a JSON object, found {type(record).__name__}")
        if not isinstance(record.get("text"), str):
            raise CorpusError(path, number, 'expected the text as a string under "text"')
        yield number, record


def aligned_doc(
    nlp: Language, path: Path, number: int, text: str, spans: List[CharSpan], misaligned: Misaligned, repairs: Repairs
) -> Doc:
    """The record's text tokenized by `nlp`, with its spans as entities
    aligned to token edges as `misaligned` says, and sentences set.
    nlp: the tokenizer; path, number: the file and line (for errors); text,
    spans: the record's text and entities; misaligned: what a span inside a
    token becomes; repairs: where expanded and contracted spans are counted."""
    doc = nlp.make_doc(text)
    ents = []
    for start, end, label in spans:
        span = doc.char_span(start, end, label=label)
        if span is None:
            if misaligned == Misaligned.error:
                tokens = [t.text for t in doc if t.idx < end and t.idx + len(t) > start]
                raise CorpusError(
                    path,
                    number,
                    f"span {start}-{end} ({label}) {text[start:end]!r} does not fall on token edges (tokens "
                    f"{tokens}): --misaligned expand or contract",
                )
            span = doc.char_span(start, end, label=label, alignment_mode=misaligned.value)
            if span is None:
                raise CorpusError(
                    path, number, f"span {start}-{end} ({label}) {text[start:end]!r} contracts to nothing"
                )
            counts = repairs.expanded_spans if misaligned == Misaligned.expand else repairs.contracted_spans
            counts[f"{text[start:end]!r} -> {span.text!r}"] += 1
        ents.append(span)
    try:
        doc.ents = ents
    except ValueError:  # two spans aligned onto the same token
        raise CorpusError(path, number, f"spans overlap once aligned to tokens: {[e.text for e in ents]}") from None
    return set_sentences(doc)


def set_sentences(doc: Doc) -> Doc:
    """Sentence starts by spaCy's sentencizer, never inside an entity (the
    converted token corpora have sentences; the text variants use them)."""
    SENTENCIZER(doc)
    for ent in doc.ents:
        for token in ent[1:]:
            token.is_sent_start = False
    return doc


def read_span_documents(
    path: Path,
    normalize: bool = True,
    misaligned: Misaligned = Misaligned.error,
    nlp: Optional[Language] = None,
    repairs: Optional[Repairs] = None,
) -> Tuple[List[Doc], Repairs]:
    """A document per accepted record, in file order."""
    nlp = nlp or pipeline_tokenizer()
    repairs = repairs if repairs is not None else Repairs()
    docs = []
    for number, record in records(path):
        answer = record.get("answer", "accept")
        if answer != "accept":
            repairs.skipped_answers[str(answer)] += 1
            continue
        doc = aligned_doc(nlp, path, number, record["text"], record_spans(path, number, record), misaligned, repairs)
        if normalize:
            doc = rewrite_doc(doc, normalize_tokens([t.text for t in doc], repairs), nlp.vocab)
        docs.append(doc)
    if not docs:
        raise CorpusError(path, 0, "no accepted records")
    return docs, repairs
