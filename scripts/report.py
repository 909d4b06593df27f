"""Write the evaluation report of a trained pipeline from what the evaluation
steps wrote (the model is not run again): scores on gold tokens and raw text
beside a dictionary baseline, per label and per string, every error with an
error page, training curves, speed (nerkit/evaluation/report.py)."""

from pathlib import Path

import typer
from wasabi import msg

from nerkit.errors import exit_on_error
from nerkit.evaluation.report import write_report


def main(
    model: Path = typer.Argument(
        ..., help="Trained pipeline folder (its tokenizer only)", exists=True, file_okay=False
    ),
    train_path: Path = typer.Argument(
        ..., help="Training DocBin (the baseline's word list)", exists=True, dir_okay=False
    ),
    test_path: Path = typer.Argument(..., help="Test DocBin", exists=True, dir_okay=False),
    log_path: Path = typer.Argument(
        ..., help="JSONL training log of nerkit.jsonl_logger.v1", exists=True, dir_okay=False
    ),
    metrics_dir: Path = typer.Argument(
        ...,
        help="Folder with test_gold_tokens.json, test_raw_text.json, test_predictions.jsonl (and speed.json); "
        "report.json/.md, errors.html and training.png are written there",
        exists=True,
        file_okay=False,
    ),
    target_dev_score: float = typer.Option(
        ..., "--target-dev-score", help="Dev score whose first reaching is reported (project var target_dev_score)"
    ),
):
    """Evaluation report from the evaluation steps' files: model vs
    dictionary baseline, per label and per string, error page, training
    curves, speed."""
    with exit_on_error():
        report = write_report(model, train_path, test_path, log_path, metrics_dir, target_dev_score)
    msg.table(
        [
            (system, text, f"{s['p']:.4f}", f"{s['r']:.4f}", f"{s['f']:.4f}")
            for system, by_text in report["scores"].items()
            for text, s in by_text.items()
        ],
        header=("system", "text", "P", "R", "F"),
        divider=True,
    )
    msg.good(f"Saved report.json, report.md, errors.html and training.png to {metrics_dir}")


if __name__ == "__main__":
    typer.run(main)
