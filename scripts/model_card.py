"""Write the package's meta (the model card) for the corpus it was trained
on: the architecture from the config's meta, the data from a meta file that
describes this corpus, else a neutral card naming the corpus, its labels
and sizes (nerkit/packaging/model_card.py)."""

from pathlib import Path

import srsly
import typer
from wasabi import msg

from nerkit.common.atomic_files import write_json
from nerkit.corpus.docbins import read_splits
from nerkit.errors import exit_on_error
from nerkit.packaging.model_card import corpus_meta, package_meta, vectors_sources


def main(
    architecture_meta: Path = typer.Argument(..., help="The config's meta, e.g. configs/meta_sm.json", dir_okay=False),
    corpus: Path = typer.Argument(..., help="The corpus as given to convert (file or split folder)"),
    splits_dir: Path = typer.Argument(..., help="Folder of the converted train/dev/test.spacy", file_okay=False),
    output_path: Path = typer.Argument(..., help="The meta for spacy package --meta-path", dir_okay=False),
    meta: str = typer.Option("", help="A meta file about the corpus: description, sources, license, notes ('': none)"),
    training_config: str = typer.Option(
        "", help="The config the pipeline was trained with: its static vectors are a source ('': none)"
    ),
):
    """Write the package meta of a pipeline trained on the corpus."""
    with exit_on_error():
        splits = read_splits(splits_dir)
    corpus_part, source = corpus_meta(Path(meta) if meta else None, corpus, splits)
    vectors = vectors_sources(Path(training_config)) if training_config else []
    card = package_meta(srsly.read_json(architecture_meta), corpus_part, corpus, vectors)
    write_json(output_path, card)
    msg.good(f"Saved {output_path}", f"corpus part: {source}")


if __name__ == "__main__":
    typer.run(main)
