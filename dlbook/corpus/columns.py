"""Read a token-per-line NER corpus into documents.

Each line holds a token first and its entity label last, in columns separated
by a tab or by spaces (`token<TAB>label`, CoNLL-2003's `word POS chunk NER`).
The label scheme is read from the file (or set with `scheme`): untyped
`B`/`I`/`O` (typed with `entity_label`), IOB1 or IOB2 (`B-PER`, `I-PER`) or
BILUO (`U-PER`, `L-PER`; BIOES's `S-`/`E-` read as `U-`/`L-`). A blank line
ends a sentence and a `-DOCSTART-` line a document. A file without blank
lines (the book's stream) is cut into sentences after `.`, `?` or `!`.
Sentences are cut after `max_sent_tokens` tokens, and grouped into documents
of at most `max_doc_tokens` tokens, never across a `-DOCSTART-`. With
`fragment_entities` drop, a single-token entity on a line-break fragment
(`tion` in `distribu- tion`) is dropped as an annotation artefact.
"""

import re
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import List, Optional, Sequence, Set, Tuple

from spacy.tokens import Doc
from spacy.training import biluo_tags_to_spans, iob_to_biluo
from spacy.vocab import Vocab
from tqdm import tqdm

from dlbook.corpus.files import CorpusError, read_lines
from dlbook.corpus.repairs import FragmentEntities, Repairs, drop_fragment_entities, normalize_tokens

SENT_END = {".", "?", "!"}
DOCSTART = "-DOCSTART-"
# Detokenization: no space before closing punctuation, none after opening.
NO_SPACE_BEFORE = {".", ",", ";", ":", "?", "!", ")", "]", "}", "%"}
NO_SPACE_AFTER = {"(", "[", "{"}
# O, or a move with an optional type: B, I-PER, U-TERM, E-LOC ...
LABEL = re.compile(r"O|(?P<move>[BILUES])(?:-(?P<type>\S+))?")
# BIOES names for the BILUO moves
BIOES_MOVES = {"E": "L", "S": "U"}
Span = Tuple[int, int]


class LabelScheme(str, Enum):
    auto = "auto"
    iob = "iob"
    biluo = "biluo"


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


def detect_scheme(stream: TokenStream) -> LabelScheme:
    """BILUO if any label is a last or unit move (L, U, E, S), else IOB."""
    moves = {label[0] for label in set(stream.labels)}
    return LabelScheme.biluo if moves & set("LUES") else LabelScheme.iob


def typed_labels(stream: TokenStream, entity_label: str) -> List[str]:
    """Every label with a type: untyped moves get `entity_label`. A file must
    use typed or untyped moves throughout; the first line that differs from
    the first entity label is refused."""
    first: Optional[int] = None
    first_is_typed = False
    typed = []
    for i, label in enumerate(stream.labels):
        if label == "O":
            typed.append(label)
            continue
        match = LABEL.fullmatch(label)
        if first is None:
            first, first_is_typed = i, match["type"] is not None
        elif (match["type"] is not None) != first_is_typed:
            raise CorpusError(
                stream.path,
                stream.lines[i],
                f"label {label!r} mixes typed and untyped labels ({stream.labels[first]!r} on line "
                f"{stream.lines[first]}): use one scheme in a file",
            )
        move = BIOES_MOVES.get(match["move"], match["move"])
        typed.append(f"{move}-{match['type'] or entity_label}")
    return typed


def sentence_ranges(stream: TokenStream) -> List[Span]:
    """(start, end) of the runs of tokens between blank lines (the whole
    stream if it has none)."""
    starts = [0, *sorted(stream.sentence_breaks)]
    return list(zip(starts, [*starts[1:], len(stream.tokens)], strict=True))


def iob_tags_to_biluo(tags: Sequence[str], chunk: int = 1000) -> List[str]:
    """spaCy's iob_to_biluo (IOB1 and IOB2: an `I-` after `O` starts an
    entity), fed in pieces cut at an `O`: it pops the front of a list, so one
    call on the 346,717 tags of the book would take quadratic time."""
    out: List[str] = []
    start = 0
    while start < len(tags):
        end = min(start + chunk, len(tags))
        while end < len(tags) and tags[end] != "O":
            end += 1
        out.extend(iob_to_biluo(list(tags[start:end])))
        start = end
    return out


def check_biluo(stream: TokenStream, tags: Sequence[str], start: int, end: int) -> None:
    """Refuse the first tag of tokens start..end that breaks the BILUO moves."""
    open_label: Optional[str] = None
    for i in range(start, end):
        move, _, label = tags[i].partition("-")
        if move in ("B", "U", "O") and open_label is not None:
            raise CorpusError(stream.path, stream.lines[i], f"{tags[i]!r} while an entity {open_label!r} is open")
        if move in ("I", "L") and open_label != label:
            raise CorpusError(stream.path, stream.lines[i], f"{tags[i]!r} without an open {label!r} entity (B-{label})")
        open_label = label if move in ("B", "I") else None
    if open_label is not None:
        raise CorpusError(stream.path, stream.lines[end - 1], f"entity {open_label!r} is not closed (L-{open_label})")


