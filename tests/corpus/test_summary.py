"""nerkit/corpus/summary.py: what `convert` prints of the splits and the
repairs."""

import spacy

from nerkit.corpus.repairs import Repairs
from nerkit.corpus.summary import print_summary


def test_summary_shows_each_split_its_labels_strings_and_repairs(capsys, sample_doc):
    nlp = spacy.blank("en")
    docs = {"train": [sample_doc(nlp)] * 2, "dev": [sample_doc(nlp)], "test": [sample_doc(nlp)]}
    repairs = Repairs(orphan_i=1, normalized_tokens=3, private_use_tokens=2, stripped_tokens=6)
    repairs.skipped_lines.extend(f"train.conll:{number}" for number in range(1, 13))
    repairs.fragment_entities["tion"] += 4
    repairs.skipped_answers["reject"] += 5
    print_summary(docs, repairs)
    out = " ".join(capsys.readouterr().out.split())
    assert "split tokens sentences docs TERM" in out and "train 16 4 2 4" in out
    assert "Most frequent entity strings: model (4), gradient descent (4)" in out
    assert "Repairs: 1 'I' without an open entity started a new one; 3 tokens normalised (2 with private-use" in out
    assert "Dropped 4 entities on line-break fragments: tion (4)" in out
    assert "Skipped 5 records by their answer: reject (5)" in out
    assert "Stripped the whitespace around 6 tokens" in out
    skipped = ", ".join(f"train.conll:{number}" for number in range(1, 11))
    assert f"Skipped 12 'O' lines whose token is empty or holds whitespace: {skipped} ..." in out
