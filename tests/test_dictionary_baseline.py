"""scripts/dictionary_baseline.py: the word list the model is compared with."""

import spacy
from test_report import annotated

from dictionary_baseline import DictionaryBaseline


def test_dictionary_baseline_matches_training_strings_case_insensitively_longest_first():
    nlp = spacy.blank("en")
    train = [annotated(nlp, ["gradient", "descent", "and", "descent", "of", "the", "model"], [(0, 2), (3, 4), (6, 7)])]
    train.append(annotated(nlp, ["visit", "paris"], [(1, 2)], label="LOC"))
    baseline = DictionaryBaseline(nlp, train)
    doc = baseline(nlp("Gradient Descent beats a MODEL but not a modal in Paris."))
    assert [(e.text, e.label_) for e in doc.ents] == [("Gradient Descent", "TERM"), ("MODEL", "TERM"), ("Paris", "LOC")]
    assert sorted(baseline.terms) == ["descent", "gradient descent", "model", "paris"]
