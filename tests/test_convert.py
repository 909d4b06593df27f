import os
import sys

import pytest
from spacy.tokens import DocBin
from spacy.vocab import Vocab

from conftest import CORPUS, ROOT, invoke, run, write_tsv
from convert import (
    PRIVATE_USE_PLACEHOLDER,
    FragmentEntities,
    assign_splits,
    convert,
    group_documents,
    iob_tags_to_biluo,
    normalize_token,
    read_documents,
    segment,
    spaces_for,
)
from convert import main as convert_cli

SCRIPT = ROOT / "scripts" / "convert.py"
FIXTURE = [
    ("we", "O"),
    ("fit", "O"),
    ("the", "O"),
    ("model", "B"),
    (".", "O"),
    ("k-means", "B"),
    ("is", "O"),
    ("a", "O"),
    ("ﬁne", "O"),
    ("algorithm", "O"),
    ("!", "O"),
    ("the", "O"),
    ("0-1", "B"),
    ("loss", "I"),
    ("(", "O"),
    ("\ue03e", "O"),
    (")", "O"),
    ("?", "O"),
    ("gradient", "O"),
    ("descent", "B"),
    ("works", "O"),
    (".", "O"),
]


def load(path):
    return list(DocBin().from_disk(path).get_docs(Vocab()))


def test_sentences_end_at_final_punctuation_and_never_before_an_inside_token():
    tokens = ["a", ".", "b", "c", "?", "d"]
    assert segment(tokens, ["O"] * 6, max_sent_tokens=100) == [(0, 2), (2, 5), (5, 6)]
    # "." followed by "I" is not a boundary: the entity goes on
    assert segment(["x", ".", "y"], ["B", "I", "I"], 100) == [(0, 3)]
    # long runs are cut at max_sent_tokens, later only to finish an entity
    assert segment(list("abcde"), ["O"] * 5, 2) == [(0, 2), (2, 4), (4, 5)]
    assert segment(list("abcde"), ["O", "B", "I", "O", "O"], 2) == [(0, 3), (3, 5)]


def test_documents_hold_whole_sentences_up_to_the_size_limit():
    sentences = [(0, 3), (3, 6), (6, 8), (8, 20)]
    assert group_documents(sentences, max_doc_tokens=6) == [[(0, 3), (3, 6)], [(6, 8)], [(8, 20)]]


def test_splits_are_contiguous_blocks_in_80_10_10():
    splits = assign_splits(200, block_docs=10)
    assert splits[:80] == ["train"] * 80
    assert splits[80:90] == ["dev"] * 10
    assert splits[90:100] == ["test"] * 10
    assert splits[100:180] == ["train"] * 80
    assert [splits.count(s) for s in ("train", "dev", "test")] == [160, 20, 20]


def test_iob_becomes_biluo_and_orphan_inside_starts_an_entity_in_long_streams():
    tags = ["B-T", "I-T", "O", "I-T", "I-T", "B-T", "B-T"]
    assert iob_tags_to_biluo(tags) == ["B-T", "L-T", "O", "B-T", "L-T", "U-T", "U-T"]
    # pieces are cut at an "O" only, so an entity at a piece's edge stays whole
    assert iob_tags_to_biluo(tags * 500, chunk=3) == iob_tags_to_biluo(tags) * 500


def test_detokenized_text_has_no_space_before_closing_punctuation():
    words = ["the", "model", "(", "k-means", ")", ",", "works", "."]
    spaces = spaces_for(words)
    text = "".join(w + (" " if s else "") for w, s in zip(words, spaces, strict=True))
    assert text == "the model (k-means), works."


def test_normalisation_of_ligatures_private_use_glyphs_and_spacing_marks():
    assert normalize_token("ﬁne-tuning") == "fine-tuning"
    assert normalize_token("diﬀerent") == "different"
    assert normalize_token("\ue03e") == PRIVATE_USE_PLACEHOLDER
    # NFKC would turn the spacing tilde into a space + combining tilde
    assert normalize_token("˜p") == "˜p"


def test_convert_fixture_labels_sentences_and_text(tmp_path):
    path = write_tsv(tmp_path / "tiny.tsv", FIXTURE)
    all_docs, repairs = read_documents(path, entity_label="CONCEPT", max_doc_tokens=8)
    ents = [(e.text, e.label_) for d in all_docs for e in d.ents]
    assert ents == [("model", "CONCEPT"), ("k-means", "CONCEPT"), ("0-1 loss", "CONCEPT"), ("descent", "CONCEPT")]
    assert sum(len(list(d.sents)) for d in all_docs) == 4
    assert "fine algorithm!" in " ".join(d.text for d in all_docs)
    assert repairs.normalized_tokens == 2 and repairs.private_use_tokens == 1


FRAGMENTS = [
    ("the", "O"),
    ("distribu-", "O"),
    ("tion", "B"),  # a line-break fragment labelled as a term
    ("and", "O"),
    ("k-", "O"),
    ("means", "B"),  # a fragment too, but its entity goes on: kept
    ("clustering", "I"),
    ("0-1", "B"),  # not after a fragment: kept
    ("loss", "I"),
    ("pre-", "O"),
    ("training", "O"),
    (".", "O"),
]


