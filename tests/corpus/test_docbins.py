"""dlbook/corpus/docbins.py: the three splits written as DocBins, whole or
not at all."""

import spacy
from spacy.tokens import DocBin

from dlbook.corpus.docbins import write_splits


def test_each_split_is_written_and_reads_back_with_its_entities(tmp_path, sample_doc):
    nlp = spacy.blank("en")
    docs = {"train": [sample_doc(nlp)] * 3, "dev": [sample_doc(nlp)], "test": [sample_doc(nlp)] * 2}
    write_splits(docs, tmp_path / "corpus")
    assert sorted(p.name for p in (tmp_path / "corpus").iterdir()) == ["dev.spacy", "test.spacy", "train.spacy"]
    for split, split_docs in docs.items():
        read = list(DocBin().from_disk(tmp_path / "corpus" / f"{split}.spacy").get_docs(nlp.vocab))
        assert [d.text for d in read] == [d.text for d in split_docs]
        assert [[e.text for e in d.ents] for d in read] == [["model", "gradient descent"]] * len(split_docs)
    first = (tmp_path / "corpus" / "train.spacy").read_bytes()
    write_splits(docs, tmp_path / "corpus")
    assert (tmp_path / "corpus" / "train.spacy").read_bytes() == first  # the same documents, the same bytes
