"""nerkit/evaluation/baseline.py: the word list the model is compared with."""

import spacy

from nerkit.evaluation.baseline import DictionaryBaseline, baseline_records


def test_dictionary_baseline_matches_training_strings_case_insensitively_longest_first(annotated):
    nlp = spacy.blank("en")
    train = [annotated(nlp, ["gradient", "descent", "and", "descent", "of", "the", "model"], [(0, 2), (3, 4), (6, 7)])]
    train.append(annotated(nlp, ["visit", "paris"], [(1, 2)], label="LOC"))
    baseline = DictionaryBaseline(nlp, train)
    doc = baseline(nlp("Gradient Descent beats a MODEL but not a modal in Paris."))
    assert [(e.text, e.label_) for e in doc.ents] == [("Gradient Descent", "TERM"), ("MODEL", "TERM"), ("Paris", "LOC")]
    assert sorted(baseline.strings) == ["descent", "gradient descent", "model", "paris"]


def test_baseline_records_on_gold_tokens_and_on_raw_text(annotated, hyphen_nlp):
    nlp = hyphen_nlp()
    train = [annotated(nlp, ["the", "k-means", "model"], [(1, 2)])]
    # the corpus's own tokens split "k-means" as the tokenizer would not: only raw text finds it
    gold = annotated(
        nlp,
        ["we", "ran", "k", "-", "means", "and", "k-means"],
        [(6, 7)],
        spaces=[True, True, False, False, True, True, False],
    )
    records = baseline_records(nlp, DictionaryBaseline(nlp, train), [gold])
    assert records["gold_tokens"] == [{"text": gold.text, "gold": [(19, 26, "TERM")], "predicted": [(19, 26, "TERM")]}]
    assert records["raw_text"][0]["predicted"] == [(7, 14, "TERM"), (19, 26, "TERM")]
