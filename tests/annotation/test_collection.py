"""nerkit/annotation/collection.py: a collection planned as byte ranges (a
gzipped file whole) whose lines, read shard by shard, are every line of the
file exactly once; records and bad lines; a scan's line count and digest;
long lines and broken files read without stopping the stream."""

import gzip
import io

import fsspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nerkit.annotation.collection import (
    LineLimits,
    parse_line,
    plan_shards,
    read_lines,
    scan_shard,
    shard_lines,
)
from nerkit.annotation.storage import Location, list_files

LIMITS = LineLimits(max_line_bytes=1000, max_text_chars=50)
LOCAL = fsspec.filesystem("file")
SUFFIXES = (".jsonl", ".txt", ".jsonl.gz", ".txt.gz")


def every_line(path, shard_bytes, max_line_bytes=1000):
    """The lines of every shard of one file, in order, and the scans."""
    plan = plan_shards(list_files(Location(str(path)), SUFFIXES), shard_bytes)
    lines = [line.data for shard in plan for line in shard_lines(LOCAL, shard, max_line_bytes)]
    return plan, lines, [scan_shard(LOCAL, shard, max_line_bytes) for shard in plan]


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
    assert [(line.number, line.data, length) for line, length in lines] == [
        (1, b"short", 6),
        (2, None, 10_001),
        (3, b"next", 6),
        (4, b"last", 4),
    ]


def test_the_plan_cuts_files_into_byte_ranges_and_keeps_a_gzipped_file_whole(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"x" * 250)
    (tmp_path / "b.txt.gz").write_bytes(gzip.compress(b"y\n" * 1000))
    (tmp_path / "c.jsonl").write_bytes(b"")
    plan = plan_shards(list_files(Location(str(tmp_path)), SUFFIXES), 100)
    assert [(s.source, s.index, s.start, s.end, s.compressed) for s in plan] == [
        ("a.txt", 0, 0, 100, False),
        ("a.txt", 1, 100, 200, False),
        ("a.txt", 2, 200, 250, False),
        ("b.txt.gz", 0, 0, (tmp_path / "b.txt.gz").stat().st_size, True),
    ]
    assert len({s.name for s in plan}) == 4 and plan[0].name.startswith("part-") and plan[0].name.endswith("-000000")


@settings(max_examples=150, deadline=None)
@given(
    lines=st.lists(st.binary(max_size=30).map(lambda b: b.replace(b"\n", b"")), max_size=40),
    shard_bytes=st.integers(1, 120),
    final_newline=st.booleans(),
)
def test_the_shards_of_a_file_hold_each_of_its_lines_exactly_once_in_order(tmp_path_factory, lines, shard_bytes,
                                                                          final_newline):  # fmt: skip
    data = b"\n".join(lines) + (b"\n" if final_newline and lines else b"")
    path = tmp_path_factory.mktemp("lines") / "x.txt"
    path.write_bytes(data)
    plan, read, scans = every_line(path, shard_bytes)
    expected = data.split(b"\n")
    if expected and expected[-1] == b"" and data.endswith(b"\n") or data == b"":
        expected = expected[:-1]
    expected = [line.rstrip(b"\r") for line in expected]
    assert read == expected
    assert sum(scan.lines for scan in scans) == len(expected) and not any(scan.error for scan in scans)


def test_a_long_line_across_shards_is_one_bad_line_and_the_digest_follows_the_bytes(tmp_path):
    path = tmp_path / "x.txt"
    path.write_bytes(b"first\n" + b"x" * 5000 + b"\nafter\n")
    plan, read, scans = every_line(path, 1000, max_line_bytes=100)
    assert read == [b"first", None, b"after"] and [scan.lines for scan in scans] == [2, 0, 0, 0, 0, 1]
    again = every_line(path, 1000, max_line_bytes=100)[2]
    assert [scan.digest for scan in again] == [scan.digest for scan in scans]
    path.write_bytes(b"first\n" + b"x" * 5000 + b"\nother\n")
    changed = every_line(path, 1000, max_line_bytes=100)[2]
    assert [a.digest == b.digest for a, b in zip(scans, changed, strict=True)] == [True] * 5 + [False]


def test_a_truncated_gzip_gives_its_lines_so_far_then_the_error_and_an_incomplete_digest(tmp_path):
    good = b"".join(b'{"text": "line %d"}\n' % i for i in range(200))
    path = tmp_path / "a.jsonl.gz"
    path.write_bytes(gzip.compress(good)[:-30])
    (shard,) = plan_shards(list_files(Location(str(path)), SUFFIXES), 100)
    read = []
    with pytest.raises(EOFError):
        for line in shard_lines(LOCAL, shard, 1000):
            read.append(line.number)
    assert 150 <= len(read) < 200 and read == list(range(1, len(read) + 1))
    scan = scan_shard(LOCAL, shard, 1000)
    assert scan.lines == len(read) and scan.digest.endswith("-incomplete") and scan.error.startswith("EOFError")


def test_a_corrupt_or_vanished_file_is_a_scan_error_not_a_crash(tmp_path):
    (tmp_path / "a.txt.gz").write_bytes(b"not gzip at all\n")
    (tmp_path / "b.txt").write_text("gone before it is read\n")
    plan = plan_shards(list_files(Location(str(tmp_path)), SUFFIXES), 100)
    (tmp_path / "b.txt").unlink()
    corrupt, gone = (scan_shard(LOCAL, shard, 1000) for shard in plan)
    assert (corrupt.lines, gone.lines) == (0, 0)
    assert corrupt.error.startswith("BadGzipFile") and gone.error.startswith("FileNotFoundError")


def test_a_shard_of_a_file_on_s3_reads_only_its_lines(s3_server, s3_bucket):
    bucket, fs = s3_bucket
    data = b"".join(b"line %d\n" % i for i in range(500))
    fs.pipe(f"{bucket}/in/x.txt", data)
    plan = plan_shards(list_files(Location(f"s3://{bucket}/in", s3_server["options"]), SUFFIXES), 1000)
    read = [line.data for shard in plan for line in shard_lines(fs, shard, 1000)]
    assert read == data.splitlines() and len(plan) == -(-len(data) // 1000)
