"""Convert an annotated NER corpus into train/dev/test DocBins.

The corpus is read by corpus_reader.py: a token-per-line file, a JSONL file
with character spans or a DocBin, split by contiguous blocks, or a folder
that comes split into train/dev/test files (the formats are listed there and
in docs/corpus.md). The same input always gives byte-identical DocBins.
"""

from collections import Counter
from enum import Enum
from pathlib import Path
from typing import Dict, List, Sequence

import typer
from spacy.tokens import Doc, DocBin
from wasabi import msg

from atomic_files import write_atomic
from corpus_columns import FragmentEntities, LabelScheme, Repairs
from corpus_files import CorpusError
from corpus_reader import SPLITS, InputFormat, ReadOptions, read_corpus
from corpus_spans import Misaligned
from pipeline_functions import PRIVATE_USE_PLACEHOLDER


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


class TextForm(str, Enum):
    normalized = "normalized"
    raw = "raw"


def main(
    input_path: Path = typer.Argument(
        ..., help="Corpus file (token-per-line, JSONL with spans, .spacy) or folder with train/dev/test files"
    ),
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
    input_format: InputFormat = typer.Option(
        InputFormat.auto, "--input-format", help="auto (by name or first line), columns, jsonl or docbin"
    ),
    misaligned: Misaligned = typer.Option(
        Misaligned.error, "--misaligned", help="A JSONL span inside a token: error, expand or contract to token edges"
    ),
):
    """Convert an annotated corpus into train/dev/test DocBins (a file: about
    80/10/10 by contiguous blocks; a folder: its train/dev/test files)."""
    options = ReadOptions(
        entity_label=label,
        normalize=text == TextForm.normalized,
        max_sent_tokens=max_sent_tokens,
        max_doc_tokens=max_doc_tokens,
        block_docs=block_docs,
        scheme=label_format,
        fragment_entities=fragment_entities,
        input_format=input_format,
        misaligned=misaligned,
    )
    try:
        docs, repairs = read_corpus(input_path, options)
    except CorpusError as err:
        typer.echo(f"✘ {err}", err=True)  # one unwrapped line: file:line: problem
        raise typer.Exit(1) from None
    for split in SPLITS:
        write_docbin_atomic(docs[split], output_dir / f"{split}.spacy")
    print_report(docs, repairs)
    msg.good(f"Wrote {', '.join(f'{split}.spacy' for split in SPLITS)} to {output_dir}")


if __name__ == "__main__":
    typer.run(main)
