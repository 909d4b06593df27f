"""scripts/annotate.py as a command: a folder of .txt and .txt.gz files, its
summary as JSON on the last line, records named by file and line, bad lines
counted (and fatal only past --max-errors), an output folder inside the input
refused; and s3:// URLs, the endpoint taken from AWS_ENDPOINT_URL."""

import gzip
import json
import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow


def _records(output):
    return [json.loads(line) for part in sorted(output.glob("part-*.jsonl")) for line in part.read_text().splitlines()]


def test_txt_gz_folder_input_and_the_command_line(sm_model, tmp_path, corpus_slice, run, script):
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    words = [token for token, _ in corpus_slice(600)]
    texts = [" ".join(words[i : i + 20]) for i in range(0, 600, 20)]
    (folder / "a.txt").write_text("\n".join(texts[:10]) + "\n")
    with gzip.open(folder / "sub" / "b.txt.gz", "wt") as gz:
        gz.write("\n".join(texts[10:]) + "\n")
    (folder / "ignored.csv").write_text("x\n")
    result = run([sys.executable, script("annotate"), sm_model, folder, tmp_path / "out", "--shard-bytes", "500"])
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    # a.txt in byte ranges of 500, the gzipped file whole
    parts = -(-(folder / "a.txt").stat().st_size // 500) + 1
    assert (summary["records"], summary["errors"], summary["parts_written"]) == (30, 0, parts) and parts >= 3
    by_id = {record["id"]: record for record in _records(tmp_path / "out")}
    expected = [f"a.txt:{n}" for n in range(1, 11)] + [f"sub/b.txt.gz:{n}" for n in range(1, 21)]
    assert sorted(by_id) == sorted(expected)
    for record_id, text in zip(expected, texts, strict=True):
        record = by_id[record_id]
        assert f"{record['source']}:{record['line']}" == record_id
        for ent in record["ents"]:
            assert text[ent["start"] : ent["end"]] == ent["text"]


def test_bad_lines_are_counted_and_fail_the_run_only_past_max_errors(sm_model, tmp_path, script):
    source = tmp_path / "in.jsonl"
    source.write_text('{"text": "a neural network"}\nnot json\n{"text": 3}\n{"text": "a kernel"}\n')
    command = [sys.executable, script("annotate"), sm_model, source]
    tolerated = subprocess.run([*command, tmp_path / "tolerated", "--max-errors", "2"], capture_output=True, text=True)
    assert tolerated.returncode == 0, tolerated.stderr
    assert json.loads(tolerated.stdout.strip().splitlines()[-1])["errors_in_all"] == 2
    strict = subprocess.run([*command, tmp_path / "strict", "--max-errors", "1"], capture_output=True, text=True)
    assert strict.returncode == 1 and "2 bad lines or files, over --max-errors 1" in strict.stderr
    # the good records are written either way, the bad lines named by line
    assert [r["id"] for r in _records(tmp_path / "strict")] == ["in.jsonl:1", "in.jsonl:4"]
    errors = [json.loads(line) for line in (tmp_path / "strict" / "errors.jsonl").read_text().splitlines()]
    assert [(e["file"], e["line"]) for e in errors] == [("in.jsonl", 2), ("in.jsonl", 3)]


def test_an_output_folder_inside_the_input_is_refused_before_anything_is_written(sm_model, tmp_path, script):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text("a neural network\n")
    result = subprocess.run(
        [sys.executable, script("annotate"), sm_model, folder, folder / "out", "--overwrite"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1 and "lies inside the input" in result.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["a.txt"]


def test_s3_urls_on_two_workers_with_the_endpoint_from_the_environment(
    sm_model, tmp_path, s3_server, s3_bucket, script
):
    bucket, fs = s3_bucket
    fs.pipe(f"{bucket}/in/a.jsonl", b'{"id": "x", "text": "a neural network"}\nnot json\n{"text": "a kernel"}\n')
    env = {**os.environ, **s3_server["env"]}
    command = [sys.executable, script("annotate"), sm_model, f"s3://{bucket}/in/", f"s3://{bucket}/out"]
    result = subprocess.run([*command, "--workers", "2"], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1])["errors_in_all"] == 1
    records = [json.loads(line) for path in fs.glob(f"{bucket}/out/part-*.jsonl") for line in fs.cat(path).splitlines()]
    assert sorted(r["id"] for r in records) == ["a.jsonl:3", "x"]
    assert json.loads(fs.cat(f"{bucket}/out/errors.jsonl"))["line"] == 2
    bad = subprocess.run([*command, "--storage-options", "[1]"], capture_output=True, text=True, env=env)
    assert bad.returncode == 2 and "--storage-options: expected a JSON object, got list" in bad.stderr
