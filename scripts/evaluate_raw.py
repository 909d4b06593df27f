"""Evaluate a pipeline on text as users send it: the test split's raw text as
converted, re-cased, NFKC-normalised, with PDF ligatures put back and as
PDF/web text, and sets of sentences written outside the corpus; entities
matched by character offsets (nerkit/evaluation/raw_text.py)."""

from pathlib import Path
from typing import List

import srsly
import typer
from spacy.tokens import DocBin
from wasabi import msg

from nerkit.common.atomic_files import write_json, write_lines
from nerkit.common.loading import load_pipeline
from nerkit.common.machine import with_run_record
from nerkit.common.options import parse_named_paths
from nerkit.corpus.text_variants import VARIANTS, parse_text_variants
from nerkit.errors import exit_on_error
from nerkit.evaluation.raw_text import evaluate_raw_text
from nerkit.evaluation.sentence_sets import score_sentences, split_sets_by_labels


def main(
    model: str = typer.Argument(..., help="Pipeline name or path"),
    data_path: Path = typer.Argument(..., help="DocBin with the gold test documents", exists=True, dir_okay=False),
    output_path: Path = typer.Argument(..., help="JSON file for the scores", dir_okay=False),
    predictions_path: Path = typer.Argument(
        ..., help="JSONL file for the gold and predicted entities of each test text (for the report)", dir_okay=False
    ),
    sentences: List[str] = typer.Option(
        [],
        "--sentences",
        help="NAME=FILE: a JSONL of annotated sentences written outside the corpus, scored as NAME if it has "
        "a label of the model's; repeatable or comma-separated",
    ),
    variants: str = typer.Option(",".join(VARIANTS), help=f"Text variants, comma-separated, of: {', '.join(VARIANTS)}"),
    gpu_id: int = typer.Option(-1, "--gpu-id", "-g", help="GPU id, or -1 for the CPU"),
):
    """Score a pipeline on the raw text of the test split, its variants and
    sentence sets, entities matched by character offsets."""
    with exit_on_error():
        sentence_sets = parse_named_paths(sentences, "file")
        chosen = parse_text_variants(variants)
        nlp = load_pipeline(model, gpu_id)
        sentence_sets, skipped = split_sets_by_labels(sentence_sets, nlp.get_pipe("ner").labels)
        for name, why in skipped.items():
            msg.info(f"Sentence set {name} not scored: {why}")
        gold_docs = list(DocBin().from_disk(data_path).get_docs(nlp.vocab))
        results, records = evaluate_raw_text(nlp, gold_docs, chosen)
        for name, path in sentence_sets.items():
            results[name] = score_sentences(nlp, path, name)
    msg.table(
        [
            (name, f"{s['p']:.4f}", f"{s['r']:.4f}", f"{s['f']:.4f}", s["tp"], s["fp"], s["fn"])
            for name, s in results.items()
        ],
        header=("text", "P", "R", "F", "TP", "FP", "FN"),
        divider=True,
    )
    for name in sentence_sets:
        for error in results[name]["errors"]:
            msg.text(f"{name}: {error['kind']} {error['text']!r} in {error['sentence']!r}")
    summary = {"model": str(model), "data": str(data_path), "scores": results, "sentence_sets_not_scored": skipped}
    write_json(output_path, with_run_record(summary, gpu_id))
    write_lines(predictions_path, (srsly.json_dumps(record) for record in records))
    msg.good(f"Saved raw-text scores to {output_path} and the predictions to {predictions_path}")


if __name__ == "__main__":
    typer.run(main)
