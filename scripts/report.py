"""Write a readable evaluation report of a trained pipeline on the test split:

- precision/recall/F on the corpus's own (gold) tokens and on raw text,
  for the model and for a dictionary baseline built from the training split;
- scores per distinct entity string, weakest first;
- every false positive and false negative with its sentence, and a displaCy
  page of the documents with errors (gold and predicted, errors marked);
- training curves (dev score and losses against steps and seconds);
- the speed measured by scripts/benchmark_speed.py.
"""

import json
from collections import defaultdict
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import spacy
import typer
from spacy import displacy
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, DocBin, Span
from spacy.util import filter_spans
from wasabi import msg

from evaluate_raw import PRF, annotate, char_spans

ERROR_COLORS = {"TERM": "#a6e22d", "FP": "#ff6b6b", "FN": "#ffb347"}


class DictionaryBaseline:
    """Tags every case-insensitive occurrence of an entity string of the
    training split (longest match wins)."""

    def __init__(self, nlp: Language, train_docs: Sequence[Doc]):
        self.terms: Dict[str, str] = {}
        for doc in train_docs:
            for ent in doc.ents:
                self.terms.setdefault(ent.text.lower(), ent.label_)
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        for text, label in sorted(self.terms.items()):
            self.matcher.add(label, [nlp.make_doc(text)])

    def __call__(self, doc: Doc) -> Doc:
        spans = [Span(doc, start, end, label=match_id) for match_id, start, end in self.matcher(doc)]
        doc.ents = filter_spans(spans)
        return doc


def gold_token_docs(nlp: Language, gold_docs: Sequence[Doc]) -> List[Doc]:
    """Unannotated copies of the gold docs, keeping the corpus's tokens."""
    return [Doc(nlp.vocab, words=[t.text for t in d], spaces=[bool(t.whitespace_) for t in d]) for d in gold_docs]


def score(gold_docs: Sequence[Doc], pred_docs: Sequence[Doc]) -> Tuple[PRF, Dict[str, PRF], List[Dict]]:
    """Overall and per-string scores by character offsets, and the errors."""
    overall = PRF()
    per_string: Dict[str, PRF] = defaultdict(PRF)
    errors = []
    for doc_id, (gold, pred) in enumerate(zip(gold_docs, pred_docs, strict=True)):
        gold_spans, pred_spans = char_spans(gold), char_spans(pred)
        overall.add(gold_spans, pred_spans)
        for span in gold_spans | pred_spans:
            text = gold.text[span[0] : span[1]]
            per_string[text].add(gold_spans & {span}, pred_spans & {span})
            if (span in gold_spans) != (span in pred_spans):
                kind = "FN" if span in gold_spans else "FP"
                sentence = (
                    gold.char_span(span[0], span[1], alignment_mode="expand").sent
                    if gold.has_annotation("SENT_START")
                    else gold
                )
                errors.append(
                    {
                        "doc": doc_id,
                        "kind": kind,
                        "text": text,
                        "start": span[0],
                        "end": span[1],
                        "sentence": sentence.text,
                    }
                )
    return overall, dict(per_string), errors


def per_string_rows(per_string: Dict[str, PRF]) -> List[Dict]:
    rows = [{"string": text, "support": s.tp + s.fn, **s.to_dict()} for text, s in per_string.items()]
    return sorted(rows, key=lambda r: (r["f"], -r["support"], r["string"]))


def render_errors(gold_docs: Sequence[Doc], pred_docs: Sequence[Doc], errors: Sequence[Dict]) -> str:
    """A self-contained displaCy page: for each document with an error, the
    gold entities (misses marked FN) and the predicted ones (FP marked)."""
    by_doc: Dict[int, List[Dict]] = defaultdict(list)
    for error in errors:
        by_doc[error["doc"]].append(error)
    parsed = []
    for doc_id in sorted(by_doc):
        gold_spans, pred_spans = char_spans(gold_docs[doc_id]), char_spans(pred_docs[doc_id])
        for title, spans, other, mark in (
            ("gold", gold_spans, pred_spans, "FN"),
            ("predicted", pred_spans, gold_spans, "FP"),
        ):
            ents = [
                {"start": s, "end": e, "label": label if (s, e, label) in other else mark}
                for s, e, label in sorted(spans)
            ]
            parsed.append({"text": gold_docs[doc_id].text, "ents": ents, "title": f"Document {doc_id}: {title}"})
    if not parsed:
        parsed.append({"text": "No errors on the test split.", "ents": [], "title": "No errors"})
    return displacy.render(parsed, style="ent", manual=True, page=True, options={"colors": ERROR_COLORS})


