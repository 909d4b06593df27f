"""Write a readable evaluation report of a trained pipeline on the test split,
from what the evaluation steps wrote (the model is not run again):

- precision/recall/F on the corpus's own (gold) tokens (`spacy evaluate`) and
  on raw text (`evaluate-raw`), overall and per label, beside a dictionary
  baseline built from the training split;
- scores per distinct entity string, weakest first;
- every false positive and false negative with its sentence, and a displaCy
  page of the documents with errors (gold and predicted, errors marked);
- training curves (dev score and losses against steps and seconds);
- the speed measured by `benchmark-speed`.
"""

import json
from collections import defaultdict
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import srsly
from spacy import displacy
from spacy.scorer import PRFScore
from spacy.tokens import Doc, DocBin
from wasabi import MarkdownRenderer

from nerkit.common.atomic_files import write_atomic, write_json
from nerkit.common.entities import label_colors
from nerkit.common.loading import load_tokenizer
from nerkit.common.machine import with_run_record
from nerkit.errors import NerkitError
from nerkit.evaluation.baseline import DictionaryBaseline, Record, baseline_records
from nerkit.evaluation.scores import SpanScores, prf_dict
from nerkit.evaluation.training_log import plot_training, read_log, training_summary


def spans_of(entities: Sequence[Sequence]) -> set:
    return {(start, end, label) for start, end, label in entities}


def score_records(records: Sequence[Record]) -> SpanScores:
    scores = SpanScores()
    for record in records:
        scores.add(spans_of(record["gold"]), spans_of(record["predicted"]))
    return scores


def error_analysis(records: Sequence[Record], gold_docs: Sequence[Doc]) -> Tuple[Dict[str, PRFScore], List[Dict]]:
    """Scores per entity string and every error with its sentence."""
    per_string: Dict[str, PRFScore] = defaultdict(PRFScore)
    errors = []
    for doc_id, (record, gold) in enumerate(zip(records, gold_docs, strict=True)):
        gold_spans, pred_spans = spans_of(record["gold"]), spans_of(record["predicted"])
        for span in sorted(gold_spans | pred_spans):
            text = record["text"][span[0] : span[1]]
            per_string[text].score_set(pred_spans & {span}, gold_spans & {span})
            if (span in gold_spans) != (span in pred_spans):
                sentence = gold.char_span(span[0], span[1], alignment_mode="expand")
                context = sentence.sent.text if gold.has_annotation("SENT_START") else gold.text
                errors.append(
                    {
                        "doc": doc_id,
                        "kind": "FN" if span in gold_spans else "FP",
                        "text": text,
                        "label": span[2],
                        "start": span[0],
                        "end": span[1],
                        "sentence": context,
                    }
                )
    return dict(per_string), errors


def per_string_rows(per_string: Dict[str, PRFScore]) -> List[Dict]:
    rows = [{"string": text, "support": s.tp + s.fn, **prf_dict(s)} for text, s in per_string.items()]
    return sorted(rows, key=lambda r: (r["f"], -r["support"], r["string"]))


def render_errors(records: Sequence[Record], errors: Sequence[Dict]) -> str:
    """A self-contained displaCy page: for each document with an error, the
    gold entities (misses marked FN) and the predicted ones (FP marked)."""
    labels = {span[2] for record in records for span in record["gold"] + record["predicted"]}
    parsed = []
    for doc_id in sorted({error["doc"] for error in errors}):
        gold_spans, pred_spans = spans_of(records[doc_id]["gold"]), spans_of(records[doc_id]["predicted"])
        for title, spans, other, mark in (
            ("gold", gold_spans, pred_spans, "FN"),
            ("predicted", pred_spans, gold_spans, "FP"),
        ):
            ents = [
                {"start": s, "end": e, "label": label if (s, e, label) in other else mark}
                for s, e, label in sorted(spans)
            ]
            parsed.append({"text": records[doc_id]["text"], "ents": ents, "title": f"Document {doc_id}: {title}"})
    if not parsed:
        parsed.append({"text": "No errors on the test split.", "ents": [], "title": "No errors"})
    options = {"colors": label_colors(labels)}
    return displacy.render(parsed, style="ent", manual=True, page=True, options=options)