def test_entities_on_line_break_fragments_are_kept_or_dropped_as_told(tmp_path):
    path = write_tsv(tmp_path / "fragments.tsv", FRAGMENTS)
    kept, repairs = read_documents(path)
    assert [e.text for d in kept for e in d.ents] == [
        "tion",
        "means clustering",
        "0-1 loss",
    ] and not repairs.fragment_entities
    dropped, repairs = read_documents(path, fragment_entities=FragmentEntities.drop)
    assert [e.text for d in dropped for e in d.ents] == ["means clustering", "0-1 loss"]
    assert repairs.fragment_entities == {"tion": 1}
    assert [d.text for d in dropped] == [d.text for d in kept]


def test_cli_reports_the_dropped_fragment_entities(tmp_path):
    path = write_tsv(tmp_path / "fragments.tsv", FRAGMENTS * 30)
    args = [str(path), str(tmp_path / "out"), "--block-docs", "1", "--max-doc-tokens", "12"]
    result = invoke(convert_cli, [*args, "--fragment-entities", "drop"])
    assert result.exit_code == 0, result.output
    assert "Dropped 30 entities on line-break fragments: tion (30)" in " ".join(result.output.split())
    assert not any(e.text == "tion" for d in load(tmp_path / "out" / "train.spacy") for e in d.ents)


def test_raw_text_keeps_ligatures(tmp_path):
    path = write_tsv(tmp_path / "tiny.tsv", FIXTURE * 3)
    docs, _ = convert(path, normalize=False, block_docs=1, max_doc_tokens=8)
    assert "ﬁne" in " ".join(doc.text for doc in docs["train"])


def test_cli_writes_three_docbins_and_a_report(tmp_path):
    path = write_tsv(tmp_path / "tiny.tsv", FIXTURE * 30)
    result = run([sys.executable, SCRIPT, path, tmp_path / "out", "--max-doc-tokens", "22", "--block-docs", "1"])
    for split in ("train", "dev", "test"):
        assert (tmp_path / "out" / f"{split}.spacy").exists()
    assert "Most frequent entity strings" in result.stdout and "model (30)" in result.stdout
    assert len(load(tmp_path / "out" / "train.spacy")) == 24
    assert len(load(tmp_path / "out" / "test.spacy")) == 3


def test_same_input_gives_byte_identical_docbins_across_processes(tmp_path):
    path = write_tsv(tmp_path / "tiny.tsv", FIXTURE * 30)
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / f"out{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        run([sys.executable, SCRIPT, path, out, "--block-docs", "1", "--max-doc-tokens", "22"], env=env)
        outputs.append([(out / f"{s}.spacy").read_bytes() for s in ("train", "dev", "test")])
    assert outputs[0] == outputs[1]


def test_real_corpus_converts_in_documented_proportions(tmp_path):
    docs, repairs = convert(CORPUS)
    tokens = {split: sum(len(d) for d in split_docs) for split, split_docs in docs.items()}
    total = sum(tokens.values())
    assert total == 346_718
    assert 0.78 < tokens["train"] / total < 0.83
    assert 0.08 < tokens["dev"] / total < 0.11 and 0.08 < tokens["test"] / total < 0.11
    assert sum(len(d.ents) for split_docs in docs.values() for d in split_docs) == 2004
    assert max(len(d) for split_docs in docs.values() for d in split_docs) <= 256
    assert repairs.private_use_tokens == 2072


BAD_INPUTS = {
    "empty": (b"", ":0: file is empty"),
    "blank_lines": (b"\n\n", ":0: file is empty"),
    "no_tab": (b"model\tB\nloss O\n", ":2: expected 'token<TAB>label'"),
    "unknown_last_column": (b"model\tB\tx\n", ":1: unknown label 'x'"),
    "mixed_schemes": (b"model\tB\nloss\tB-TERM\n", ":2: label 'B-TERM' mixes typed and untyped labels"),
    "invalid_utf8": (b"model\tB\nlo\xffss\tO\n", ":2: invalid UTF-8"),
    "empty_token": (b"model\tB\n\tO\n", ":2: empty token"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_fails_clearly_and_keeps_previous_output(tmp_path, case):
    content, expected = BAD_INPUTS[case]
    out = tmp_path / "out"
    good = write_tsv(tmp_path / "good.tsv", FIXTURE * 30)
    assert invoke(convert_cli, [good, out, "--block-docs", "1", "--max-doc-tokens", "22"]).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    bad = tmp_path / "bad.tsv"
    bad.write_bytes(content)
    result = invoke(convert_cli, [bad, out])
    assert result.exit_code == 1
    assert f"{bad}{expected}" in result.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # no temp files, nothing replaced


def test_missing_file_fails_and_writes_nothing(tmp_path):
    result = invoke(convert_cli, [tmp_path / "nope.tsv", tmp_path / "out"])
    assert result.exit_code == 1
    assert f"{tmp_path / 'nope.tsv'}:0: file not found" in result.stderr
    assert not (tmp_path / "out").exists()


def test_interrupted_write_leaves_no_partial_file(tmp_path, monkeypatch):
    import convert as convert_module

    target = tmp_path / "train.spacy"
    target.write_bytes(b"previous good file")

    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(convert_module.os, "replace", fail)
    with pytest.raises(OSError):
        convert_module.write_docbin_atomic([], target)
    assert target.read_bytes() == b"previous good file"
    assert [p.name for p in tmp_path.iterdir()] == ["train.spacy"]
