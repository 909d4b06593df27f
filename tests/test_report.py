import json

import spacy
from report import DictionaryBaseline, per_string_rows, plot_training, read_log, render_errors, score, training_summary
from spacy.tokens import Doc, Span


def annotated(nlp, words, ents, sent_starts=None):
    doc = Doc(nlp.vocab, words=words, spaces=[True] * (len(words) - 1) + [False], sent_starts=sent_starts)
    doc.ents = [Span(doc, s, e, "TERM") for s, e in ents]
    return doc


WORDS = ["the", "model", "fits", ".", "a", "bound", "holds", "."]
STARTS = [True, False, False, False, True, False, False, False]


def test_scores_errors_and_per_string_rows_on_one_fp_and_one_fn():
    nlp = spacy.blank("en")
    gold = annotated(nlp, WORDS, [(1, 2), (5, 6)], STARTS)
    pred = annotated(nlp, WORDS, [(1, 2), (6, 7)])  # "bound" missed, "holds" wrongly found
    overall, per_string, errors = score([gold], [pred])
    assert (overall.tp, overall.fp, overall.fn) == (1, 1, 1)
    assert sorted((e["kind"], e["text"], e["sentence"]) for e in errors) == [
        ("FN", "bound", "a bound holds ."),
        ("FP", "holds", "a bound holds ."),
    ]
    rows = {r["string"]: r for r in per_string_rows(per_string)}
    assert (rows["model"]["support"], rows["model"]["f"]) == (1, 1.0)
    assert (rows["bound"]["support"], rows["bound"]["r"]) == (1, 0.0)
    assert (rows["holds"]["support"], rows["holds"]["p"]) == (0, 0.0)
    assert per_string_rows(per_string)[-1]["string"] == "model"  # weakest first


def test_dictionary_baseline_matches_training_strings_case_insensitively_longest_first():
    nlp = spacy.blank("en")
    train = [annotated(nlp, ["gradient", "descent", "and", "descent", "of", "the", "model"], [(0, 2), (3, 4), (6, 7)])]
    baseline = DictionaryBaseline(nlp, train)
    doc = baseline(nlp("Gradient Descent beats a MODEL but not a modal."))
    assert [e.text for e in doc.ents] == ["Gradient Descent", "MODEL"]
    assert sorted(baseline.terms) == ["descent", "gradient descent", "model"]


def test_error_page_is_a_self_contained_html_page_marking_fp_and_fn():
    nlp = spacy.blank("en")
    gold = annotated(nlp, WORDS, [(1, 2), (5, 6)], STARTS)
    pred = annotated(nlp, WORDS, [(1, 2), (6, 7)])
    _, _, errors = score([gold], [pred])
    html = render_errors([gold], [pred], errors)
    assert html.lstrip().startswith("<!DOCTYPE html>")
    assert "Document 0: gold" in html and "Document 0: predicted" in html
    assert "FN</span>" in html and "FP</span>" in html
    assert "<script" not in html and 'src="http' not in html


def test_training_curve_png_from_a_jsonl_log(tmp_path):
    log = tmp_path / "log.jsonl"
    log.write_text(
        "\n".join(
            json.dumps(
                {
                    "epoch": 0,
                    "step": step,
                    "seconds": step // 10,
                    "words": step * 100,
                    "score": score,
                    "losses": {"tok2vec": 1.0 / (step + 1), "ner": 2.0 / (step + 1)},
                }
            )
            for step, score in [(0, 0.0), (100, 0.8), (200, 0.95)]
        )
    )
    records = read_log(log)
    assert plot_training(records, tmp_path / "training.png") == 3
    summary = training_summary(records, target=0.9)
    assert (summary["steps"], summary["seconds"], summary["steps_per_second"]) == (200, 20, 10.0)
    assert (summary["best_dev_score"], summary["best_step"]) == (0.95, 200)
    assert (summary["seconds_to_target"], summary["step_to_target"]) == (20, 200)
    assert training_summary(records, target=0.99)["seconds_to_target"] is None
    png = (tmp_path / "training.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 10_000
