"""nerkit/benchmarks/annotate.py: the collection made from the test texts,
and the tokenizer alone over it."""

import json

import spacy
from spacy.tokens import DocBin

from nerkit.benchmarks.annotate import make_collection, tokenizer_speed


def test_the_collection_repeats_the_test_texts_until_it_holds_enough_words(tmp_path, sample_doc):
    nlp = spacy.blank("en")
    DocBin(docs=[sample_doc(nlp)] * 3).to_disk(tmp_path / "test.spacy")
    size = make_collection(tmp_path / "test.spacy", tmp_path / "collection.jsonl", min_words=50)
    # 3 texts of 8 words a pass: 3 passes for 50 words
    assert size == {"lines": 9, "words": 72}
    records = [json.loads(line) for line in (tmp_path / "collection.jsonl").read_text().splitlines()]
    assert [r["id"] for r in records[:4]] == ["0-0", "0-1", "0-2", "1-0"]
    assert {r["text"] for r in records} == {sample_doc(nlp).text}
    nlp.to_disk(tmp_path / "model")
    speed = tokenizer_speed(str(tmp_path / "model"), tmp_path / "collection.jsonl")
    assert speed["words"] == 72 and speed["words_per_second"] > 0
