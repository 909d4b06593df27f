"""Read an annotated corpus in any accepted format into train/dev/test
documents.

- A token-per-line file (TSV or CoNLL columns; columns.py), a JSONL
  file with character-offset spans (spans.py) or a spaCy DocBin
  (`.spacy`, taken as it is): its documents are split 80/10/10 by
  contiguous blocks, so that no split sees the context of another.
- A folder that comes split: `train.*`, `dev.*` (or `valid.*`,
  `validation.*`) and `test.*`, each in any of those formats: every split is
  kept as given, never re-split or mixed. A folder without a dev file (many
  datasets ship train and test only) has its dev split carved from train by
  contiguous blocks (one in DEV_FROM_TRAIN); test stays as given.

The format of a file is told by its name (`.jsonl`, `.spacy`) or its first
line (a JSON object), or named with `input_format`.
"""

from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

from spacy.tokens import Doc, DocBin
from spacy.vocab import Vocab

from nerkit.corpus.columns import LabelScheme, read_documents
from nerkit.corpus.repairs import FragmentEntities, Repairs
from nerkit.corpus.spans import Misaligned, read_span_documents
from nerkit.errors import CorpusError

# Within each run of blocks: 8 train, 1 dev, 1 test (about 80/10/10).
SPLIT_PATTERN = ("train",) * 8 + ("dev", "test")
SPLITS = ("train", "dev", "test")
SPLIT_FILE_NAMES = {"train": ("train",), "dev": ("dev", "valid", "validation"), "test": ("test",)}
# A train file without a dev file beside it: one block in 9 goes to dev
# (about the 80/10 of SPLIT_PATTERN)
DEV_FROM_TRAIN = 9


class InputFormat(str, Enum):
    auto = "auto"
    columns = "columns"
    jsonl = "jsonl"
    docbin = "docbin"


@dataclass
class ReadOptions:
    """How to read a corpus; the defaults are the converter's."""

    entity_label: Optional[str] = None  # the type of untyped labels (B, I); typed labels keep theirs
    normalize: bool = True
    max_sent_tokens: int = 128
    max_doc_tokens: int = 256
    block_docs: int = 10
    scheme: LabelScheme = LabelScheme.auto
    fragment_entities: FragmentEntities = FragmentEntities.keep
    input_format: InputFormat = InputFormat.auto
    misaligned: Misaligned = Misaligned.error


def detect_format(path: Path) -> InputFormat:
    if path.suffix == ".spacy":
        return InputFormat.docbin
    if path.suffix in (".jsonl", ".ndjson"):
        return InputFormat.jsonl
    with path.open("rb") as lines:  # the first non-blank line only
        first = next((line.strip() for line in lines if line.strip()), b"")
    return InputFormat.jsonl if first.removeprefix(b"\xef\xbb\xbf").startswith(b"{") else InputFormat.columns


def read_docbin(path: Path) -> List[Doc]:
    try:
        docs = list(DocBin().from_disk(path).get_docs(Vocab()))
    except Exception as err:  # srsly/msgpack say little more than "not a DocBin"
        raise CorpusError(path, 0, f"not a spaCy DocBin: {err}") from None
    if not docs:
        raise CorpusError(path, 0, "the DocBin holds no documents")
    return docs


def read_file(path: Path, options: ReadOptions, repairs: Repairs) -> List[Doc]:
    """The documents of one corpus file, in order."""
    if not path.is_file():
        raise CorpusError(path, 0, "file not found")
    input_format = detect_format(path) if options.input_format == InputFormat.auto else options.input_format
    if input_format == InputFormat.docbin:
        return read_docbin(path)
    if input_format == InputFormat.jsonl:
        return read_span_documents(path, options.normalize, options.misaligned, repairs=repairs)[0]
    return read_documents(
        path,
        options.entity_label,
        options.normalize,
        options.max_sent_tokens,
        options.max_doc_tokens,
        options.scheme,
        options.fragment_entities,
        repairs,
    )[0]


def split_files(folder: Path) -> Dict[str, Path]:
    """The train, dev and test file of a folder that comes split (no dev
    entry where the folder has no dev file)."""
    files = {}
    for split, names in SPLIT_FILE_NAMES.items():
        found = sorted(p for p in folder.iterdir() if p.is_file() and p.name.split(".")[0] in names)
        if split == "dev" and not found:
            continue
        if len(found) != 1:
            what = f"{len(found)}: {', '.join(p.name for p in found)}" if found else "none"
            raise CorpusError(
                folder,
                0,
                f"a corpus that comes split needs one {split} file ({' or '.join(f'{n}.*' for n in names)}), "
                f"found {what}",
            )
        files[split] = found[0]
    return files


def assign_splits(n_docs: int, block_docs: int) -> List[str]:
    """The split of each document: contiguous blocks of block_docs documents
    take turns by SPLIT_PATTERN."""
    return [SPLIT_PATTERN[(i // block_docs) % len(SPLIT_PATTERN)] for i in range(n_docs)]


def carve_dev(train: Sequence[Doc], block_docs: int) -> Tuple[List[Doc], List[Doc]]:
    """Train and dev documents from a train file: contiguous blocks of
    block_docs documents, every DEV_FROM_TRAIN-th block to dev."""
    kept: List[Doc] = []
    dev: List[Doc] = []
    for i, doc in enumerate(train):
        (dev if (i // block_docs) % DEV_FROM_TRAIN == DEV_FROM_TRAIN - 1 else kept).append(doc)
    return kept, dev


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


def read_corpus(path: Path, options: ReadOptions = ReadOptions()) -> Tuple[Dict[str, List[Doc]], Repairs]:
    """The documents of each split, and what reading repaired or skipped."""
    repairs = Repairs()
    if path.is_dir():
        files = split_files(path)
        docs = {split: read_file(file, options, repairs) for split, file in files.items()}
        if "dev" not in files:
            docs["train"], docs["dev"] = carve_dev(docs["train"], options.block_docs)
            repairs.dev_carved_from = files["train"].name
            if not docs["dev"]:
                raise CorpusError(
                    files["train"],
                    0,
                    f"no dev file, and too few documents to carve a dev split from train: {len(docs['train'])} "
                    f"documents in blocks of {options.block_docs} (--block-docs)",
                )
        return {split: docs[split] for split in SPLITS}, repairs
    documents = read_file(path, options, repairs)
    splits = assign_splits(len(documents), options.block_docs)
    check_splits(path, splits, options.block_docs, options.max_doc_tokens)
    docs: Dict[str, List[Doc]] = {split: [] for split in SPLITS}
    for doc, split in zip(documents, splits, strict=True):
        docs[split].append(doc)
    return docs, repairs
