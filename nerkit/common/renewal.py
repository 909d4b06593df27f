"""A pipeline that is loaded anew once its vocabulary's hash tables outgrow a
bound, for processes that annotate an unbounded vocabulary inside memory
zones (annotate's workers, serve's lanes).

`nlp.memory_zone()` frees the strings and lexemes of the texts annotated in
it, but the hash tables that index them (preshed's maps, in the StringStore
and the Vocab) keep a tombstone for each freed key and double when their
cells fill up, tombstones included, so they grow with every distinct word
(measured in docs/annotate.md). The Vocab's table is not reachable from
Python, so neither can be rebuilt in place: the pipeline is loaded again,
which frees both. The StringStore's table, which grows at least as fast as
the Vocab's (each lexeme adds its string and those of its attributes), is
the gauge."""

from typing import Callable

from spacy.language import Language
from spacy.tokenizer import Tokenizer

# cells of the StringStore's hash table (16 bytes each: 8 MB) past which the
# pipeline is loaded anew
MAX_STRING_CELLS = 1 << 19


def warm_for_memory_zones(nlp: Language) -> None:
    """Outside any zone, tokenize each string the pipeline already holds
    (those of its training data) on its own: their lexemes become permanent
    and the tokenizer caches them, its cache grown to hold them all (a bound
    fixed by the pipeline). Inside a zone spaCy keeps no new lexeme and fills
    no tokenizer cache, so without this every word of every batch would be
    looked up and split anew (one-sentence requests to serve ran at half the
    rate). One string a call, because spaCy caches none of a text's chunks
    after the first one that hits a special case."""
    strings = [string for string in nlp.vocab.strings if string and not any(char.isspace() for char in string)]
    # the project's NormalizingTokenizer wraps spaCy's
    tokenizer = getattr(nlp.tokenizer, "tokenizer", nlp.tokenizer)
    if isinstance(tokenizer, Tokenizer):
        tokenizer.max_cache_size = max(tokenizer.max_cache_size, len(strings))
    for string in strings:
        nlp.make_doc(string)


def string_table_cells(nlp: Language) -> int:
    """Cells of the StringStore's hash table (0 where spaCy has no such table)."""
    table = getattr(nlp.vocab.strings, "_map", None)
    return getattr(table, "capacity", 0)


class RenewingPipeline:
    """`self.nlp`: the pipeline `load()` gives, loaded anew by
    `renew_if_grown()` (call it between memory zones) once its StringStore's
    table holds more than `max_cells` cells."""

    def __init__(self, load: Callable[[], Language], max_cells: int = MAX_STRING_CELLS):
        self.load = load
        self.max_cells = max_cells
        self.nlp = self._load()
        self.renewals = 0

    def _load(self) -> Language:
        nlp = self.load()
        warm_for_memory_zones(nlp)
        return nlp

    def renew_if_grown(self) -> bool:
        if string_table_cells(self.nlp) <= self.max_cells:
            return False
        self.nlp = None  # the old pipeline's tables are freed before the new one is built
        self.nlp = self._load()
        self.renewals += 1
        return True
