"""scripts/data_quality.py: the report of a corpus that is not
token-per-line (read through its converted documents), and a corpus whose
splits were not converted."""

import json


def test_cli_reads_a_jsonl_split_folder_through_its_documents_and_names_the_leak(tmp_path, cli, write_jsonl):
    folder = tmp_path / "split"
    folder.mkdir()
    record = {"text": "We use k-means here.", "label": [[7, 14, "METHOD"]]}
    write_jsonl(folder / "train.jsonl", [record, {"text": "a model", "label": [[2, 7, "TERM"]]}])
    write_jsonl(folder / "dev.jsonl", [{"text": "another model", "label": [[8, 13, "TERM"]]}])
    write_jsonl(folder / "test.jsonl", [record])
    assert cli("convert", ["--label", "TERM", folder, tmp_path / "corpus"]).exit_code == 0
    result = cli("data_quality", ["--label", "TERM", folder, tmp_path / "corpus", tmp_path / "dq.md"])
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "dq.json").read_text())
    assert report["entity_strings"] == {"k-means": 2, "model": 2}
    assert report["leaks"]["examples"] == [{"text": "We use k-means here.", "splits": ["test", "train"]}]
    markdown = (tmp_path / "dq.md").read_text()
    assert "| texts in more than one split (leaks) | 1 |" in markdown
    assert "- test, train: `We use k-means here.`" in markdown


def test_cli_without_the_converted_splits_says_to_convert_first(tmp_path, cli, token_rows, write_tsv):
    path = write_tsv(tmp_path / "q.tsv", token_rows)
    result = cli("data_quality", ["--label", "TERM", path, tmp_path / "nothing", tmp_path / "dq.md"])
    assert result.exit_code == 1
    assert f"{tmp_path / 'nothing' / 'train.spacy'}:0: converted split not found: run convert first" in result.stderr
    assert not (tmp_path / "dq.md").exists()
