"""nerkit/corpus/docbins.py: the three splits written as DocBins, whole or
not at all, and never over the corpus they are read from."""

import pytest
import spacy
from spacy.tokens import DocBin

from nerkit.corpus.docbins import check_output_is_not_input, write_splits
from nerkit.errors import CorpusError


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


def test_the_splits_are_never_written_over_the_corpus_they_come_from(tmp_path):
    (tmp_path / "split").mkdir()
    for split in ("train", "dev", "test"):
        (tmp_path / "split" / f"{split}.spacy").write_bytes(b"")
    with pytest.raises(CorpusError, match="would write the splits"):
        check_output_is_not_input(tmp_path / "split" / "train.spacy", tmp_path / "split")
    with pytest.raises(CorpusError, match="would write the splits"):
        check_output_is_not_input(tmp_path / "split", tmp_path / "split" / ".")
    # another folder, or a corpus file beside the splits, is fine
    check_output_is_not_input(tmp_path / "split", tmp_path / "corpus")
    (tmp_path / "split" / "corpus.tsv").write_text("model\tB\n")
    check_output_is_not_input(tmp_path / "split" / "corpus.tsv", tmp_path / "split")
