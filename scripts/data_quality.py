"""Write the data-quality report of a corpus and its converted splits:
line-break fragments, strings labelled both ways, entity strings seen once,
PDF glyphs and ligatures, texts in more than one split
(nerkit/corpus/quality.py)."""

from pathlib import Path
from typing import Optional

import typer
from wasabi import msg

from nerkit.common.atomic_files import write_atomic, write_json
from nerkit.corpus.quality import analyse_corpus
from nerkit.corpus.quality_report import to_markdown
from nerkit.corpus.repairs import FragmentEntities
from nerkit.errors import exit_on_error


def main(
    input_path: Path = typer.Argument(..., help="The corpus as given to convert (file or split folder)"),
    splits_dir: Path = typer.Argument(..., help="Folder of the converted train/dev/test.spacy", file_okay=False),
    output_path: Path = typer.Argument(..., help="Markdown report; the JSON goes beside it", dir_okay=False),
    label: Optional[str] = typer.Option(
        None, "--label", "-l", help="Entity type of untyped labels (B, I, L, U); typed labels keep theirs"
    ),
    fragment_entities: FragmentEntities = typer.Option(
        FragmentEntities.keep, "--fragment-entities", help="What the converter is told to do with them: keep or drop"
    ),
):
    """Write a data-quality report (Markdown + JSON) of the corpus and its splits."""
    with exit_on_error():
        report = analyse_corpus(input_path, splits_dir, entity_label=label)
    write_atomic(output_path, to_markdown(report, input_path, fragment_entities))
    write_json(output_path.with_suffix(".json"), report)
    msg.good(f"Saved {output_path} and {output_path.with_suffix('.json')}")
    msg.text(
        f"{report['line_break_fragments_labelled_as_entity']} line-break fragments labelled as entities, "
        f"{len(report['labelled_both_ways'])} strings labelled both ways, "
        f"{report['private_use_tokens']} private-use tokens, {report['ligature_tokens']} ligature tokens, "
        f"{report['leaks']['texts_in_several_splits']} texts in more than one split"
    )


if __name__ == "__main__":
    typer.run(main)
