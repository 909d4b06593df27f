"""Static vectors a user brings: a spaCy vectors folder (the output of
`spacy init vectors`, or any pipeline folder with vectors) is used as it
is; a `.vec`/`.txt` file (word2vec/fastText text format, gzipped or not)
is turned into one with spaCy's own converter, as `spacy init vectors`
does."""

import shutil
import tempfile
from pathlib import Path

import spacy
from spacy.training.initialize import convert_vectors

VECTOR_FILE_SUFFIXES = (".vec", ".txt", ".gz", ".zip", ".npz")


class VectorsError(ValueError):
    pass


def vectors_folder(source: Path, output_dir: Path, lang: str = "en") -> Path:
    """The folder of a spaCy pipeline holding `source`'s vectors: `source`
    itself where it is one, else `output_dir`, converted from the file
    (written beside and renamed, so a failed conversion leaves no folder)."""
    if source.is_dir():
        if not (source / "vocab" / "vectors").exists():
            raise VectorsError(f"{source}: not a spaCy vectors folder (no vocab/vectors); give a .vec or .txt file")
        return source
    if not source.is_file():
        raise VectorsError(f"{source}: vectors not found")
    if not source.name.endswith(VECTOR_FILE_SUFFIXES):
        raise VectorsError(f"{source}: vectors must be a spaCy folder or a {'/'.join(VECTOR_FILE_SUFFIXES)} file")
    nlp = spacy.blank(lang)
    try:
        convert_vectors(nlp, source, truncate=0, prune=-1, name=None)
    except Exception as err:  # spaCy's reader names the problem, not the file
        raise VectorsError(f"{source}: not a word-vectors text file ({err})") from None
    if not len(nlp.vocab.vectors):
        raise VectorsError(f"{source}: holds no vectors")
    output_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=output_dir.parent, prefix=f".{output_dir.name}."))
    nlp.to_disk(staging)
    if output_dir.exists():
        shutil.rmtree(output_dir)
    staging.rename(output_dir)
    return output_dir