def biluo_tags(stream: TokenStream, entity_label: str, scheme: LabelScheme, repairs: Repairs) -> List[str]:
    """The BILUO tag of every token; no entity crosses a blank line. An IOB
    `I-` that opens an entity (IOB1, or an orphan in IOB2) is counted."""
    if scheme == LabelScheme.auto:
        scheme = detect_scheme(stream)
    typed = typed_labels(stream, entity_label)
    tags: List[str] = []
    for start, end in sentence_ranges(stream):
        if scheme == LabelScheme.iob:
            i = next((i for i in range(start, end) if typed[i][0] in "LU"), None)
            if i is not None:
                raise CorpusError(stream.path, stream.lines[i], f"BILUO label {stream.labels[i]!r} in an IOB file")
            converted = iob_tags_to_biluo(typed[start:end])
            repairs.orphan_i += sum(
                1 for src, out in zip(typed[start:end], converted, strict=True) if src[0] == "I" and out[0] in "BU"
            )
        else:
            check_biluo(stream, typed, start, end)
            converted = typed[start:end]
        tags.extend(converted)
    return tags


def segment(
    tokens: Sequence[str], labels: Sequence[str], max_sent_tokens: int, breaks: Optional[Set[int]] = None
) -> List[Span]:
    """Sentence boundaries as (start, end) token offsets: at the given
    `breaks` (blank lines) if there are any, else after `.`, `?` or `!`;
    and after max_sent_tokens tokens. A boundary never falls before an
    inside or last label (`I`, `I-X`, `L-X`), so no entity is cut."""
    sentences = []
    start = 0
    for i, token in enumerate(tokens):
        end = i + 1
        if end in (breaks or ()):
            sentences.append((start, end))
            start = end
            continue
        next_is_inside = end < len(labels) and labels[end][0] in "ILE"
        if next_is_inside:
            continue
        ends_sentence = token in SENT_END if not breaks else False
        if ends_sentence or end - start >= max_sent_tokens:
            sentences.append((start, end))
            start = end
    if start < len(tokens):
        sentences.append((start, len(tokens)))
    return sentences


def group_documents(
    sentences: Sequence[Span], max_doc_tokens: int, breaks: Optional[Set[int]] = None
) -> List[List[Span]]:
    """Pack consecutive sentences into documents of at most max_doc_tokens
    tokens (a longer sentence makes a document of its own); a document
    never crosses one of the `breaks` (`-DOCSTART-`)."""
    docs: List[List[Span]] = []
    current: List[Span] = []
    size = 0
    for start, end in sentences:
        if current and (size + (end - start) > max_doc_tokens or start in (breaks or ())):
            docs.append(current)
            current, size = [], 0
        current.append((start, end))
        size += end - start
    if current:
        docs.append(current)
    return docs


def spaces_for(words: Sequence[str]) -> List[bool]:
    spaces = []
    for word, next_word in zip(words, list(words[1:]) + [None], strict=True):
        spaces.append(next_word is not None and word not in NO_SPACE_AFTER and next_word not in NO_SPACE_BEFORE)
    return spaces


def make_doc(vocab: Vocab, words: Sequence[str], tags: Sequence[str], sentences: Sequence[Span]) -> Doc:
    offset = sentences[0][0]
    sent_starts = [False] * len(words)
    for start, _ in sentences:
        sent_starts[start - offset] = True
    doc = Doc(vocab, words=list(words), spaces=spaces_for(words), sent_starts=sent_starts)
    doc.ents = biluo_tags_to_spans(doc, tags)
    return doc


def read_documents(
    input_path: Path,
    entity_label: str = "TERM",
    normalize: bool = True,
    max_sent_tokens: int = 128,
    max_doc_tokens: int = 256,
    scheme: LabelScheme = LabelScheme.auto,
    fragment_entities: FragmentEntities = FragmentEntities.keep,
    repairs: Optional[Repairs] = None,
) -> Tuple[List[Doc], Repairs]:
    """Read and check the whole input, then build its documents in order;
    what was repaired is counted into `repairs` (a new one if not given)."""
    stream = read_columns(input_path)
    repairs = repairs if repairs is not None else Repairs()
    repairs.stripped_tokens += stream.stripped_tokens
    repairs.skipped_lines.extend(f"{input_path.name}:{number}" for number in stream.skipped_lines)
    tags = biluo_tags(stream, entity_label, scheme, repairs)
    if fragment_entities == FragmentEntities.drop:
        drop_fragment_entities(stream.tokens, tags, repairs)
    tokens = normalize_tokens(stream.tokens, repairs) if normalize else stream.tokens
    sentences = segment(tokens, stream.labels, max_sent_tokens, stream.sentence_breaks)
    vocab = Vocab()
    docs = []
    for doc_sents in tqdm(
        group_documents(sentences, max_doc_tokens, stream.document_breaks), desc="documents", unit="doc", disable=None
    ):
        start, end = doc_sents[0][0], doc_sents[-1][1]
        docs.append(make_doc(vocab, tokens[start:end], tags[start:end], doc_sents))
    return docs, repairs
