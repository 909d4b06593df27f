"""scripts/corpus_reader.py: a corpus in any accepted format into
train/dev/test documents: one file split by contiguous blocks, a folder that
comes split kept as it is, formats told by name or first line."""

import pytest
import spacy
from spacy.tokens import DocBin
from test_corpus_columns import FIXTURE
from test_corpus_spans import SHAPES, write_jsonl

from conftest import invoke, sample_doc, write_tsv
from convert import main as convert_cli
from corpus_files import CorpusError
from corpus_reader import InputFormat, ReadOptions, assign_splits, detect_format, read_corpus


def test_splits_are_contiguous_blocks_in_80_10_10():
    splits = assign_splits(200, block_docs=10)
    assert splits[:80] == ["train"] * 80
    assert splits[80:90] == ["dev"] * 10
    assert splits[90:100] == ["test"] * 10
    assert splits[100:180] == ["train"] * 80
    assert [splits.count(s) for s in ("train", "dev", "test")] == [160, 20, 20]


def docbin_file(path, docs):
    DocBin(docs=docs).to_disk(path)
    return path


def test_the_format_is_told_by_name_or_first_line(tmp_path):
    assert detect_format(write_jsonl(tmp_path / "a.jsonl", [SHAPES["doccano label"]])) == InputFormat.jsonl
    assert detect_format(write_jsonl(tmp_path / "a.txt", [SHAPES["doccano label"]])) == InputFormat.jsonl
    assert detect_format(write_tsv(tmp_path / "a.tsv", FIXTURE)) == InputFormat.columns
    assert detect_format(docbin_file(tmp_path / "a.spacy", [sample_doc(spacy.blank("en"))])) == InputFormat.docbin


def numbered_records(n):
    """n records, each its own text (`record 7: a model`), `model` a TERM."""
    return [
        {"text": f"record {i}: a model", "label": [[len(f"record {i}: a "), len(f"record {i}: a model"), "TERM"]]}
        for i in range(n)
    ]


def test_one_jsonl_file_is_split_by_blocks(tmp_path):
    docs, _ = read_corpus(write_jsonl(tmp_path / "c.jsonl", numbered_records(30)), ReadOptions(block_docs=1))
    assert [len(docs[s]) for s in ("train", "dev", "test")] == [24, 3, 3]
    assert [doc.text for doc in docs["dev"]] == ["record 8: a model", "record 18: a model", "record 28: a model"]
    assert all(
        [(e.text, e.label_) for e in doc.ents] == [("model", "TERM")] for split in docs.values() for doc in split
    )


def test_a_folder_that_comes_split_keeps_each_split_as_given_in_any_format(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    write_jsonl(folder / "train.jsonl", numbered_records(5))
    write_tsv(folder / "valid.tsv", FIXTURE)
    docbin_file(folder / "test.spacy", [sample_doc(spacy.blank("en"))] * 2)
    (folder / "README.md").write_text("not a split")
    docs, _ = read_corpus(folder, ReadOptions(block_docs=1))
    assert [doc.text for doc in docs["train"]] == [r["text"] for r in numbered_records(5)]
    assert len(docs["dev"]) == 1 and "model" in docs["dev"][0].text
    assert [doc.text for doc in docs["test"]] == [sample_doc(spacy.blank("en")).text] * 2
    assert [[e.text for e in d.ents] for d in docs["test"]] == [["model", "gradient descent"]] * 2


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
def test_a_split_folder_needs_exactly_one_file_a_split(tmp_path, names, expected):
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


def test_cli_converts_jsonl_reports_expanded_spans_and_refuses_bad_input_writing_nothing(tmp_path):
    records = numbered_records(29) + [{"text": "A k-means model", "label": [[2, 8, "METHOD"]]}]
    path = write_jsonl(tmp_path / "c.jsonl", records)
    out = tmp_path / "out"
    result = invoke(convert_cli, [path, out, "--block-docs", "1"])
    assert result.exit_code == 1 and f"{path}:30: span 2-8 (METHOD) 'k-mean'" in result.stderr
    assert not out.exists()
    result = invoke(convert_cli, [path, out, "--block-docs", "1", "--misaligned", "expand"])
    assert result.exit_code == 0, result.output
    assert "Expanded 1 spans to token edges: 'k-mean' -> 'k-means' (1)" in " ".join(result.output.split())
    (last,) = [
        doc for doc in DocBin().from_disk(out / "test.spacy").get_docs(spacy.blank("en").vocab) if "k-means" in doc.text
    ]
    assert [(e.text, e.label_) for e in last.ents] == [("k-means", "METHOD")]
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    bad = write_jsonl(tmp_path / "bad.jsonl", [*numbered_records(29), {"text": "a model", "label": [[0, 9, "TERM"]]}])
    result = invoke(convert_cli, [bad, out, "--block-docs", "1"])
    assert result.exit_code == 1 and f"{bad}:30: span 0-9 (TERM) is outside the text" in result.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_input_format_option_overrides_detection(tmp_path):
    path = write_jsonl(tmp_path / "c.tsv", numbered_records(10))
    assert read_corpus(path, ReadOptions(block_docs=1))[0]["test"][0].text == "record 9: a model"
    with pytest.raises(CorpusError, match=r"c\.tsv:1: expected 'token<TAB>label'|c\.tsv:1: unknown label"):
        read_corpus(path, ReadOptions(block_docs=1, input_format=InputFormat.columns))