def read_log(log_path: Path) -> List[Dict]:
    return [json.loads(line) for line in log_path.read_text().splitlines() if line.strip()]


def training_summary(records: Sequence[Dict], target: float) -> Dict:
    """Steps, seconds and words of the training loop (initialisation not
    included), its rates, the best dev score and when the target was reached."""
    last = records[-1]
    best = max(records, key=lambda r: (r["score"], -r["step"]))
    reached = next((r for r in records if r["score"] >= target), None)
    return {
        "steps": last["step"],
        "seconds": last["seconds"],
        "words": last["words"],
        "steps_per_second": last["step"] / last["seconds"] if last["seconds"] else None,
        "words_per_second": last["words"] / last["seconds"] if last["seconds"] else None,
        "best_dev_score": best["score"],
        "best_step": best["step"],
        "best_seconds": best["seconds"],
        "target_dev_score": target,
        "seconds_to_target": reached["seconds"] if reached else None,
        "step_to_target": reached["step"] if reached else None,
    }


def plot_training(records: Sequence[Dict], output_path: Path) -> int:
    """Dev score and losses against steps and seconds; returns the number of
    evaluations plotted."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    steps = [r["step"] for r in records]
    seconds = [r["seconds"] for r in records]
    fig, axes = plt.subplots(1, 3, figsize=(15, 4))
    axes[0].plot(steps, [r["score"] for r in records], marker="o")
    axes[0].set(xlabel="step", ylabel="dev score (ents_f)", title="Dev score by step")
    axes[1].plot(seconds, [r["score"] for r in records], marker="o")
    axes[1].set(xlabel="seconds", ylabel="dev score (ents_f)", title="Dev score by time")
    for name in sorted({k for r in records for k in r["losses"]}):
        axes[2].plot(steps, [r["losses"].get(name, 0.0) for r in records], marker="o", label=name)
    axes[2].set(xlabel="step", ylabel="loss since last evaluation", title="Training losses", yscale="symlog")
    axes[2].legend()
    for ax in axes:
        ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(output_path, dpi=100)
    plt.close(fig)
    return len(records)


def to_markdown(report: Dict, max_rows: int = 15) -> str:
    lines = [
        f"# Evaluation report: `{report['model']}`",
        "",
        f"Test split: {report['test_docs']} documents, {report['test_entities']} entities.",
        "",
    ]
    lines += ["| system | text | P | R | F | TP | FP | FN |", "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for system in ("model", "baseline"):
        for text in ("gold_tokens", "raw_text"):
            s = report["scores"][system][text]
            scores = f"{s['p']:.4f} | {s['r']:.4f} | {s['f']:.4f} | {s['tp']} | {s['fp']} | {s['fn']}"
            lines.append(f"| {system} | {text.replace('_', ' ')} | {scores} |")
    lines += [
        "",
        f"Baseline: case-insensitive phrase matching of the {report['baseline_terms']} entity strings "
        "of the training split.",
        "",
    ]
    lines += [
        "## Per entity string (raw text, weakest first)",
        "",
        "| string | support | P | R | F |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for row in report["per_string"][:max_rows]:
        lines.append(f"| `{row['string']}` | {row['support']} | {row['p']:.3f} | {row['r']:.3f} | {row['f']:.3f} |")
    lines += [
        "",
        f"## Errors (raw text): {len(report['errors'])}",
        "",
        "See `errors.html` for the documents, gold and predicted.",
        "",
    ]
    for error in report["errors"][:max_rows]:
        lines.append(f"- {error['kind']} `{error['text']}`: {error['sentence']}")
    speed = report.get("speed")
    if speed:
        lines += [
            "",
            f"## Speed on {speed['machine']} (`nlp.pipe`)",
            "",
            "| batch size | words/s | 95% CI |",
            "| ---: | ---: | --- |",
        ]
        for r in speed["results"]:
            lines.append(
                f"| {r['batch_size']} | {r['words_per_second']:,.0f} | {r['ci95_low']:,.0f}-{r['ci95_high']:,.0f} |"
            )
    t = report["training"]
    to_target = (
        f"{t['seconds_to_target']} s (step {t['step_to_target']})"
        if t["seconds_to_target"] is not None
        else "not reached"
    )
    lines += [
        "",
        "## Training",
        "",
        f"{t['steps']} steps in {t['seconds']} s of training loop ({t['steps_per_second'] or 0:.1f} steps/s, "
        f"{t['words_per_second'] or 0:,.0f} words/s); best dev score {t['best_dev_score']:.4f} at step "
        f"{t['best_step']} ({t['best_seconds']} s); dev score {t['target_dev_score']} reached: {to_target}.",
        "",
        f"Training curves: `training.png` ({report['evaluations_plotted']} evaluations).",
        "",
    ]
    return "\n".join(lines)


def main(
    model: Path = typer.Argument(..., help="Trained pipeline folder", exists=True, file_okay=False),
    train_path: Path = typer.Argument(
        ..., help="Training DocBin (for the baseline's word list)", exists=True, dir_okay=False
    ),
    test_path: Path = typer.Argument(..., help="Test DocBin", exists=True, dir_okay=False),
    log_path: Path = typer.Argument(
        ..., help="JSONL training log of dlbook.jsonl_logger.v1", exists=True, dir_okay=False
    ),
    output_dir: Path = typer.Argument(
        ..., help="Folder for report.json/.md, errors.html, training.png", file_okay=False
    ),
    speed_path: Optional[Path] = typer.Option(None, "--speed", help="speed.json of scripts/benchmark_speed.py"),
    target_dev_score: float = typer.Option(0.995, "--target", help="Dev score whose first reaching time is reported"),
    gpu_id: int = typer.Option(-1, "--gpu-id", "-g", help="GPU id, or -1 for the CPU"),
):
    """Evaluation report: model vs dictionary baseline on gold tokens and raw
    text, per-string scores, error page, training curves, speed."""
    if gpu_id >= 0:
        spacy.require_gpu(gpu_id)
    nlp = spacy.load(model)
    train_docs = list(DocBin().from_disk(train_path).get_docs(nlp.vocab))
    gold_docs = list(DocBin().from_disk(test_path).get_docs(nlp.vocab))
    records = read_log(log_path)
    baseline = DictionaryBaseline(nlp, train_docs)
    texts = [doc.text for doc in gold_docs]
    predictions = {
        "model": {
            "gold_tokens": annotate(nlp, gold_token_docs(nlp, gold_docs), len(gold_docs), "gold tokens"),
            "raw_text": annotate(nlp, texts, len(texts), "raw text"),
        },
        "baseline": {
            "gold_tokens": [baseline(doc) for doc in gold_token_docs(nlp, gold_docs)],
            "raw_text": [baseline(nlp.make_doc(text)) for text in texts],
        },
    }
    results = {
        system: {text: score(gold_docs, pred_docs) for text, pred_docs in by_text.items()}
        for system, by_text in predictions.items()
    }
    scores = {system: {text: r[0].to_dict() for text, r in by_text.items()} for system, by_text in results.items()}
    # per-string scores and errors: the model on raw text, as users run it
    _, per_string, errors = results["model"]["raw_text"]
    output_dir.mkdir(parents=True, exist_ok=True)
    report = {
        "model": str(model),
        "test_docs": len(gold_docs),
        "test_entities": sum(len(doc.ents) for doc in gold_docs),
        "baseline_terms": len(baseline.terms),
        "scores": scores,
        "per_string": per_string_rows(per_string),
        "errors": errors,
        "speed": json.loads(speed_path.read_text()) if speed_path else None,
        "training": training_summary(records, target_dev_score),
        "evaluations_plotted": plot_training(records, output_dir / "training.png"),
    }
    (output_dir / "errors.html").write_text(
        render_errors(gold_docs, predictions["model"]["raw_text"], errors), encoding="utf8"
    )
    (output_dir / "report.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf8")
    (output_dir / "report.md").write_text(to_markdown(report), encoding="utf8")
    msg.table(
        [
            (system, text, f"{s['p']:.4f}", f"{s['r']:.4f}", f"{s['f']:.4f}")
            for system, t in scores.items()
            for text, s in t.items()
        ],
        header=("system", "text", "P", "R", "F"),
        divider=True,
    )
    msg.good(f"Saved report.json, report.md, errors.html and training.png to {output_dir}")


if __name__ == "__main__":
    typer.run(main)
