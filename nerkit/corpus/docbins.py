"""The converted corpus on disk: one DocBin per split, the three replaced
together (all written before any is renamed into place), and read back."""

from pathlib import Path
from typing import Dict, List, Sequence

from spacy.tokens import Doc, DocBin

from nerkit.common.atomic_files import replace_together
from nerkit.corpus.reader import SPLITS, read_docbin
from nerkit.errors import CorpusError


def docbin_bytes(docs: Sequence[Doc]) -> bytes:
    return DocBin(docs=docs, store_user_data=False).to_bytes()


def split_paths(output_dir: Path) -> Dict[str, Path]:
    return {split: output_dir / f"{split}.spacy" for split in SPLITS}


def write_splits(docs: Dict[str, Sequence[Doc]], output_dir: Path) -> None:
    """train.spacy, dev.spacy and test.spacy in `output_dir`, replaced together."""
    paths = split_paths(output_dir)
    replace_together({paths[split]: docbin_bytes(docs[split]) for split in SPLITS}, durable=True)


def check_output_is_not_input(input_path: Path, output_dir: Path) -> None:
    """Refuse to write the splits over the corpus they are read from: a
    DocBin given as the corpus, or the folder of a corpus that comes split."""
    source = input_path.resolve()
    outputs = {path.resolve() for path in split_paths(output_dir).values()}
    if source in outputs or (input_path.is_dir() and source == output_dir.resolve()):
        raise CorpusError(input_path, 0, f"the corpus is read from where {output_dir} would write the splits")


def read_splits(splits_dir: Path) -> Dict[str, List[Doc]]:
    """The converted train, dev and test DocBins in `splits_dir`."""
    docs = {}
    for split in SPLITS:
        path = splits_dir / f"{split}.spacy"
        if not path.is_file():
            raise CorpusError(path, 0, "converted split not found: run convert first")
        docs[split] = read_docbin(path)
    return docs
