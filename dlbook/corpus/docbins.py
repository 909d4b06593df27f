"""The converted corpus on disk: one DocBin per split, each written whole or
not at all."""

from pathlib import Path
from typing import Dict, Sequence

from spacy.tokens import Doc, DocBin

from dlbook.common.atomic_files import write_atomic
from dlbook.corpus.reader import SPLITS


def write_docbin_atomic(docs: Sequence[Doc], path: Path) -> None:
    """Write the documents as a DocBin, whole or not at all."""
    write_atomic(path, DocBin(docs=docs, store_user_data=False).to_bytes())


def write_splits(docs: Dict[str, Sequence[Doc]], output_dir: Path) -> None:
    """train.spacy, dev.spacy and test.spacy in `output_dir`."""
    for split in SPLITS:
        write_docbin_atomic(docs[split], output_dir / f"{split}.spacy")
