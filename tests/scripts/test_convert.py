"""scripts/convert.py: the command line, its summary, every format it
takes, bad input that writes nothing, byte-identical output."""

import os
import sys

import pytest
import spacy
from spacy.tokens import DocBin
from spacy.vocab import Vocab


def load(path):
    return list(DocBin().from_disk(path).get_docs(Vocab()))


def test_cli_reports_the_dropped_fragment_entities(tmp_path, cli, fragment_rows, write_tsv):
    path = write_tsv(tmp_path / "fragments.tsv", fragment_rows * 30)
    args = [str(path), str(tmp_path / "out"), "--block-docs", "1", "--max-doc-tokens", "12"]
    result = cli("convert", ["--label", "TERM", *args, "--fragment-entities", "drop"])
    assert result.exit_code == 0, result.output
    assert "Dropped 30 entities on line-break fragments: tion (30)" in " ".join(result.output.split())
    assert not any(e.text == "tion" for d in load(tmp_path / "out" / "train.spacy") for e in d.ents)


def test_cli_writes_three_docbins_and_a_report(tmp_path, run, script, token_rows, write_tsv):
    path = write_tsv(tmp_path / "tiny.tsv", token_rows * 30)
    result = run(
        [
            sys.executable,
            script("convert"),
            "--label",
            "TERM",
            path,
            tmp_path / "out",
            "--max-doc-tokens",
            "22",
            "--block-docs",
            "1",
        ]
    )
    for split in ("train", "dev", "test"):
        assert (tmp_path / "out" / f"{split}.spacy").exists()
    assert "Most frequent entity strings" in result.stdout and "model (30)" in result.stdout
    assert len(load(tmp_path / "out" / "train.spacy")) == 24
    assert len(load(tmp_path / "out" / "test.spacy")) == 3


def test_same_input_gives_byte_identical_docbins_across_processes(tmp_path, run, script, token_rows, write_tsv):
    path = write_tsv(tmp_path / "tiny.tsv", token_rows * 30)
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / f"out{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        run(
            [
                sys.executable,
                script("convert"),
                "--label",
                "TERM",
                path,
                out,
                "--block-docs",
                "1",
                "--max-doc-tokens",
                "22",
            ],
            env=env,
        )
        outputs.append([(out / f"{s}.spacy").read_bytes() for s in ("train", "dev", "test")])
    assert outputs[0] == outputs[1]


