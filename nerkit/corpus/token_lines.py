"""The lines of a token-per-line NER file: a token first and its entity label
last, in columns separated by a tab or by spaces (`token<TAB>label`,
CoNLL-2003's `word POS chunk NER`); a blank line ends a sentence and a
`-DOCSTART-` line a document. Each bad line is a CorpusError naming the file
and line."""

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional, Set, Tuple

from nerkit.corpus.files import read_lines
from nerkit.errors import CorpusError

DOCSTART = "-DOCSTART-"
# O, or a move with an optional type: B, I-PER, U-TERM, E-LOC ...
LABEL = re.compile(r"O|(?P<move>[BILUES])(?:-(?P<type>\S+))?")


@dataclass
class TokenStream:
    """The token lines of a file, with their labels and line numbers, and the
    token indices where a blank line or a `-DOCSTART-` line started a new
    sentence or document."""

    path: Path
    tokens: List[str] = field(default_factory=list)
    labels: List[str] = field(default_factory=list)
    lines: List[int] = field(default_factory=list)
    sentence_breaks: Set[int] = field(default_factory=set)
    document_breaks: Set[int] = field(default_factory=set)
    # tokens whose surrounding whitespace was stripped (a tab-separated
    # export writes `😘 <TAB>O`)
    stripped_tokens: int = 0
    # line numbers of `O` lines skipped for a token with no text or with
    # whitespace inside (`ke s<TAB>O`): no annotation is lost with them
    skipped_lines: List[int] = field(default_factory=list)


def read_columns(path: Path) -> TokenStream:
    """Read the token lines (token first, label last), blank lines and
    `-DOCSTART-` lines; raise CorpusError on the first bad line. Columns are
    tab-separated if the first token line has a tab, else space-separated.
    Whitespace around a token is stripped; an `O` line whose token is then
    empty or holds whitespace is skipped (both counted), an entity's raises."""
    stream = TokenStream(path)
    separator: Optional[str] = None
    skipped: List[Tuple[int, int, str]] = []  # (line number, token index, token) of each skipped line
    for number, line in enumerate(read_lines(path), start=1):
        if not line.strip():
            stream.sentence_breaks.add(len(stream.tokens))
            continue
        if separator is None:
            separator = "\t" if "\t" in line else " "
        if separator == "\t":
            if "\t" not in line:
                raise CorpusError(
                    path, number, f"expected 'token<TAB>label' (tab-separated like the first line): {line[:60]!r}"
                )
            columns = line.split("\t")
        else:
            columns = line.split()
        if columns[0] == DOCSTART:
            stream.document_breaks.add(len(stream.tokens))
            continue
        if len(columns) < 2:
            raise CorpusError(path, number, f"expected a token and a label, found one column: {line[:60]!r}")
        token, label = columns[0].strip(), columns[-1]
        if not LABEL.fullmatch(label):
            raise CorpusError(
                path, number, f"unknown label {label!r} (expected O, or B/I/L/U/E/S alone or with a type: B-PER)"
            )
        if not token or any(ch.isspace() for ch in token):
            if label != "O":
                raise CorpusError(path, number, f"empty token or token with whitespace in an entity: {columns[0]!r}")
            skipped.append((number, len(stream.tokens), columns[0]))
            continue
        stream.stripped_tokens += token != columns[0]
        stream.tokens.append(token)
        stream.labels.append(label)
        stream.lines.append(number)
    if not stream.tokens:
        raise CorpusError(path, 0, "file is empty")
    for number, i, raw in skipped:
        # between an entity's tokens, dropping the line would join or split it
        inside = 0 < i < len(stream.tokens) and i not in stream.sentence_breaks
        if inside and stream.labels[i - 1] != "O" and stream.labels[i][0] in "ILE":
            raise CorpusError(path, number, f"empty token or token with whitespace inside an entity: {raw!r}")
    stream.skipped_lines = [number for number, _, _ in skipped]
    stream.sentence_breaks |= stream.document_breaks
    stream.sentence_breaks -= {0, len(stream.tokens)}
    stream.document_breaks -= {0, len(stream.tokens)}
    return stream
