"""nerkit/evaluation/sentence_sets.py: sentences written outside the corpus,
read with their offsets and scored per class; sets without a label of the
model left out."""

from nerkit.evaluation.sentence_sets import (
    read_sentences,
    score_sentences,
    split_sets_by_labels,
)


def test_sentence_sets_are_read_with_their_offsets_and_scored_per_class(tmp_path, term_ruler):
    path = tmp_path / "s.jsonl"
    lines = [
        '{"text": "A K-Means run", "spans": [{"start": 2, "end": 9, "label": "TERM"}], "class": "cased"}',
        '{"text": "a mo\\u00addel", "spans": [{"start": 2, "end": 8, "label": "TERM"}], "class": "soft_hyphen"}',
        '{"text": "no term here", "spans": [{"start": 3, "end": 7, "label": "TERM"}], "class": "cased"}',
    ]
    path.write_text("\n".join(lines) + "\n\n")
    assert read_sentences(path)[0] == (("A K-Means run", {(2, 9, "TERM")}), "cased")
    result = score_sentences(term_ruler(), path, "test")
    assert (result["tp"], result["fp"], result["fn"]) == (2, 0, 1)
    assert result["per_class"]["soft_hyphen"]["r"] == 1.0 and result["per_class"]["cased"]["fn"] == 1
    assert result["errors"] == [{"kind": "FN", "text": "term", "sentence": "no term here"}]


def test_a_set_without_a_label_of_the_model_is_left_out_with_its_reason(tmp_path):
    terms, people = tmp_path / "terms.jsonl", tmp_path / "people.jsonl"
    terms.write_text('{"text": "a model", "spans": [{"start": 2, "end": 7, "label": "TERM"}]}\n')
    people.write_text('{"text": "Alice", "spans": [{"start": 0, "end": 5, "label": "PER"}]}\n')
    kept, skipped = split_sets_by_labels({"terms": terms, "people": people}, ["LOC", "PER"])
    assert kept == {"people": people}
    assert skipped == {"terms": f"{terms}: labels TERM, none of the model's"}
