"""List suspicious content and annotations of the corpus, so a user can see
them before trusting the scores: line-break fragments (and those labelled as
entities), strings labelled both as an entity and not, entity strings seen once,
PDF private-use glyphs and ligatures, and texts found in more than one of
the converted splits (a leak: the test scores would be too good).

A token-per-line corpus is read as it is in the file; any other (JSONL,
DocBin, a split folder) through its converted documents.

The converter keeps every annotation as it is, but for entities on line-break
fragments with --fragment-entities drop (see README, "Data quality"): this
report shows what is in the file and says what the converter does with it.
"""

import unicodedata
from collections import Counter, defaultdict
from pathlib import Path
from typing import Dict, List, Optional, Sequence

from spacy.tokens import Doc
from spacy.training import tags_to_entities
from spacy.training.iob_utils import doc_to_biluo_tags

from nerkit.corpus.docbins import read_splits
from nerkit.corpus.reader import SPLITS, InputFormat, detect_format
from nerkit.corpus.repairs import (
    PDF_LIGATURES,
    Repairs,
    confirmed_fragments,
    line_break_fragments,
)
from nerkit.corpus.tags import LabelScheme, biluo_tags
from nerkit.corpus.token_lines import TokenStream, read_columns
from nerkit.pipeline_functions import is_private_use

LIGATURE_CHARS = "".join(ligature for _, ligature in PDF_LIGATURES)


def stream_of_docs(path: Path, docs: Sequence[Doc]) -> TokenStream:
    """The documents' tokens and BILUO labels as one stream, a document
    break before each document (its `line` is the document's number)."""
    stream = TokenStream(path)
    for number, doc in enumerate(docs, start=1):
        stream.document_breaks.add(len(stream.tokens))
        stream.tokens.extend(token.text for token in doc)
        stream.labels.extend(doc_to_biluo_tags(doc))
        stream.lines.extend([number] * len(doc))
    stream.document_breaks -= {0, len(stream.tokens)}
    stream.sentence_breaks = set(stream.document_breaks)
    return stream


def leaks(docs: Dict[str, List[Doc]], max_examples: int = 10) -> Dict:
    """Texts (whitespace aside) found in more than one split."""
    splits_of = defaultdict(set)
    for split, split_docs in docs.items():
        for doc in split_docs:
            splits_of[" ".join(doc.text.split())].add(split)
    leaked = {text: sorted(splits) for text, splits in splits_of.items() if len(splits) > 1}
    return {
        "texts_in_several_splits": len(leaked),
        "examples": [{"text": text[:200], "splits": splits} for text, splits in list(leaked.items())[:max_examples]],
    }


def context(tokens: Sequence[str], i: int, width: int = 6) -> str:
    return " ".join(tokens[max(0, i - width) : i]) + " [" + tokens[i] + "] " + " ".join(tokens[i + 1 : i + 1 + width])


def analyse(stream: TokenStream, entity_label: Optional[str] = None, max_examples: int = 10) -> Dict:
    tokens = stream.tokens
    repairs = Repairs()
    tags = biluo_tags(stream, entity_label, LabelScheme.auto, repairs)
    spans = [(start, end + 1) for _, start, end in tags_to_entities(tags)]
    entity_strings = Counter(" ".join(tokens[s:e]) for s, e in spans)
    in_entity = [False] * len(tokens)
    for s, e in spans:
        for i in range(s, e):
            in_entity[i] = True

    # Line-break fragments: "distribu- tion" -> the token after a word ending in "-"
    fragment_after = line_break_fragments(tokens)
    # those whose joined word occurs elsewhere: the converter's drop
    confirmed = confirmed_fragments(tokens)
    labelled_fragments = [i for i in confirmed if in_entity[i]]

    # Single-token entity strings also seen outside any entity
    outside = Counter(t for t, inside in zip(tokens, in_entity, strict=True) if not inside)
    both_ways = {
        text: {"as_entity": count, "not_entity": outside[text]}
        for text, count in entity_strings.most_common()
        if " " not in text and outside[text]
    }

    private_use = Counter(t for t in tokens if any(is_private_use(c) for c in t))
    ligatures = Counter(t for t in tokens if any(c in LIGATURE_CHARS for c in t))
    other_nfkc = Counter(
        t for t in tokens if unicodedata.normalize("NFKC", t) != t and t not in private_use and t not in ligatures
    )

    examples = defaultdict(list)
    for i in labelled_fragments[:max_examples]:
        examples["labelled_fragments"].append(context(tokens, i))
    for text in [t for t, c in entity_strings.items() if c == 1][:max_examples]:
        i = tokens.index(text.split()[0])
        examples["single_entities"].append(context(tokens, i))
    return {
        "tokens": len(tokens),
        "entities": len(spans),
        "distinct_entity_strings": len(entity_strings),
        "entity_strings": dict(entity_strings.most_common()),
        "line_break_fragments": len(fragment_after),
        "confirmed_line_break_fragments": len(confirmed),
        "line_break_fragments_labelled_as_entity": len(labelled_fragments),
        "labelled_fragment_strings": dict(Counter(tokens[i] for i in labelled_fragments).most_common()),
        "labelled_both_ways": both_ways,
        "entity_strings_seen_once": sorted(t for t, c in entity_strings.items() if c == 1),
        "private_use_tokens": sum(private_use.values()),
        "private_use_distinct_glyphs": len({c for t in private_use for c in t if is_private_use(c)}),
        "ligature_tokens": sum(ligatures.values()),
        "ligature_tokens_in_entities": sum(
            1 for t, inside in zip(tokens, in_entity, strict=True) if inside and any(c in LIGATURE_CHARS for c in t)
        ),
        "top_ligature_tokens": dict(ligatures.most_common(max_examples)),
        "other_nfkc_tokens": sum(other_nfkc.values()),
        "top_other_nfkc_tokens": dict(other_nfkc.most_common(max_examples)),
        "orphan_i": repairs.orphan_i,
        "examples": dict(examples),
    }


def analyse_corpus(input_path: Path, splits_dir: Path, entity_label: Optional[str] = None) -> Dict:
    """The findings of the corpus, and the leaks between its converted splits."""
    docs = read_splits(splits_dir)
    if input_path.is_file() and detect_format(input_path) == InputFormat.columns:
        stream = read_columns(input_path)
    else:
        stream = stream_of_docs(input_path, [doc for split in SPLITS for doc in docs[split]])
    return {**analyse(stream, entity_label), "leaks": leaks(docs)}
