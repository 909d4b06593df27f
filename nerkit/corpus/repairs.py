"""What reading a corpus repairs, whatever its format: tokens normalised as
the models read them (NFKC, ligatures, private-use glyphs -> placeholder),
single-token entities on line-break fragments dropped (`tion` in `distribu-
tion`), and the counts of every repair for the conversion summary."""

from collections import Counter
from dataclasses import dataclass, field
from enum import Enum
from typing import List, Sequence

from nerkit.pipeline_functions import PRIVATE_USE_PLACEHOLDER, normalize_text

# The ligatures of the book's PDF fonts (TeX's f-ligatures) and their
# letters, longest first, so that "ffi" is put back as "ﬃ", not "ﬀ" + "i";
# normalisation (NFKC) reads each as its letters
PDF_LIGATURES = (("ffi", "ﬃ"), ("ffl", "ﬄ"), ("ff", "ﬀ"), ("fi", "ﬁ"), ("fl", "ﬂ"))


@dataclass
class Repairs:
    orphan_i: int = 0
    normalized_tokens: int = 0
    private_use_tokens: int = 0
    examples: Counter = field(default_factory=Counter)
    # entity strings dropped from line-break fragments, with their counts
    fragment_entities: Counter = field(default_factory=Counter)
    # JSONL spans moved to token edges (`'k-mean' -> 'k-means'`), records
    # skipped by their answer (`reject`, `ignore`)
    expanded_spans: Counter = field(default_factory=Counter)
    contracted_spans: Counter = field(default_factory=Counter)
    skipped_answers: Counter = field(default_factory=Counter)
    # token files: tokens stripped of surrounding whitespace; `O` lines
    # skipped for a token with no text or whitespace inside (`file:line`)
    stripped_tokens: int = 0
    skipped_lines: List[str] = field(default_factory=list)
    # the train file a split folder's dev split was carved from ("": none)
    dev_carved_from: str = ""


class FragmentEntities(str, Enum):
    keep = "keep"
    drop = "drop"


def line_break_fragments(tokens: Sequence[str]) -> List[int]:
    """Indices of the tokens after a word cut at a line end (`distribu- tion`)."""
    return [
        i + 1 for i, token in enumerate(tokens[:-1]) if len(token) > 1 and token.endswith("-") and token[-2].isalpha()
    ]


def confirmed_fragments(tokens: Sequence[str]) -> List[int]:
    """The line-break fragments whose word, joined again, is a token
    elsewhere in the text (`distribu-` + `tion` -> `distribution`): a word
    cut by a line break, not a hyphenated name (`U.S.-` `USDA`)."""
    words = set(tokens)
    return [i for i in line_break_fragments(tokens) if tokens[i - 1][:-1] + tokens[i] in words]


def drop_fragment_entities(tokens: Sequence[str], tags: List[str], repairs: Repairs) -> None:
    """Make O each single-token entity on a confirmed line-break fragment,
    in place."""
    for i in confirmed_fragments(tokens):
        if tags[i].startswith("U-"):
            tags[i] = "O"
            repairs.fragment_entities[tokens[i]] += 1


def normalize_token(token: str) -> str:
    """The token as the models read it (pipeline_functions.normalize_text: NFKC,
    ligatures `ﬁ` -> `fi`, private-use glyphs -> placeholder); a token that
    would vanish (only invisible characters) is kept as it is."""
    return normalize_text(token) or token


def normalize_tokens(tokens: Sequence[str], repairs: Repairs) -> List[str]:
    normalized = []
    for token in tokens:
        normal = normalize_token(token)
        if normal != token:
            repairs.normalized_tokens += 1
            repairs.examples[f"{token!r} -> {normal!r}"] += 1
            if PRIVATE_USE_PLACEHOLDER in normal:
                repairs.private_use_tokens += 1
        normalized.append(normal)
    return normalized