BAD_INPUTS = {
    "empty": (b"", ":0: file is empty"),
    "blank_lines": (b"\n\n", ":0: file is empty"),
    "no_tab": (b"model\tB\nloss O\n", ":2: expected 'token<TAB>label'"),
    "unknown_last_column": (b"model\tB\tx\n", ":1: unknown label 'x'"),
    "mixed_schemes": (b"model\tB\nloss\tB-TERM\n", ":2: label 'B-TERM' mixes typed and untyped labels"),
    "invalid_utf8": (b"model\tB\nlo\xffss\tO\n", ":2: invalid UTF-8"),
    "empty_entity_token": (b"model\tO\n\tB\n", ":2: empty token or token with whitespace in an entity"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_fails_clearly_and_keeps_previous_output(tmp_path, case, cli, token_rows, write_tsv):
    content, expected = BAD_INPUTS[case]
    out = tmp_path / "out"
    good = write_tsv(tmp_path / "good.tsv", token_rows * 30)
    assert cli("convert", ["--label", "TERM", good, out, "--block-docs", "1", "--max-doc-tokens", "22"]).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    bad = tmp_path / "bad.tsv"
    bad.write_bytes(content)
    result = cli("convert", ["--label", "TERM", bad, out])
    assert result.exit_code == 1
    assert f"{bad}{expected}" in result.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # no temp files, nothing replaced


def test_a_docbin_is_never_converted_over_itself(tmp_path, cli, token_rows, write_tsv):
    good = write_tsv(tmp_path / "good.tsv", token_rows * 30)
    data = tmp_path / "data"
    assert cli("convert", ["--label", "TERM", good, data, "--block-docs", "1", "--max-doc-tokens", "22"]).exit_code == 0
    before = {p.name: p.read_bytes() for p in data.iterdir()}
    result = cli("convert", ["--label", "TERM", data / "train.spacy", data])
    assert result.exit_code == 1
    assert f"{data / 'train.spacy'}:0: the corpus is read from where {data} would write the splits" in result.stderr
    assert {p.name: p.read_bytes() for p in data.iterdir()} == before


def test_missing_file_fails_and_writes_nothing(tmp_path, cli):
    result = cli("convert", ["--label", "TERM", tmp_path / "nope.tsv", tmp_path / "out"])
    assert result.exit_code == 1
    assert f"{tmp_path / 'nope.tsv'}:0: file not found" in result.stderr
    assert not (tmp_path / "out").exists()


CONLL = """-DOCSTART- -X- -X- O

EU NNP B-NP B-ORG
rejects VBZ B-VP O
German JJ B-NP B-MISC
call NN I-NP O
. . O O

Peter NNP B-NP B-PER
Blackburn NNP I-NP I-PER

-DOCSTART- -X- -X- O

BRUSSELS NNP B-NP B-LOC
1996-08-22 CD I-NP O
"""


def test_a_corpus_too_small_for_three_splits_is_refused_writing_nothing(tmp_path, cli):
    path = tmp_path / "small.conll"
    path.write_text(CONLL, encoding="utf8")
    out = tmp_path / "out"
    result = cli("convert", ["--label", "TERM", path, out])
    assert result.exit_code == 1
    assert f"{path}:0: too small for non-empty train/dev/test splits: 2 documents" in result.stderr
    assert not out.exists()


def test_a_multi_label_conll_file_is_converted_and_each_label_reported(tmp_path, cli):
    path = tmp_path / "corpus.conll"
    path.write_text((CONLL + "\n") * 10, encoding="utf8")
    result = cli("convert", ["--label", "TERM", path, tmp_path / "out", "--block-docs", "2"])
    assert result.exit_code == 0, result.stderr
    header = next(line for line in result.stdout.splitlines() if line.startswith("split"))
    assert header.split() == ["split", "tokens", "sentences", "docs", "LOC", "MISC", "ORG", "PER"]
    train_row = next(line for line in result.stdout.splitlines() if line.startswith("train"))
    # 20 documents in blocks of 2: 16 train documents, 8 of each kind (7 and 2 tokens)
    assert train_row.split() == ["train", "72", "24", "16", "8", "8", "8", "8"]


def test_cli_converts_jsonl_reports_expanded_spans_and_refuses_bad_input_writing_nothing(
    tmp_path, cli, write_jsonl, numbered_records
):
    records = numbered_records(29) + [{"text": "A k-means model", "label": [[2, 8, "METHOD"]]}]
    path = write_jsonl(tmp_path / "c.jsonl", records)
    out = tmp_path / "out"
    result = cli("convert", ["--label", "TERM", path, out, "--block-docs", "1"])
    assert result.exit_code == 1 and f"{path}:30: span 2-8 (METHOD) 'k-mean'" in result.stderr
    assert not out.exists()
    result = cli("convert", ["--label", "TERM", path, out, "--block-docs", "1", "--misaligned", "expand"])
    assert result.exit_code == 0, result.output
    assert "Expanded 1 spans to token edges: 'k-mean' -> 'k-means' (1)" in " ".join(result.output.split())
    (last,) = [
        doc for doc in DocBin().from_disk(out / "test.spacy").get_docs(spacy.blank("en").vocab) if "k-means" in doc.text
    ]
    assert [(e.text, e.label_) for e in last.ents] == [("k-means", "METHOD")]
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    bad = write_jsonl(tmp_path / "bad.jsonl", [*numbered_records(29), {"text": "a model", "label": [[0, 9, "TERM"]]}])
    result = cli("convert", ["--label", "TERM", bad, out, "--block-docs", "1"])
    assert result.exit_code == 1 and f"{bad}:30: span 0-9 (TERM) is outside the text" in result.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
