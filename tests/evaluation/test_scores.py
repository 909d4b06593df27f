"""nerkit/evaluation/scores.py: predicted against gold entities by
character offsets, overall and per label."""

import pytest
import spacy

from nerkit.common.entities import char_spans
from nerkit.evaluation.scores import SpanScores


def test_char_offset_scores_on_a_hand_checked_fixture(annotated):
    nlp = spacy.blank("en")
    words = ["the", "model", "and", "the", "bound", "fit"]
    gold = annotated(nlp, words, [(1, 2), (4, 5)])
    pred = annotated(nlp, words, [(1, 2), (5, 6)])  # one hit, one miss, one false alarm
    scores = SpanScores()
    scores.add(char_spans(gold), char_spans(pred))
    result = scores.to_dict()
    assert (result["tp"], result["fp"], result["fn"]) == (1, 1, 1)
    assert result["p"] == pytest.approx(0.5) and result["r"] == pytest.approx(0.5) and result["f"] == pytest.approx(0.5)
    assert result["per_label"]["TERM"] == {k: v for k, v in result.items() if k != "per_label"}


def test_scores_per_label_count_a_wrong_label_against_both_labels():
    gold = {(0, 5, "PER"), (10, 15, "LOC")}
    pred = {(0, 5, "PER"), (10, 15, "ORG")}
    scores = SpanScores()
    scores.add(gold, pred)
    per_label = scores.to_dict()["per_label"]
    assert {label: (s["tp"], s["fp"], s["fn"]) for label, s in per_label.items()} == {
        "LOC": (0, 0, 1),
        "ORG": (0, 1, 0),
        "PER": (1, 0, 0),
    }


def test_partial_overlap_is_both_a_false_positive_and_a_miss(annotated):
    nlp = spacy.blank("en")
    gold = annotated(nlp, ["gradient", "descent", "works"], [(0, 2)])
    pred = annotated(nlp, ["gradient", "descent", "works"], [(1, 2)])
    scores = SpanScores()
    scores.add(char_spans(gold), char_spans(pred))
    assert scores.to_dict()["f"] == 0.0


def test_empty_scores_are_zero_not_an_error():
    assert SpanScores().to_dict() == {"p": 0.0, "r": 0.0, "f": 0.0, "tp": 0, "fp": 0, "fn": 0, "per_label": {}}
