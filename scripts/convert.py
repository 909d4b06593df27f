"""Convert the term-annotated token stream (one `token<TAB>B|I|O` per line)
into train/dev/test DocBins.

The stream has no sentence or document breaks: sentences end after `.`, `?`
or `!` (or after --max-sent-tokens tokens), sentences are grouped into
documents of at most --max-doc-tokens tokens, and documents are split into
train/dev/test by contiguous blocks of the book, so that no split sees the
context of another. The same input always gives byte-identical DocBins.
"""

import os
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

import typer
from spacy.tokens import Doc, DocBin, Span
from spacy.vocab import Vocab
from tqdm import tqdm
from wasabi import msg

from functions import PRIVATE_USE_PLACEHOLDER, normalize_text

LABELS = ("B", "I", "O")
SENT_END = {".", "?", "!"}
# Detokenization: no space before closing punctuation, none after opening.
NO_SPACE_BEFORE = {".", ",", ";", ":", "?", "!", ")", "]", "}", "%"}
NO_SPACE_AFTER = {"(", "[", "{"}
# Within each run of blocks: 8 train, 1 dev, 1 test (about 80/10/10).
SPLIT_PATTERN = ("train",) * 8 + ("dev", "test")
SPLITS = ("train", "dev", "test")


class CorpusError(ValueError):
    """Bad input, with the file and line it was found at."""

    def __init__(self, path: Path, line: int, problem: str):
        super().__init__(f"{path}:{line}: {problem}")


@dataclass
class Repairs:
    orphan_i: int = 0
    normalized_tokens: int = 0
    private_use_tokens: int = 0
    examples: Counter = field(default_factory=Counter)


def read_tsv(path: Path) -> List[Tuple[str, str]]:
    """Read `token<TAB>label` lines; raise CorpusError on the first bad one."""
    if not path.is_file():
        raise CorpusError(path, 0, "file not found")
    raw = path.read_bytes()
    if not raw.strip():
        raise CorpusError(path, 0, "file is empty")
    lines = raw.split(b"\n")
    if lines[-1] == b"":
        lines.pop()
    rows = []
    for number, line_bytes in enumerate(lines, start=1):
        try:
            line = line_bytes.decode("utf8")
        except UnicodeDecodeError as err:
            raise CorpusError(path, number, f"invalid UTF-8 at byte {err.start} of the line") from None
        line = line.rstrip("\r")
        if line.count("\t") != 1:
            raise CorpusError(
                path,
                number,
                f"expected 'token<TAB>label' with exactly one tab, found {line.count(chr(9))} in {line[:60]!r}",
            )
        token, label = line.split("\t")
        if not token or any(ch.isspace() for ch in token):
            raise CorpusError(path, number, f"empty token or token with whitespace: {token!r}")
        if label not in LABELS:
            raise CorpusError(path, number, f"unknown label {label!r} (expected one of B, I, O)")
        rows.append((token, label))
    return rows


def normalize_token(token: str) -> str:
    """The token as the models read it (functions.normalize_text: NFKC,
    ligatures `ﬁ` -> `fi`, private-use glyphs -> placeholder); a token that
    would vanish (only invisible characters) is kept as it is."""
    return normalize_text(token) or token


def segment(tokens: Sequence[str], labels: Sequence[str], max_sent_tokens: int) -> List[Tuple[int, int]]:
    """Sentence boundaries as (start, end) token offsets. A boundary never
    falls before an `I`, so no entity is cut."""
    sentences = []
    start = 0
    for i, token in enumerate(tokens):
        end = i + 1
        next_is_inside = end < len(labels) and labels[end] == "I"
        if next_is_inside:
            continue
        if token in SENT_END or end - start >= max_sent_tokens:
            sentences.append((start, end))
            start = end
    if start < len(tokens):
        sentences.append((start, len(tokens)))
    return sentences


def group_documents(sentences: Sequence[Tuple[int, int]], max_doc_tokens: int) -> List[List[Tuple[int, int]]]:
    """Pack consecutive sentences into documents of at most max_doc_tokens
    tokens (a longer sentence makes a document of its own)."""
    docs: List[List[Tuple[int, int]]] = []
    current: List[Tuple[int, int]] = []
    size = 0
    for start, end in sentences:
        if current and size + (end - start) > max_doc_tokens:
            docs.append(current)
            current, size = [], 0
        current.append((start, end))
        size += end - start
    if current:
        docs.append(current)
    return docs