def gold_token_scores(evaluation: Dict) -> Dict[str, Any]:
    """`spacy evaluate`'s entity scores in the report's form (it gives no
    counts)."""
    return {
        "p": evaluation["ents_p"],
        "r": evaluation["ents_r"],
        "f": evaluation["ents_f"],
        "per_label": dict(sorted((evaluation.get("ents_per_type") or {}).items())),
    }


def count(scores: Dict, key: str) -> str:
    return str(scores[key]) if key in scores else "-"


def scores_rows(report: Dict) -> List[Tuple[str, ...]]:
    rows = []
    for system in ("model", "baseline"):
        for text in ("gold_tokens", "raw_text"):
            s = report["scores"][system][text]
            prf = (f"{s['p']:.4f}", f"{s['r']:.4f}", f"{s['f']:.4f}")
            rows.append((system, text.replace("_", " "), *prf, *(count(s, key) for key in ("tp", "fp", "fn"))))
    return rows


def per_label_rows(report: Dict) -> List[Tuple[str, ...]]:
    rows = []
    for label in report["labels"]:
        for system in ("model", "baseline"):
            for text in ("gold_tokens", "raw_text"):
                s = report["scores"][system][text]["per_label"].get(label, {"p": 0.0, "r": 0.0, "f": 0.0})
                rows.append((label, system, text.replace("_", " "), f"{s['p']:.4f}", f"{s['r']:.4f}", f"{s['f']:.4f}"))
    return rows


def add_errors(markdown: MarkdownRenderer, report: Dict, max_rows: int) -> None:
    markdown.add(markdown.title(2, "Per entity string (raw text, weakest first)"))
    rows = [
        (markdown.code(row["string"]), str(row["support"]), f"{row['p']:.3f}", f"{row['r']:.3f}", f"{row['f']:.3f}")
        for row in report["per_string"][:max_rows]
    ]
    markdown.add(markdown.table(rows, ("string", "support", "P", "R", "F"), aligns=("l", "r", "r", "r", "r")))
    markdown.add(markdown.title(2, f"Errors (raw text): {len(report['errors'])}"))
    markdown.add(f"See {markdown.code('errors.html')} for the documents.")
    errors = report["errors"][:max_rows]
    if errors:
        markdown.add(
            markdown.list(f"{e['kind']} {e['label']} {markdown.code(e['text'])}: {e['sentence']}" for e in errors)
        )


def add_speed(markdown: MarkdownRenderer, speed: Optional[Dict]) -> None:
    if not speed:
        return
    markdown.add(markdown.title(2, f"Speed on {speed['machine']} ({markdown.code('nlp.pipe')})"))
    rows = [
        (str(r["batch_size"]), f"{r['words_per_second']:,.0f}", f"{r['ci95_low']:,.0f}-{r['ci95_high']:,.0f}")
        for r in speed["results"]
    ]
    markdown.add(markdown.table(rows, ("batch size", "words/s", "95% CI"), aligns=("r", "r", "l")))


def add_training(markdown: MarkdownRenderer, t: Dict) -> None:
    to_target = (
        f"{t['seconds_to_target']} s (step {t['step_to_target']})"
        if t["seconds_to_target"] is not None
        else "not reached"
    )
    markdown.add(markdown.title(2, "Training"))
    markdown.add(
        f"{t['steps']} steps in {t['seconds']} s of training loop ({t['steps_per_second'] or 0:.1f} steps/s, "
        f"{t['words_per_second'] or 0:,.0f} words/s); best dev score {t['best_dev_score']:.4f} at step "
        f"{t['best_step']} ({t['best_seconds']} s); dev score {t['target_dev_score']} reached: {to_target}."
    )
    markdown.add(f"Training curves: {markdown.code('training.png')}.")


