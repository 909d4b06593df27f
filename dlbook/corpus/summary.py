"""What `convert` prints: the size of each split, its entities per label,
the most frequent entity strings, and what reading repaired or skipped."""

from collections import Counter
from typing import Dict, List

from spacy.tokens import Doc
from wasabi import msg

from dlbook.corpus.reader import SPLITS
from dlbook.corpus.repairs import Repairs
from dlbook.pipeline_functions import PRIVATE_USE_PLACEHOLDER


def print_summary(docs: Dict[str, List[Doc]], repairs: Repairs, top_n: int = 10) -> None:
    """Tokens, sentences, documents and entities per split and label, the most
    frequent entity strings, and every repair with its count."""
    labels = sorted({ent.label_ for split_docs in docs.values() for doc in split_docs for ent in doc.ents})
    rows = []
    entity_strings: Counter = Counter()
    for split in SPLITS:
        split_docs = docs[split]
        per_label = Counter(ent.label_ for doc in split_docs for ent in doc.ents)
        rows.append(
            (
                split,
                sum(len(doc) for doc in split_docs),
                sum(len(list(doc.sents)) for doc in split_docs),
                len(split_docs),
                *(per_label[label] for label in labels),
            )
        )
        entity_strings.update(ent.text for doc in split_docs for ent in doc.ents)
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