def assign_splits(n_docs: int, block_docs: int) -> List[str]:
    """The split of each document: contiguous blocks of block_docs documents
    take turns by SPLIT_PATTERN."""
    return [SPLIT_PATTERN[(i // block_docs) % len(SPLIT_PATTERN)] for i in range(n_docs)]


def spaces_for(words: Sequence[str]) -> List[bool]:
    spaces = []
    for word, next_word in zip(words, list(words[1:]) + [None], strict=True):
        spaces.append(next_word is not None and word not in NO_SPACE_AFTER and next_word not in NO_SPACE_BEFORE)
    return spaces


def bio_to_spans(labels: Sequence[str], repairs: Repairs) -> List[Tuple[int, int]]:
    """(start, end) token offsets of entities. An `I` with no open entity
    starts one (counted as a repair)."""
    spans = []
    start = None
    for i, label in enumerate(list(labels) + ["O"]):
        if label == "I" and start is None:
            repairs.orphan_i += 1
            start = i
        elif label in ("B", "O"):
            if start is not None:
                spans.append((start, i))
                start = None
            if label == "B":
                start = i
    return spans


def make_doc(
    vocab: Vocab,
    words: Sequence[str],
    labels: Sequence[str],
    sentences: Sequence[Tuple[int, int]],
    entity_label: str,
    repairs: Repairs,
) -> Doc:
    offset = sentences[0][0]
    sent_starts = [False] * len(words)
    for start, _ in sentences:
        sent_starts[start - offset] = True
    doc = Doc(vocab, words=list(words), spaces=spaces_for(words), sent_starts=sent_starts)
    doc.ents = [Span(doc, s, e, label=entity_label) for s, e in bio_to_spans(labels, repairs)]
    return doc


def convert(
    input_path: Path,
    entity_label: str = "TERM",
    normalize: bool = True,
    max_sent_tokens: int = 128,
    max_doc_tokens: int = 256,
    block_docs: int = 10,
) -> Tuple[Dict[str, List[Doc]], Repairs]:
    """Read and check the whole input, then build the documents of each split."""
    rows = read_tsv(input_path)
    repairs = Repairs()
    tokens = []
    for token, _ in rows:
        if normalize:
            normal = normalize_token(token)
            if normal != token:
                repairs.normalized_tokens += 1
                repairs.examples[f"{token!r} -> {normal!r}"] += 1
                if PRIVATE_USE_PLACEHOLDER in normal:
                    repairs.private_use_tokens += 1
            token = normal
        tokens.append(token)
    labels = [label for _, label in rows]
    sentences = segment(tokens, labels, max_sent_tokens)
    documents = group_documents(sentences, max_doc_tokens)
    splits = assign_splits(len(documents), block_docs)
    vocab = Vocab()
    docs: Dict[str, List[Doc]] = {split: [] for split in SPLITS}
    for doc_sents, split in zip(tqdm(documents, desc="documents", unit="doc", disable=None), splits, strict=True):
        start, end = doc_sents[0][0], doc_sents[-1][1]
        doc = make_doc(vocab, tokens[start:end], labels[start:end], doc_sents, entity_label, repairs)
        docs[split].append(doc)
    return docs, repairs


def write_docbin_atomic(docs: Sequence[Doc], path: Path) -> None:
    """Write to a temporary file beside `path`, then rename it into place, so
    an interrupted run never leaves a half-written DocBin."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = DocBin(docs=docs, store_user_data=False).to_bytes()
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as tmp_file:
            tmp_file.write(data)
        os.chmod(tmp_name, 0o666 & ~_umask())
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def print_report(docs: Dict[str, List[Doc]], repairs: Repairs, top_n: int = 10) -> None:
    rows = []
    entity_strings: Counter = Counter()
    for split in SPLITS:
        split_docs = docs[split]
        n_ents = sum(len(doc.ents) for doc in split_docs)
        rows.append(
            (
                split,
                sum(len(doc) for doc in split_docs),
                sum(len(list(doc.sents)) for doc in split_docs),
                len(split_docs),
                n_ents,
            )
        )
        entity_strings.update(ent.text for doc in split_docs for ent in doc.ents)
    msg.table(rows, header=("split", "tokens", "sentences", "docs", "entities"), divider=True)
    msg.text(
        "Most frequent entity strings: "
        + ", ".join(f"{text} ({count})" for text, count in entity_strings.most_common(top_n))
    )
    msg.text(
        f"Repairs: {repairs.orphan_i} 'I' without an open entity started a new one; "
        f"{repairs.normalized_tokens} tokens normalised "
        f"({repairs.private_use_tokens} with private-use glyphs -> '{PRIVATE_USE_PLACEHOLDER}')"
    )
    if repairs.examples:
        msg.text(
            "Most frequent normalisations: "
            + ", ".join(f"{change} ({count})" for change, count in repairs.examples.most_common(top_n))
        )


def main(
    input_path: Path = typer.Argument(..., help="TSV file: token<TAB>B|I|O per line", dir_okay=False),
    output_dir: Path = typer.Argument(..., help="Folder for train.spacy, dev.spacy, test.spacy", file_okay=False),
    label: str = typer.Option("TERM", "--label", "-l", help="Entity label for B/I spans"),
    normalize: bool = typer.Option(
        True, "--normalize/--keep-raw", help="NFKC tokens (ligatures) and replace private-use glyphs"
    ),
    max_sent_tokens: int = typer.Option(128, help="Cut sentences longer than this"),
    max_doc_tokens: int = typer.Option(256, help="Most tokens in one document"),
    block_docs: int = typer.Option(10, help="Documents per contiguous split block"),
):
    """Convert the TSV token stream into train/dev/test DocBins (about 80/10/10
    by contiguous blocks of the book)."""
    try:
        docs, repairs = convert(input_path, label, normalize, max_sent_tokens, max_doc_tokens, block_docs)
    except CorpusError as err:
        typer.echo(f"✘ {err}", err=True)  # one unwrapped line: file:line: problem
        raise typer.Exit(1) from None
    for split in SPLITS:
        write_docbin_atomic(docs[split], output_dir / f"{split}.spacy")
    print_report(docs, repairs)
    msg.good(f"Wrote {', '.join(f'{split}.spacy' for split in SPLITS)} to {output_dir}")


if __name__ == "__main__":
    typer.run(main)
