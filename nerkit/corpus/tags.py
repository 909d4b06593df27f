"""The BILUO tag of every token of a token stream, whatever scheme its file
uses: untyped `B`/`I`/`O` (typed with an entity label), IOB1 or IOB2
(`B-PER`, `I-PER`) or BILUO (`U-PER`, `L-PER`; BIOES's `S-`/`E-` read as
`U-`/`L-`). No entity crosses a blank line; a tag that breaks the scheme is a
CorpusError naming the file and line."""

from enum import Enum
from typing import List, Optional, Sequence

from spacy.training import iob_to_biluo

from nerkit.corpus.documents import TokenRange
from nerkit.corpus.repairs import Repairs
from nerkit.corpus.token_lines import LABEL, TokenStream
from nerkit.errors import CorpusError

# BIOES names for the BILUO moves
BIOES_MOVES = {"E": "L", "S": "U"}


class LabelScheme(str, Enum):
    auto = "auto"
    iob = "iob"
    biluo = "biluo"


def detect_scheme(stream: TokenStream) -> LabelScheme:
    """BILUO if any label is a last or unit move (L, U, E, S), else IOB."""
    moves = {label[0] for label in set(stream.labels)}
    return LabelScheme.biluo if moves & set("LUES") else LabelScheme.iob


def typed_labels(stream: TokenStream, entity_label: Optional[str]) -> List[str]:
    """Every label with a type: untyped moves get `entity_label` (without
    one, an untyped label is refused). A file must
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
        if match["type"] is None and not entity_label:
            raise CorpusError(
                stream.path, stream.lines[i], f"untyped label {label!r}: name the entity label of untyped labels"
            )
        move = BIOES_MOVES.get(match["move"], match["move"])
        typed.append(f"{move}-{match['type'] or entity_label}")
    return typed


def sentence_ranges(stream: TokenStream) -> List[TokenRange]:
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


def biluo_tags(stream: TokenStream, entity_label: Optional[str], scheme: LabelScheme, repairs: Repairs) -> List[str]:
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
