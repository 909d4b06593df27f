"""nerkit/corpus/quality.py: each finding on a hand-made corpus, the leaks
between splits, a corpus read through its documents."""

import spacy

from nerkit.corpus.quality import analyse, leaks, stream_of_docs
from nerkit.corpus.token_lines import read_columns


def test_analysis_counts_each_finding_of_a_hand_made_corpus(tmp_path, write_tsv, quality_rows):
    report = analyse(read_columns(write_tsv(tmp_path / "q.tsv", quality_rows)), "TERM")
    assert (report["tokens"], report["entities"]) == (12, 4)
    assert report["entity_strings"] == {"tion": 1, "model": 1, "ﬁne-tuning loss": 1, "work": 1}
    assert (report["line_break_fragments"], report["line_break_fragments_labelled_as_entity"]) == (1, 1)
    assert report["confirmed_line_break_fragments"] == 1
    assert report["labelled_both_ways"] == {"model": {"as_entity": 1, "not_entity": 1}}
    assert (report["private_use_tokens"], report["private_use_distinct_glyphs"]) == (1, 1)
    assert (report["ligature_tokens"], report["ligature_tokens_in_entities"]) == (1, 1)
    assert report["other_nfkc_tokens"] == 1  # µ
    assert report["orphan_i"] == 1


def test_texts_in_more_than_one_split_are_reported_as_leaks(tmp_path):
    nlp = spacy.blank("en")
    docs = {
        "train": [nlp("a model here"), nlp("only in train")],
        "dev": [nlp("a  model\nhere")],  # the same text but for whitespace
        "test": [nlp("only in test"), nlp("only in train")],
    }
    report = leaks(docs)
    assert report["texts_in_several_splits"] == 2
    assert report["examples"] == [
        {"text": "a model here", "splits": ["dev", "train"]},
        {"text": "only in train", "splits": ["test", "train"]},
    ]
    assert leaks({"train": docs["train"][:1], "dev": [], "test": docs["test"][:1]})["texts_in_several_splits"] == 0


def test_documents_are_analysed_as_one_stream_of_their_tokens_and_labels(tmp_path, sample_doc):
    nlp = spacy.blank("en")
    stream = stream_of_docs(tmp_path / "corpus.jsonl", [sample_doc(nlp), sample_doc(nlp)])
    assert stream.tokens == [t.text for t in sample_doc(nlp)] * 2
    assert stream.document_breaks == {8} and stream.lines == [1] * 8 + [2] * 8
    report = analyse(stream)
    assert report["entity_strings"] == {"model": 2, "gradient descent": 2} and report["orphan_i"] == 0
