"""Documents from words: a converted document (spaces by punctuation,
sentence starts, BILUO entities), a document rewritten with other words (its
spaces, sentences and entities kept by token), and a document's bare tokens
(words and spaces, no annotation)."""

from typing import Iterable, List, Optional, Sequence, Tuple

from spacy.tokens import Doc, Span, Token
from spacy.training import biluo_tags_to_spans
from spacy.vocab import Vocab

# (start, end) token offsets: a sentence in a token stream
TokenRange = Tuple[int, int]
# Detokenization: no space before closing punctuation, none after opening.
NO_SPACE_BEFORE = {".", ",", ";", ":", "?", "!", ")", "]", "}", "%"}
NO_SPACE_AFTER = {"(", "[", "{"}


def spaces_for(words: Sequence[str]) -> List[bool]:
    spaces = []
    for word, next_word in zip(words, list(words[1:]) + [None], strict=True):
        spaces.append(next_word is not None and word not in NO_SPACE_AFTER and next_word not in NO_SPACE_BEFORE)
    return spaces


def make_doc(vocab: Vocab, words: Sequence[str], tags: Sequence[str], sentences: Sequence[TokenRange]) -> Doc:
    """A converted document: its sentences start at the ranges' starts (token
    offsets into the stream the words were cut from), its entities are the
    BILUO tags'."""
    offset = sentences[0][0]
    sent_starts = [False] * len(words)
    for start, _ in sentences:
        sent_starts[start - offset] = True
    doc = Doc(vocab, words=list(words), spaces=spaces_for(words), sent_starts=sent_starts)
    doc.ents = biluo_tags_to_spans(doc, tags)
    return doc


def rewrite_doc(doc: Doc, words: Sequence[str], vocab: Optional[Vocab] = None) -> Doc:
    """A copy of `doc` with other word texts (normalised, re-cased, ...): the
    same spaces, sentence starts and entities by token index, so character
    offsets follow any change of length; in `vocab` (the document's own by
    default)."""
    rewritten = Doc(
        vocab or doc.vocab,
        words=list(words),
        spaces=[bool(t.whitespace_) for t in doc],
        sent_starts=[bool(t.is_sent_start) for t in doc] if doc.has_annotation("SENT_START") else None,
    )
    rewritten.ents = [Span(rewritten, e.start, e.end, label=e.label_) for e in doc.ents]
    return rewritten


def bare_tokens(tokens: Iterable[Token], vocab: Vocab) -> Doc:
    """The tokens' words and spaces as a document with no annotation (a
    pipeline's input on the corpus's own tokens)."""
    tokens = list(tokens)
    return Doc(vocab, words=[t.text for t in tokens], spaces=[bool(t.whitespace_) for t in tokens])
