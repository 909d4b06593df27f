"""dlbook/annotation/collection.py: the files of a collection, its lines as
records, cut into shards with their bad lines."""

import gzip

import pytest

from dlbook.annotation.collection import list_inputs, parse_line, read_shards


def test_parse_line_keeps_ids_and_uses_line_numbers_without_them(tmp_path):
    path = tmp_path / "x.jsonl"
    assert parse_line(path, 7, b'{"id": "a", "text": "t"}', "text", "id") == ("a", "t")
    assert parse_line(path, 7, b'{"body": "t"}', "body", "id") == (7, "t")
    assert parse_line(tmp_path / "x.txt", 3, b"plain text", "text", "id") == (3, "plain text")


def test_a_folder_lists_its_supported_files_in_a_stable_order(tmp_path):
    (tmp_path / "sub").mkdir()
    for name in ("b.jsonl", "a.txt", "sub/c.txt.gz", "ignored.csv"):
        (tmp_path / name).write_text("x\n")
    assert [p.relative_to(tmp_path).as_posix() for p in list_inputs(tmp_path)] == ["a.txt", "b.jsonl", "sub/c.txt.gz"]
    with pytest.raises(ValueError, match="expected one of"):
        list_inputs(tmp_path / "ignored.csv")
    with pytest.raises(ValueError, match="no such file or folder"):
        list_inputs(tmp_path / "missing.jsonl")


def test_shards_hold_their_records_and_bad_lines_and_done_shards_are_not_parsed(tmp_path):
    path = tmp_path / "docs.jsonl.gz"
    lines = [b'{"id": 1, "text": "a model"}', b"not json", b'{"id": 3, "text": "k-means"}', b'{"text": 4}']
    with gzip.open(path, "wb") as out:
        out.write(b"\n".join(lines) + b"\n")
    shards = list(read_shards([path], 2, "text", "id", lambda name: name.endswith("000001")))
    assert [s.name for s in shards] == ["part-00000-000000", "part-00000-000001"]
    assert shards[0].records == [(1, "a model")]
    assert shards[0].errors == [{"file": str(path), "line": 2, "error": "not JSON: Expecting value at column 1"}]
    assert shards[1].done and shards[1].records == [] and shards[1].errors == []
    assert shards[1].end_byte == path.stat().st_size