def to_markdown(report: Dict, max_rows: int = 15) -> str:
    """The report as Markdown (wasabi's renderer): scores, per label, per
    entity string, errors, speed, training."""
    markdown = MarkdownRenderer()
    markdown.add(markdown.title(1, f"Evaluation report: {markdown.code(report['model'])}"))
    markdown.add(
        f"Test split: {report['test_docs']} documents, {report['test_entities']} entities "
        f"({', '.join(report['labels'])})."
    )
    header = ("system", "text", "P", "R", "F", "TP", "FP", "FN")
    markdown.add(markdown.table(scores_rows(report), header, aligns=("l", "l", "r", "r", "r", "r", "r", "r")))
    markdown.add(
        f"Baseline: case-insensitive phrase matching of the {report['baseline_strings']} entity strings "
        "of the training split, with their label there. Gold tokens for the model: `spacy evaluate --gold-preproc` "
        "(no counts)."
    )
    markdown.add(markdown.title(2, "Per label"))
    header = ("label", "system", "text", "P", "R", "F")
    markdown.add(markdown.table(per_label_rows(report), header, aligns=("l", "l", "l", "r", "r", "r")))
    add_errors(markdown, report, max_rows)
    add_speed(markdown, report.get("speed"))
    add_training(markdown, report["training"])
    return markdown.text + "\n"


def build_report(
    model: Path,
    train_path: Path,
    test_path: Path,
    metrics_dir: Path,
    log_records: Sequence[Dict],
    target_dev_score: float,
) -> Tuple[Dict, List[Record]]:
    """The report's content, and the model's raw-text records for the error page.
    model: the pipeline folder (its tokenizer only); train_path, test_path:
    the DocBins; metrics_dir: the evaluation steps' files; log_records: the
    training log; target_dev_score: the dev score whose first reaching is
    reported."""
    nlp = load_tokenizer(model)
    train_docs = list(DocBin().from_disk(train_path).get_docs(nlp.vocab))
    gold_docs = list(DocBin().from_disk(test_path).get_docs(nlp.vocab))
    model_records = list(srsly.read_jsonl(metrics_dir / "test_predictions.jsonl"))
    if [r["text"] for r in model_records] != [doc.text for doc in gold_docs]:
        raise NerkitError(f"{metrics_dir / 'test_predictions.jsonl'} does not hold the texts of {test_path}")
    baseline = DictionaryBaseline(nlp, train_docs)
    baseline_scores = {
        text: score_records(rs).to_dict() for text, rs in baseline_records(nlp, baseline, gold_docs).items()
    }
    raw_scores = json.loads((metrics_dir / "test_raw_text.json").read_text())["scores"]
    per_string, errors = error_analysis(model_records, gold_docs)
    speed_path = metrics_dir / "speed.json"
    report = {
        "model": str(model),
        "test_docs": len(gold_docs),
        "test_entities": sum(len(doc.ents) for doc in gold_docs),
        "labels": sorted({ent.label_ for doc in [*train_docs, *gold_docs] for ent in doc.ents}),
        "baseline_strings": len(baseline.strings),
        "scores": {
            "model": {
                "gold_tokens": gold_token_scores(json.loads((metrics_dir / "test_gold_tokens.json").read_text())),
                "raw_text": raw_scores["as_converted"],
            },
            "baseline": baseline_scores,
        },
        "per_string": per_string_rows(per_string),
        "errors": errors,
        "speed": json.loads(speed_path.read_text()) if speed_path.exists() else None,
        "training": training_summary(log_records, target_dev_score),
    }
    return report, model_records


def write_report(
    model: Path, train_path: Path, test_path: Path, log_path: Path, metrics_dir: Path, target_dev_score: float
) -> Dict:
    """report.json, report.md, errors.html and training.png in `metrics_dir`,
    from the files the evaluation steps left there; returns the report."""
    log_records = read_log(log_path)
    report, model_records = build_report(model, train_path, test_path, metrics_dir, log_records, target_dev_score)
    plot_training(log_records, metrics_dir / "training.png")
    write_atomic(metrics_dir / "errors.html", render_errors(model_records, report["errors"]))
    write_json(metrics_dir / "report.json", with_run_record(report))
    write_atomic(metrics_dir / "report.md", to_markdown(report))
    return report
