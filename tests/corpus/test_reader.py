"""nerkit/corpus/reader.py: a corpus in any accepted format into
train/dev/test documents: one file split by contiguous blocks, a folder that
comes split kept as it is, formats told by name or first line."""

import pytest
import spacy

from nerkit.corpus.reader import InputFormat, ReadOptions, assign_splits, detect_format, read_corpus
from nerkit.errors import CorpusError


def test_splits_are_contiguous_blocks_in_80_10_10():
    splits = assign_splits(200, block_docs=10)
    assert splits[:80] == ["train"] * 80
    assert splits[80:90] == ["dev"] * 10
    assert splits[90:100] == ["test"] * 10
    assert splits[100:180] == ["train"] * 80
    assert [splits.count(s) for s in ("train", "dev", "test")] == [160, 20, 20]


def test_the_format_is_told_by_name_or_first_line(
    tmp_path, sample_doc, span_shapes, token_rows, write_docbin, write_jsonl, write_tsv
):
    assert detect_format(write_jsonl(tmp_path / "a.jsonl", [span_shapes["doccano label"]])) == InputFormat.jsonl
    assert detect_format(write_jsonl(tmp_path / "a.txt", [span_shapes["doccano label"]])) == InputFormat.jsonl
    assert detect_format(write_tsv(tmp_path / "a.tsv", token_rows)) == InputFormat.columns
    assert detect_format(write_docbin(tmp_path / "a.spacy", [sample_doc(spacy.blank("en"))])) == InputFormat.docbin


def test_one_jsonl_file_is_split_by_blocks(tmp_path, write_jsonl, numbered_records):
    docs, _ = read_corpus(write_jsonl(tmp_path / "c.jsonl", numbered_records(30)), ReadOptions(block_docs=1))
    assert [len(docs[s]) for s in ("train", "dev", "test")] == [24, 3, 3]
    assert [doc.text for doc in docs["dev"]] == ["record 8: a model", "record 18: a model", "record 28: a model"]
    assert all(
        [(e.text, e.label_) for e in doc.ents] == [("model", "TERM")] for split in docs.values() for doc in split
    )


def test_a_folder_that_comes_split_keeps_each_split_as_given_in_any_format(
    tmp_path, sample_doc, token_rows, write_docbin, write_jsonl, write_tsv, numbered_records
):
    folder = tmp_path / "corpus"
    folder.mkdir()
    write_jsonl(folder / "train.jsonl", numbered_records(5))
    write_tsv(folder / "valid.tsv", token_rows)
    write_docbin(folder / "test.spacy", [sample_doc(spacy.blank("en"))] * 2)
    (folder / "README.md").write_text("not a split")
    docs, _ = read_corpus(folder, ReadOptions(entity_label="TERM", block_docs=1))
    assert [doc.text for doc in docs["train"]] == [r["text"] for r in numbered_records(5)]
    assert len(docs["dev"]) == 1 and "model" in docs["dev"][0].text
    assert [doc.text for doc in docs["test"]] == [sample_doc(spacy.blank("en")).text] * 2
    assert [[e.text for e in d.ents] for d in docs["test"]] == [["model", "gradient descent"]] * 2


def test_a_folder_without_a_dev_file_has_dev_carved_from_train_by_blocks(tmp_path, write_jsonl, numbered_records):
    folder = tmp_path / "corpus"
    folder.mkdir()
    write_jsonl(folder / "train.jsonl", numbered_records(20))
    write_jsonl(folder / "test.jsonl", numbered_records(2))
    docs, repairs = read_corpus(folder, ReadOptions(block_docs=2))
    # blocks of 2 documents, the 9th block of every 9 to dev; test as given
    assert [doc.text for doc in docs["dev"]] == ["record 16: a model", "record 17: a model"]
    assert len(docs["train"]) == 18 and "record 16: a model" not in [d.text for d in docs["train"]]
    assert len(docs["test"]) == 2 and repairs.dev_carved_from == "train.jsonl"
    with pytest.raises(CorpusError, match="too few documents to carve a dev split"):
        read_corpus(folder, ReadOptions(block_docs=10))


@pytest.mark.parametrize(
    "names,expected",
    [
        (["train.jsonl", "dev.jsonl"], "needs one test file (test.*), found none"),
        (
            ["train.jsonl", "dev.jsonl", "valid.jsonl", "test.jsonl"],
            "needs one dev file (dev.* or valid.* or validation.*), found 2: dev.jsonl, valid.jsonl",
        ),
    ],
)
def test_a_split_folder_needs_exactly_one_file_a_split(tmp_path, names, expected, write_jsonl, numbered_records):
    for name in names:
        write_jsonl(tmp_path / name, numbered_records(2))
    with pytest.raises(CorpusError) as error:
        read_corpus(tmp_path)
    assert str(error.value) == f"{tmp_path}:0: a corpus that comes split {expected}"


def test_a_file_that_is_not_a_docbin_is_an_error(tmp_path):
    path = tmp_path / "broken.spacy"
    path.write_bytes(b"\x00not msgpack")
    with pytest.raises(CorpusError, match=r"broken\.spacy:0: not a spaCy DocBin"):
        read_corpus(path)


def test_input_format_option_overrides_detection(tmp_path, write_jsonl, numbered_records):
    path = write_jsonl(tmp_path / "c.tsv", numbered_records(10))
    assert read_corpus(path, ReadOptions(block_docs=1))[0]["test"][0].text == "record 9: a model"
    with pytest.raises(CorpusError, match=r"c\.tsv:1: expected 'token<TAB>label'|c\.tsv:1: unknown label"):
        read_corpus(path, ReadOptions(block_docs=1, input_format=InputFormat.columns))


def test_a_corpus_too_small_for_three_splits_is_refused(tmp_path, write_tsv):
    path = write_tsv(tmp_path / "small.tsv", [("a", "O"), ("model", "B"), (".", "O")] * 3)
    with pytest.raises(CorpusError) as error:
        read_corpus(path, ReadOptions(entity_label="TERM", max_sent_tokens=3, max_doc_tokens=3))
    message = str(error.value)
    assert message.startswith(f"{path}:0: too small for non-empty train/dev/test splits: 3 documents")
    assert "dev, test empty" in message


def test_the_book_converts_in_documented_proportions(book_corpus):
    docs, repairs = read_corpus(book_corpus, ReadOptions(entity_label="TERM"))
    tokens = {split: sum(len(d) for d in split_docs) for split, split_docs in docs.items()}
    total = sum(tokens.values())
    assert total == 346_718
    assert 0.78 < tokens["train"] / total < 0.83
    assert 0.08 < tokens["dev"] / total < 0.11 and 0.08 < tokens["test"] / total < 0.11
    assert sum(len(d.ents) for split_docs in docs.values() for d in split_docs) == 2004
    assert max(len(d) for split_docs in docs.values() for d in split_docs) <= 256
    assert repairs.private_use_tokens == 2072


def test_raw_text_keeps_ligatures(tmp_path, write_tsv, token_rows):
    path = write_tsv(tmp_path / "tiny.tsv", token_rows * 3)
    docs, _ = read_corpus(path, ReadOptions(entity_label="TERM", normalize=False, block_docs=1, max_doc_tokens=8))
    assert "ﬁne" in " ".join(doc.text for doc in docs["train"])
