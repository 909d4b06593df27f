"""nerkit/evaluation/report.py: scores, errors and per-string rows from the
evaluation files, the error page, the report without running the model."""

import json

import spacy
from spacy.tokens import DocBin

from nerkit.evaluation.baseline import records_of
from nerkit.evaluation.report import (
    build_report,
    error_analysis,
    per_string_rows,
    render_errors,
    score_records,
    to_markdown,
    write_report,
)

WORDS = ["the", "model", "fits", ".", "a", "bound", "holds", "."]
STARTS = [True, False, False, False, True, False, False, False]


def one_fp_one_fn(annotated):
    nlp = spacy.blank("en")
    gold = annotated(nlp, WORDS, [(1, 2), (5, 6)], sent_starts=STARTS)
    pred = annotated(nlp, WORDS, [(1, 2), (6, 7)])  # "bound" missed, "holds" wrongly found
    return gold, records_of([gold], [pred])


def test_scores_errors_and_per_string_rows_on_one_fp_and_one_fn(annotated):
    gold, records = one_fp_one_fn(annotated)
    scores = score_records(records).to_dict()
    assert (scores["tp"], scores["fp"], scores["fn"]) == (1, 1, 1)
    per_string, errors = error_analysis(records, [gold])
    assert sorted((e["kind"], e["text"], e["label"], e["sentence"]) for e in errors) == [
        ("FN", "bound", "TERM", "a bound holds ."),
        ("FP", "holds", "TERM", "a bound holds ."),
    ]
    rows = {r["string"]: r for r in per_string_rows(per_string)}
    assert (rows["model"]["support"], rows["model"]["f"]) == (1, 1.0)
    assert (rows["bound"]["support"], rows["bound"]["r"]) == (1, 0.0)
    assert (rows["holds"]["support"], rows["holds"]["p"]) == (0, 0.0)
    assert per_string_rows(per_string)[-1]["string"] == "model"  # weakest first


def test_error_page_is_a_self_contained_html_page_marking_fp_and_fn(annotated):
    gold, records = one_fp_one_fn(annotated)
    _, errors = error_analysis(records, [gold])
    html = render_errors(records, errors)
    assert html.lstrip().startswith("<!DOCTYPE html>")
    assert "Document 0: gold" in html and "Document 0: predicted" in html
    assert "FN</span>" in html and "FP</span>" in html
    assert "<script" not in html and 'src="http' not in html


def test_error_page_gives_every_label_its_own_colour():
    records = [{"text": "Ann in Rome", "gold": [[0, 3, "PER"], [7, 11, "LOC"]], "predicted": [[0, 3, "PER"]]}]
    html = render_errors(records, [{"doc": 0}])
    colours = {label: html.split(f"{label}</span>")[0].rsplit("background: ", 1)[1][:7] for label in ("PER", "FN")}
    assert colours["PER"].startswith("#") and colours["PER"] != colours["FN"]


def test_report_is_built_from_the_evaluation_files_without_running_the_model(tmp_path, annotated, training_records):
    """A pipeline with an ner that was never trained: the report must take
    the model's scores from the metrics files, not from running it."""
    nlp = spacy.blank("en")
    nlp.add_pipe("ner").add_label("TERM")
    nlp.initialize()
    nlp.to_disk(tmp_path / "model")
    gold, records = one_fp_one_fn(annotated)
    train = annotated(nlp, ["a", "model", "and", "a", "bound"], [(1, 2), (4, 5)])
    DocBin(docs=[train]).to_disk(tmp_path / "train.spacy")
    DocBin(docs=[gold]).to_disk(tmp_path / "test.spacy")
    metrics = tmp_path / "metrics"
    metrics.mkdir()
    (metrics / "test_predictions.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    raw = {**score_records(records).to_dict(), "note": "from evaluate_raw"}
    (metrics / "test_raw_text.json").write_text(json.dumps({"scores": {"as_converted": raw}}))
    gold_eval = {"ents_p": 0.5, "ents_r": 0.5, "ents_f": 0.5, "ents_per_type": {"TERM": {"p": 0.5, "r": 0.5, "f": 0.5}}}
    (metrics / "test_gold_tokens.json").write_text(json.dumps(gold_eval))
    report, _ = build_report(
        tmp_path / "model", tmp_path / "train.spacy", tmp_path / "test.spacy", metrics, training_records(), 0.9
    )
    assert report["training"]["step_to_target"] == 200 and report["training"]["target_dev_score"] == 0.9
    assert report["scores"]["model"]["raw_text"] == json.loads(json.dumps(raw))
    assert report["scores"]["model"]["gold_tokens"]["f"] == 0.5
    # the word list (model, bound) finds both gold entities of the test text
    assert report["scores"]["baseline"]["raw_text"]["f"] == 1.0
    assert [(e["kind"], e["text"]) for e in report["errors"]] == [("FN", "bound"), ("FP", "holds")]
    assert report["labels"] == ["TERM"] and report["speed"] is None
    markdown = to_markdown(report)
    assert "| model | raw text | 0.5000 | 0.5000 | 0.5000 | 1 | 1 | 1 |" in markdown
    assert "| model | gold tokens | 0.5000 | 0.5000 | 0.5000 | - | - | - |" in markdown
    assert "| TERM | baseline | raw text | 1.0000 | 1.0000 | 1.0000 |" in markdown
    assert "- FN TERM `bound`: a bound holds ." in markdown


def test_write_report_leaves_every_file_of_the_report(tmp_path, annotated, training_records):
    nlp = spacy.blank("en")
    nlp.to_disk(tmp_path / "model")
    gold, records = one_fp_one_fn(annotated)
    DocBin(docs=[gold]).to_disk(tmp_path / "train.spacy")
    DocBin(docs=[gold]).to_disk(tmp_path / "test.spacy")
    metrics = tmp_path / "metrics"
    metrics.mkdir()
    (metrics / "test_predictions.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    (metrics / "test_raw_text.json").write_text(
        json.dumps({"scores": {"as_converted": score_records(records).to_dict()}})
    )
    (metrics / "test_gold_tokens.json").write_text(json.dumps({"ents_p": 0.5, "ents_r": 0.5, "ents_f": 0.5}))
    log = tmp_path / "log.jsonl"
    log.write_text("".join(json.dumps(r) + "\n" for r in training_records()))
    report = write_report(tmp_path / "model", tmp_path / "train.spacy", tmp_path / "test.spacy", log, metrics, 0.99)
    written = json.loads((metrics / "report.json").read_text())
    assert written.pop("record")["machine"]["cores"] > 0  # the run that wrote it
    assert written == json.loads(json.dumps(report))
    assert (metrics / "report.md").read_text() == to_markdown(report) and "not reached" in to_markdown(report)
    assert (metrics / "errors.html").read_text().lstrip().startswith("<!DOCTYPE html>")
    assert (metrics / "training.png").read_bytes().startswith(b"\x89PNG")
