"""What `convert` prints: the size of each split, its entities per label,
the most frequent entity strings, and what reading repaired or skipped."""

from collections import Counter
from typing import Any, Dict, List, Sequence

from spacy.tokens import Doc
from wasabi import msg

from nerkit.corpus.reader import SPLITS
from nerkit.corpus.repairs import Repairs
from nerkit.pipeline_functions import PRIVATE_USE_PLACEHOLDER


def corpus_sizes(splits: Dict[str, Sequence[Doc]]) -> Dict[str, Dict[str, Any]]:
    """Tokens, sentences, documents and entities per label of each split (the
    summary here, the model card, the corpus benchmark)."""
    return {
        split: {
            "tokens": sum(len(doc) for doc in docs),
            # a document without sentence boundaries counts as one sentence
            "sentences": sum(len(list(doc.sents)) if doc.has_annotation("SENT_START") else 1 for doc in docs),
            "docs": len(docs),
            "entities": dict(sorted(Counter(ent.label_ for doc in docs for ent in doc.ents).items())),
        }
        for split, docs in splits.items()
    }


def print_summary(docs: Dict[str, List[Doc]], repairs: Repairs, top_n: int = 10) -> None:
    """Tokens, sentences, documents and entities per split and label, the most
    frequent entity strings, and every repair with its count."""
    sizes = corpus_sizes({split: docs[split] for split in SPLITS})
    labels = sorted({label for size in sizes.values() for label in size["entities"]})
    rows = [
        (split, size["tokens"], size["sentences"], size["docs"], *(size["entities"].get(label, 0) for label in labels))
        for split, size in sizes.items()
    ]
    entity_strings = Counter(ent.text for split in SPLITS for doc in docs[split] for ent in doc.ents)
    msg.table(rows, header=("split", "tokens", "sentences", "docs", *labels), divider=True)
    msg.text(
        "Most frequent entity strings: "
        + ", ".join(f"{text} ({count})" for text, count in entity_strings.most_common(top_n))
    )
    msg.text(
        f"Repairs: {repairs.orphan_i} 'I' without an open entity started a new one; "
        f"{repairs.normalized_tokens} tokens normalised "
        f"({repairs.private_use_tokens} with private-use glyphs -> '{PRIVATE_USE_PLACEHOLDER}')"
    )
    if repairs.stripped_tokens:
        msg.text(f"Stripped the whitespace around {repairs.stripped_tokens} tokens")
    if repairs.skipped_lines:
        msg.warn(
            f"Skipped {len(repairs.skipped_lines)} 'O' lines whose token is empty or holds whitespace: "
            + ", ".join(repairs.skipped_lines[:top_n])
            + (" ..." if len(repairs.skipped_lines) > top_n else "")
        )
    if repairs.dev_carved_from:
        msg.text(f"No dev file: the dev split was carved from {repairs.dev_carved_from} (contiguous blocks, 1 in 9)")
    if repairs.fragment_entities:
        msg.text(
            f"Dropped {sum(repairs.fragment_entities.values())} entities on line-break fragments: "
            + ", ".join(f"{text} ({count})" for text, count in repairs.fragment_entities.most_common(top_n))
        )
    for what, counts in (("Expanded", repairs.expanded_spans), ("Contracted", repairs.contracted_spans)):
        if counts:
            msg.text(
                f"{what} {sum(counts.values())} spans to token edges: "
                + ", ".join(f"{change} ({count})" for change, count in counts.most_common(top_n))
            )
    if repairs.skipped_answers:
        msg.text(
            f"Skipped {sum(repairs.skipped_answers.values())} records by their answer: "
            + ", ".join(f"{answer} ({count})" for answer, count in repairs.skipped_answers.most_common())
        )
    if repairs.examples:
        msg.text(
            "Most frequent normalisations: "
            + ", ".join(f"{change} ({count})" for change, count in repairs.examples.most_common(top_n))
        )
