"""Write the data-quality report of a corpus and its converted splits:
line-break fragments, strings labelled both ways, entity strings seen once,
PDF glyphs and ligatures, texts in more than one split
(dlbook/corpus/quality.py)."""

import json
from pathlib import Path

import typer
from wasabi import msg

from dlbook.common.atomic_files import write_atomic
from dlbook.corpus.files import CorpusError
from dlbook.corpus.quality import analyse_corpus, to_markdown
from dlbook.corpus.repairs import FragmentEntities


def main(
    input_path: Path = typer.Argument(..., help="The corpus as given to convert (file or split folder)"),
    splits_dir: Path = typer.Argument(..., help="Folder of the converted train/dev/test.spacy", file_okay=False),
    output_path: Path = typer.Argument(..., help="Markdown report; the JSON goes beside it", dir_okay=False),
    label: str = typer.Option("TERM", "--label", "-l", help="Entity type of untyped labels (B, I, L, U)"),
    fragment_entities: FragmentEntities = typer.Option(
        FragmentEntities.keep, "--fragment-entities", help="What the converter is told to do with them: keep or drop"
    ),
):
    """Write a data-quality report (Markdown + JSON) of the corpus and its splits."""
    try:
        report = analyse_corpus(input_path, splits_dir, entity_label=label)
    except CorpusError as err:
        typer.echo(f"✘ {err}", err=True)  # one unwrapped line: file:line: problem
        raise typer.Exit(1) from None
    write_atomic(output_path, to_markdown(report, input_path, fragment_entities))
    write_atomic(output_path.with_suffix(".json"), json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    msg.good(f"Saved {output_path} and {output_path.with_suffix('.json')}")
    msg.text(
        f"{report['line_break_fragments_labelled_as_term']} line-break fragments labelled as terms, "
        f"{len(report['labelled_both_ways'])} strings labelled both ways, "
        f"{report['private_use_tokens']} private-use tokens, {report['ligature_tokens']} ligature tokens, "
        f"{report['leaks']['texts_in_several_splits']} texts in more than one split"
    )


if __name__ == "__main__":
    typer.run(main)
