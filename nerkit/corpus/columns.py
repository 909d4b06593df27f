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

from pathlib import Path
from typing import List, Optional, Sequence, Set, Tuple

from spacy.tokens import Doc
from spacy.vocab import Vocab
from tqdm import tqdm

from nerkit.corpus.documents import TokenRange, make_doc
from nerkit.corpus.repairs import FragmentEntities, Repairs, drop_fragment_entities, normalize_tokens
from nerkit.corpus.tags import LabelScheme, biluo_tags
from nerkit.corpus.token_lines import read_columns

SENT_END = {".", "?", "!"}


def segment(
    tokens: Sequence[str], labels: Sequence[str], max_sent_tokens: int, breaks: Optional[Set[int]] = None
) -> List[TokenRange]:
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
    sentences: Sequence[TokenRange], max_doc_tokens: int, breaks: Optional[Set[int]] = None
) -> List[List[TokenRange]]:
    """Pack consecutive sentences into documents of at most max_doc_tokens
    tokens (a longer sentence makes a document of its own); a document
    never crosses one of the `breaks` (`-DOCSTART-`)."""
    docs: List[List[TokenRange]] = []
    current: List[TokenRange] = []
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


def read_documents(
    input_path: Path,
    entity_label: Optional[str] = None,
    normalize: bool = True,
    max_sent_tokens: int = 128,
    max_doc_tokens: int = 256,
    scheme: LabelScheme = LabelScheme.auto,
    fragment_entities: FragmentEntities = FragmentEntities.keep,
    repairs: Optional[Repairs] = None,
) -> Tuple[List[Doc], Repairs]:
    """Read and check the whole input, then build its documents in order;
    what was repaired is counted into `repairs` (a new one if not given).
    input_path: the token-per-line file; entity_label: the type of untyped
    labels (None: refused); normalize: tokens as the models read them;
    max_sent_tokens, max_doc_tokens: where sentences and documents are cut;
    scheme: the label scheme (auto: detected); fragment_entities: keep or
    drop entities on line-break fragments; repairs: the counts to add to."""
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
