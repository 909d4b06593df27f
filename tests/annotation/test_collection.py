"""nerkit/annotation/collection.py: the files of a collection, its lines as
records, cut into shards with their bad lines and bad files; long lines and
broken files read without stopping the stream."""

import gzip
import io

import pytest

from nerkit.annotation.collection import (
    LineLimits,
    list_inputs,
    parse_line,
    read_lines,
    read_shards,
    shard_name,
    source_name,
)

LIMITS = LineLimits(max_line_bytes=1000, max_text_chars=50)


def never_done(name, digest):
    return False


def test_parse_line_keeps_ids_and_gives_none_without_them(tmp_path):
    path = tmp_path / "x.jsonl"
    assert parse_line(path, 7, b'{"id": "a", "text": "t"}', "text", "id", LIMITS) == ("a", "t")
    assert parse_line(path, 7, b'{"body": "t"}', "body", "id", LIMITS) == (None, "t")
    assert parse_line(tmp_path / "x.txt", 3, b"plain text", "text", "id", LIMITS) == (None, "plain text")
    # the suffix decides: a .txt.jsonl file is JSON
    assert parse_line(tmp_path / "x.txt.jsonl", 1, b'{"text": "t"}', "text", "id", LIMITS) == (None, "t")


BAD_LINES = {
    "not JSON": (b"this is not json", "not JSON: Expecting value at column 1"),
    "no text": (b'{"id": 1, "body": "model"}', "no 'text' key"),
    "text not a string": (b'{"text": 42}', "'text' is int, not a string"),
    "not an object": (b'["a", "list"]', "expected a JSON object, got list"),
    "not UTF-8": (b'{"text": "caf\xe9 model"}', "invalid UTF-8 at byte 13"),
    "lone surrogate in the id": (b'{"id": "\\ud800", "text": "a model"}', "holds a lone surrogate"),
    "lone surrogate in another field": (b'{"text": "a model", "x": ["\\udfff"]}', "holds a lone surrogate"),
    "nested too deeply": (b'{"text": "a", "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "nested too deeply"),
    "text too long": (b'{"text": "' + b"x" * 51 + b'"}', "a text of 51 characters, over the limit of 50"),
}


@pytest.mark.parametrize("case", sorted(BAD_LINES))
def test_a_bad_line_says_what_is_wrong(tmp_path, case):
    line, expected = BAD_LINES[case]
    limits = LineLimits(max_line_bytes=1_000_000, max_text_chars=50)
    with pytest.raises(ValueError) as error:
        parse_line(tmp_path / "x.jsonl", 1, line, "text", "id", limits)
    assert str(error.value).startswith(expected), str(error.value)


def test_a_surrogate_pair_is_text_and_is_kept(tmp_path):
    assert (
        parse_line(tmp_path / "x.jsonl", 1, b'{"text": "\\ud83d\\ude00 model"}', "text", "id", LIMITS)[1] == "😀 model"
    )


def test_a_line_over_the_limit_is_skipped_without_holding_it_and_the_next_one_read():
    stream = io.BytesIO(b"short\n" + b"x" * 10_000 + b"\nnext\r\nlast")
    lines = list(read_lines(stream, max_line_bytes=100))
    assert [(line.number, line.data) for line in lines] == [(1, b"short"), (2, None), (3, b"next"), (4, b"last")]
    assert lines[-1].end_byte == len(stream.getvalue())


def test_a_folder_lists_its_supported_files_in_a_stable_order(tmp_path):
    (tmp_path / "sub").mkdir()
    for name in ("b.jsonl", "a.txt", "sub/c.txt.gz", "ignored.csv"):
        (tmp_path / name).write_text("x\n")
    assert [p.relative_to(tmp_path).as_posix() for p in list_inputs(tmp_path)] == ["a.txt", "b.jsonl", "sub/c.txt.gz"]
    assert source_name(tmp_path / "sub" / "c.txt.gz", tmp_path) == "sub/c.txt.gz"
    assert source_name(tmp_path / "a.txt", tmp_path / "a.txt") == "a.txt"
    with pytest.raises(ValueError, match="expected one of"):
        list_inputs(tmp_path / "ignored.csv")
    with pytest.raises(ValueError, match="no such file or folder"):
        list_inputs(tmp_path / "missing.jsonl")


def test_shards_hold_records_bad_lines_and_a_digest_and_done_shards_are_not_parsed(tmp_path):
    path = tmp_path / "docs.jsonl.gz"
    lines = [b'{"id": 1, "text": "a model"}', b"not json", b'{"text": "k-means"}', b'{"text": 4}']
    with gzip.open(path, "wb") as out:
        out.write(b"\n".join(lines) + b"\n")
    first, second = read_shards([path], tmp_path, 2, "text", "id", never_done, LIMITS)
    assert first.name == shard_name("docs.jsonl.gz", 0) and (first.first_line, first.lines) == (1, 2)
    assert first.records == [(1, "a model", 1)]
    assert first.errors == [{"file": "docs.jsonl.gz", "line": 2, "error": "not JSON: Expecting value at column 1"}]
    assert second.records == [(None, "k-means", 3)] and second.errors[0]["line"] == 4
    digests = {first.digest, second.digest}
    (done,) = [s for s in read_shards([path], tmp_path, 2, "text", "id", lambda n, d: d == second.digest, LIMITS)
               if s.done]  # fmt: skip
    assert done.name == second.name and done.records == [] and done.errors == [] and len(digests) == 2


def test_a_truncated_gzip_keeps_its_lines_so_far_reports_the_line_and_the_next_file_is_read(tmp_path):
    good = b"".join(b'{"text": "line %d"}\n' % i for i in range(200))
    truncated = tmp_path / "a.jsonl.gz"
    truncated.write_bytes(gzip.compress(good)[:-30])
    (tmp_path / "b.jsonl").write_bytes(b'{"text": "after"}\n')
    shards = list(read_shards(list_inputs(tmp_path), tmp_path, 50, "text", "id", never_done, LIMITS))
    from_a = [s for s in shards if s.source == "a.jsonl.gz"]
    records = [r for s in from_a for r in s.records]
    assert 150 <= len(records) < 200 and [r[2] for r in records] == list(range(1, len(records) + 1))
    (error,) = [e for s in from_a for e in s.errors]
    assert error["file"] == "a.jsonl.gz" and error["line"] == len(records) + 1 and "truncated gzip" in error["error"]
    assert [r[1] for s in shards if s.source == "b.jsonl" for r in s.records] == ["after"]


def test_a_corrupt_or_unreadable_file_is_one_error_and_the_run_goes_on(tmp_path):
    (tmp_path / "a.txt.gz").write_bytes(b"not gzip at all\n")
    (tmp_path / "b.txt").write_text("a model\n")
    (tmp_path / "c.txt").write_text("gone before it is read\n")
    inputs = list_inputs(tmp_path)
    (tmp_path / "c.txt").unlink()
    shards = list(read_shards(inputs, tmp_path, 10, "text", "id", never_done, LIMITS))
    errors = {e["file"]: e for s in shards for e in s.errors}
    assert errors["a.txt.gz"]["line"] == 1 and "BadGzipFile" in errors["a.txt.gz"]["error"]
    assert errors["c.txt"]["line"] == 0 and "cannot be read" in errors["c.txt"]["error"]
    assert [r[1] for s in shards if s.source == "b.txt" for r in s.records] == ["a model"]
