"""Convert a token-per-line NER corpus into train/dev/test DocBins.

The corpus is read by corpus_columns.py (the formats it takes are listed
there and in docs/corpus.md). Documents are split into train/dev/test by
contiguous blocks, so that no split sees the context of another. The same
input always gives byte-identical DocBins.
"""

from collections import Counter
from enum import Enum
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

import typer
from spacy.tokens import Doc, DocBin
from wasabi import msg

from atomic_files import write_atomic
from corpus_columns import FragmentEntities, LabelScheme, Repairs, read_documents
from corpus_files import CorpusError
from pipeline_functions import PRIVATE_USE_PLACEHOLDER

# Within each run of blocks: 8 train, 1 dev, 1 test (about 80/10/10).
SPLIT_PATTERN = ("train",) * 8 + ("dev", "test")
SPLITS = ("train", "dev", "test")


def assign_splits(n_docs: int, block_docs: int) -> List[str]:
    """The split of each document: contiguous blocks of block_docs documents
    take turns by SPLIT_PATTERN."""
    return [SPLIT_PATTERN[(i // block_docs) % len(SPLIT_PATTERN)] for i in range(n_docs)]


def check_splits(path: Path, splits: Sequence[str], block_docs: int, max_doc_tokens: int) -> None:
    empty = [split for split in SPLITS if split not in splits]
    if empty:
        raise CorpusError(
            path,
            0,
            f"too small for non-empty train/dev/test splits: {len(splits)} documents of at most {max_doc_tokens} "
            f"tokens in blocks of {block_docs} leave {', '.join(empty)} empty; it takes "
            f"{len(SPLIT_PATTERN)} blocks (--block-docs, --max-doc-tokens)",
        )


def convert(
    input_path: Path,
    entity_label: str = "TERM",
    normalize: bool = True,
    max_sent_tokens: int = 128,
    max_doc_tokens: int = 256,
    block_docs: int = 10,
    scheme: LabelScheme = LabelScheme.auto,
    fragment_entities: FragmentEntities = FragmentEntities.keep,
) -> Tuple[Dict[str, List[Doc]], Repairs]:
    """The documents of the input, split into train/dev/test."""
    documents, repairs = read_documents(
        input_path, entity_label, normalize, max_sent_tokens, max_doc_tokens, scheme, fragment_entities
    )
    splits = assign_splits(len(documents), block_docs)
    check_splits(input_path, splits, block_docs, max_doc_tokens)
    docs: Dict[str, List[Doc]] = {split: [] for split in SPLITS}
    for doc, split in zip(documents, splits, strict=True):
        docs[split].append(doc)
    return docs, repairs


def write_docbin_atomic(docs: Sequence[Doc], path: Path) -> None:
    """Write the documents as a DocBin, whole or not at all."""
    write_atomic(path, DocBin(docs=docs, store_user_data=False).to_bytes())


def print_report(docs: Dict[str, List[Doc]], repairs: Repairs, top_n: int = 10) -> None:
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
    if repairs.fragment_entities:
        msg.text(
            f"Dropped {sum(repairs.fragment_entities.values())} entities on line-break fragments: "
            + ", ".join(f"{text} ({count})" for text, count in repairs.fragment_entities.most_common(top_n))
        )
    if repairs.examples:
        msg.text(
            "Most frequent normalisations: "
            + ", ".join(f"{change} ({count})" for change, count in repairs.examples.most_common(top_n))
        )


class TextForm(str, Enum):
    normalized = "normalized"
    raw = "raw"


def main(
    input_path: Path = typer.Argument(..., help="Token-per-line file: token first, entity label last", dir_okay=False),
    output_dir: Path = typer.Argument(..., help="Folder for train.spacy, dev.spacy, test.spacy", file_okay=False),
    label: str = typer.Option("TERM", "--label", "-l", help="Entity type of untyped labels (B, I, L, U)"),
    label_format: LabelScheme = typer.Option(
        LabelScheme.auto, "--format", "-f", help="Label scheme: auto (BILUO if any L/U/E/S label), iob or biluo"
    ),
    text: TextForm = typer.Option(
        TextForm.normalized, "--text", help="normalized (NFKC, private-use glyphs -> placeholder) or raw"
    ),
    max_sent_tokens: int = typer.Option(128, help="Cut sentences longer than this"),
    max_doc_tokens: int = typer.Option(256, help="Most tokens in one document"),
    block_docs: int = typer.Option(10, help="Documents per contiguous split block"),
    fragment_entities: FragmentEntities = typer.Option(
        FragmentEntities.keep,
        "--fragment-entities",
        help="keep, or drop the single-token entities on line-break fragments (`tion` in `distribu- tion`)",
    ),
):
    """Convert a token-per-line NER file into train/dev/test DocBins (about
    80/10/10 by contiguous blocks)."""
    try:
        docs, repairs = convert(
            input_path,
            entity_label=label,
            normalize=text == TextForm.normalized,
            max_sent_tokens=max_sent_tokens,
            max_doc_tokens=max_doc_tokens,
            block_docs=block_docs,
            scheme=label_format,
            fragment_entities=fragment_entities,
        )
    except CorpusError as err:
        typer.echo(f"✘ {err}", err=True)  # one unwrapped line: file:line: problem
        raise typer.Exit(1) from None
    for split in SPLITS:
        write_docbin_atomic(docs[split], output_dir / f"{split}.spacy")
    print_report(docs, repairs)
    msg.good(f"Wrote {', '.join(f'{split}.spacy' for split in SPLITS)} to {output_dir}")


if __name__ == "__main__":
    typer.run(main)
