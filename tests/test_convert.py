"""scripts/convert.py: the command line, its report, bad input and the real
corpus."""

import os
import sys

import pytest
from spacy.tokens import DocBin
from spacy.vocab import Vocab
from test_corpus_columns import FIXTURE, FRAGMENTS

from conftest import CORPUS, ROOT, invoke, run, write_tsv
from convert import main as convert_cli
from corpus_reader import ReadOptions, read_corpus

SCRIPT = ROOT / "scripts" / "convert.py"


def load(path):
    return list(DocBin().from_disk(path).get_docs(Vocab()))


def test_cli_reports_the_dropped_fragment_entities(tmp_path):
    path = write_tsv(tmp_path / "fragments.tsv", FRAGMENTS * 30)
    args = [str(path), str(tmp_path / "out"), "--block-docs", "1", "--max-doc-tokens", "12"]
    result = invoke(convert_cli, [*args, "--fragment-entities", "drop"])
    assert result.exit_code == 0, result.output
    assert "Dropped 30 entities on line-break fragments: tion (30)" in " ".join(result.output.split())
    assert not any(e.text == "tion" for d in load(tmp_path / "out" / "train.spacy") for e in d.ents)


def test_raw_text_keeps_ligatures(tmp_path):
    path = write_tsv(tmp_path / "tiny.tsv", FIXTURE * 3)
    docs, _ = read_corpus(path, ReadOptions(normalize=False, block_docs=1, max_doc_tokens=8))
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
    docs, repairs = read_corpus(CORPUS)
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
