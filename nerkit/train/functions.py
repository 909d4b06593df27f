"""Registered functions that only training needs, passed to `spacy train`
with `--code` (never shipped in a package: `spacy.load` resolves only
`[nlp]` and `[components]`):

- nerkit.case_augmenter.v1: trains on sentence-, title- and upper-cased copies
  of the (lowercase) corpus, so that cased user text works.
- nerkit.pdf_web_augmenter.v1, nerkit.chain_augmenters.v1: training text as
  PDFs and web pages give it; several augmenters in a row.
- nerkit.adjacent_entity_augmenter.v1: another entity string put after an
  entity, as a non-entity (for a corpus that never tags two adjacent
  entities, as the book).
- nerkit.BalancedCorpus.v1: spacy.Corpus.v1 that also repeats the documents
  holding rare entity strings, multi-token entities or entity strings outside
  an entity, so rare strings, readings and transition sequences get enough
  updates.
- nerkit.VariedCorpus.v1: a dev set read in turns as is, re-cased and as
  PDF/web text, so that the checkpoint kept is the best on user text.
- nerkit.jsonl_logger.v1: spaCy's console logger, plus a JSONL log with the
  seconds and words of each evaluation, for the training curves.

It also imports nerkit.pipeline_functions, so that `spacy train` and
`spacy debug` find every nerkit.* function through this one file (`--code
nerkit/train/functions.py`; the nerkit package is installed by
requirements.txt).
"""

import json
import random
import sys
from collections import Counter
from pathlib import Path
from typing import IO, Any, Callable, Dict, Iterable, Iterator, List, Optional, Tuple

from spacy.language import Language
from spacy.tokens import Doc, Span, Token
from spacy.training import Corpus, Example
from spacy.util import registry

from nerkit.corpus.text_variants import CASE_VARIANTS, pdf_web_doc, recase_doc
from nerkit.pipeline_functions import registered  # and the pipeline's nerkit.* functions


@registered(registry.augmenters, "case_augmenter.v1")
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


@registered(registry.augmenters, "pdf_web_augmenter.v1")
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


@registered(registry.augmenters, "adjacent_entity_augmenter.v1")
def create_adjacent_entity_augmenter(
    level: float, entity_rate: float
) -> Callable[[Language, Example], Iterator[Example]]:
    """With probability `level`, put another single-token entity string of the
    same document (at random) after `entity_rate` of its single-token
    entities that a non-entity token follows; the inserted word is not an
    entity. This is the corpus's rule that no entity directly follows another
    (`n-gram model`: only `n-gram`), which a training text shows rarely;
    every real entity is kept."""

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


@registered(registry.augmenters, "chain_augmenters.v1")
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


@registered(registry.loggers, "jsonl_logger.v1")
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


@registered(registry.readers, "BalancedCorpus.v1")
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
    book never tags two adjacent entities: `model` after `n-gram` is O) has
    that reading seen at least `min_outside_count` times too.
    Strings seen fewer than `ignore_below` times (page numbers, stray
    fragments) are not repeated. Rare strings, rare readings and the rare
    begin/last transitions of multi-token entities otherwise get too few
    updates in a short schedule to be learned.
    path, max_length, gold_preproc, limit, augmenter: as spacy.Corpus.v1's."""
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


@registered(registry.readers, "VariedCorpus.v1")
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
