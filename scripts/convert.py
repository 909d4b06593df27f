"""Convert an annotated NER corpus into train/dev/test DocBins: a file (token
per line, JSONL with character spans, a DocBin) split 80/10/10 by contiguous
blocks, or a folder that comes split. The same input always gives
byte-identical DocBins, the three replaced together (formats:
nerkit/corpus/reader.py, docs/corpus.md)."""

from enum import Enum
from pathlib import Path
from typing import Optional

import typer
from wasabi import msg

from nerkit.corpus.docbins import check_output_is_not_input, write_splits
from nerkit.corpus.reader import SPLITS, InputFormat, ReadOptions, read_corpus
from nerkit.corpus.repairs import FragmentEntities
from nerkit.corpus.spans import Misaligned
from nerkit.corpus.summary import print_summary
from nerkit.corpus.tags import LabelScheme
from nerkit.errors import exit_on_error


class TextForm(str, Enum):
    normalized = "normalized"
    raw = "raw"


def main(
    input_path: Path = typer.Argument(
        ..., help="Corpus file (token-per-line, JSONL with spans, .spacy) or folder with train/dev/test files"
    ),
    output_dir: Path = typer.Argument(..., help="Folder for train.spacy, dev.spacy, test.spacy", file_okay=False),
    label: Optional[str] = typer.Option(
        None, "--label", "-l", help="Entity type of untyped labels (B, I, L, U); typed labels keep theirs"
    ),
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
    """Convert an annotated corpus into train/dev/test DocBins."""
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
    with exit_on_error():
        check_output_is_not_input(input_path, output_dir)
        docs, repairs = read_corpus(input_path, options)
    write_splits(docs, output_dir)
    print_summary(docs, repairs)
    msg.good(f"Wrote {', '.join(f'{split}.spacy' for split in SPLITS)} to {output_dir}")


if __name__ == "__main__":
    typer.run(main)
