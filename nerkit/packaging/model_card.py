"""The package's meta (what `spacy package` turns into the model card): the
architecture from the config's meta (configs/meta_${config}.json), the data
from a meta file about the corpus (description, sources, licence, notes),
or, where none describes this corpus, a neutral card naming the corpus, its
labels and sizes. A corpus meta may say which corpus it describes
(`describes`: path and md5, as in project.yml's assets): given with another
corpus it is not used, so that the book's card never describes another
corpus. Static vectors the pipeline was trained with are a source too: as
their folder's meta.json names them, else by the folder's name."""

from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import srsly
from spacy.tokens import Doc
from thinc.api import Config
from weasel.util import get_checksum

from nerkit.corpus.summary import corpus_sizes

CORPUS_FIELDS = ("description", "sources", "license", "notes")


def named_source(name: str) -> Dict[str, str]:
    """A source of the meta known by its name only (spaCy's fields left empty)."""
    return {"name": name, "url": "", "license": "", "author": ""}


def neutral_corpus_meta(corpus: Path, splits: Dict[str, Sequence[Doc]]) -> Dict[str, Any]:
    sizes = corpus_sizes(splits)
    labels = sorted({label for split in sizes.values() for label in split["entities"]})
    counts = "; ".join(
        f"{split} {size['tokens']:,} tokens, {sum(size['entities'].values()):,} entities"
        for split, size in sizes.items()
    )
    return {
        "description": (
            f"Finds entities labelled {', '.join(labels)}, trained on the corpus `{corpus.name}` ({counts})."
        ),
        "sources": [named_source(corpus.name)],
        "license": "unknown: that of the training corpus",
        "notes": (
            f"Trained on {corpus.name}; no meta file describes this corpus (give one with --vars.meta: "
            "description, sources, license, notes). The labels and their scores are the corpus's own."
        ),
    }


def corpus_meta(
    meta_path: Optional[Path], corpus: Path, splits: Dict[str, Sequence[Doc]]
) -> Tuple[Dict[str, Any], str]:
    """The corpus part of the card, and where it came from."""
    if meta_path is None:
        return neutral_corpus_meta(corpus, splits), "neutral: no corpus meta given"
    meta = srsly.read_json(meta_path)
    describes = meta.get("describes", {})
    if describes.get("md5") and describes["md5"] != get_checksum(corpus):
        reason = f"neutral: {meta_path} describes {describes.get('corpus', 'another corpus')}, not {corpus}"
        return neutral_corpus_meta(corpus, splits), reason
    return {key: meta[key] for key in CORPUS_FIELDS if key in meta}, str(meta_path)


def vectors_sources(training_config: Path) -> List[Dict[str, Any]]:
    """The sources of the static vectors a training config reads
    (`[paths] vectors`; none: [])."""
    folder = Config().from_disk(training_config, interpolate=False).get("paths", {}).get("vectors")
    if not folder:
        return []
    meta_path = Path(folder) / "meta.json"
    sources = srsly.read_json(meta_path).get("sources") if meta_path.exists() else None
    return sources or [named_source(Path(folder).name)]


def package_meta(
    architecture: Dict[str, Any],
    corpus_part: Dict[str, Any],
    corpus: Path,
    vectors: Sequence[Dict[str, Any]] = (),
) -> Dict[str, Any]:
    """The meta for `spacy package --meta-path`: the corpus's description
    then the architecture's, the corpus's sources, the vectors' and the
    backbone's."""
    meta = {key: value for key, value in architecture.items() if key not in CORPUS_FIELDS}
    meta["description"] = f"{corpus_part['description']} {architecture.get('description', '')}".strip()
    meta["sources"] = [*corpus_part.get("sources", []), *vectors, *architecture.get("sources", [])]
    meta["license"] = corpus_part.get("license", architecture.get("license", ""))
    notes = [corpus_part.get("notes", ""), architecture.get("notes", "")]
    meta["notes"] = " ".join(note for note in notes if note)
    meta["training_corpus"] = corpus.name
    return meta
