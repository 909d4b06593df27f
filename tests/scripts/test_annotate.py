"""scripts/annotate.py as a command: a folder of .txt and .txt.gz files,
its summary as JSON on the last line, records by line number."""

import gzip
import json
import sys

import pytest

pytestmark = pytest.mark.slow


def test_txt_gz_folder_input_and_the_command_line(sm_model, tmp_path, corpus_slice, run, script):
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    words = [token for token, _ in corpus_slice(600)]
    texts = [" ".join(words[i : i + 20]) for i in range(0, 600, 20)]
    (folder / "a.txt").write_text("\n".join(texts[:10]) + "\n")
    with gzip.open(folder / "sub" / "b.txt.gz", "wt") as gz:
        gz.write("\n".join(texts[10:]) + "\n")
    (folder / "ignored.csv").write_text("x\n")
    result = run([sys.executable, script("annotate"), sm_model, folder, tmp_path / "out", "--shard-size", "15"])
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert (summary["records"], summary["errors"], summary["parts_written"]) == (30, 0, 3)
    records = [
        json.loads(line)
        for part in sorted((tmp_path / "out").glob("part-*.jsonl"))
        for line in part.read_text().splitlines()
    ]
    assert [r["id"] for r in records] == list(range(1, 11)) + list(range(1, 16)) + list(range(16, 21))
    for record, text in zip(records, texts, strict=True):
        for ent in record["ents"]:
            assert text[ent["start"] : ent["end"]] == ent["text"]
