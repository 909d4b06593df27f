"""Read a text collection (a .jsonl or .txt file, gzipped or not, or a folder
of them, on any store fsspec opens) as shards that can be read apart, on
any machine: the plan cuts each file into byte ranges (a gzipped file is
one shard), and a shard's lines are those that start in its range, as
`dask.bytes.read_bytes` cuts blocks at a delimiter. So a client plans a
crawl from the file sizes alone, and each worker reads only its own bytes.

A shard is read twice: a scan counts its lines (the first line number of
the next shard) and digests their bytes (a rerun redoes a shard whose bytes
changed, as when a file grew), then the worker that annotates it reads its
records. Nothing here holds a whole shard or a whole line: a line longer
than `max_line_bytes` is skipped in pieces and reported; a truncated or
corrupt gzip, or a file that cannot be read, ends the shard with an error
at the line where reading stopped."""

import gzip
import hashlib
import io
import json
import re
import zlib
from dataclasses import dataclass
from typing import Any, BinaryIO, Callable, Dict, Iterator, List, Optional, Tuple, Union

INPUT_SUFFIXES = (".jsonl", ".txt", ".jsonl.gz", ".txt.gz")
JSON_SUFFIXES = (".jsonl", ".jsonl.gz")
# spaCy's default nlp.max_length: longer texts are refused by nlp(text)
MAX_TEXT_CHARS = 1_000_000
# a JSON line of the longest text, escaped (a character as \uXXXX) and with room for other fields
MAX_LINE_BYTES = 8 * MAX_TEXT_CHARS
# a JSON escape of a UTF-16 surrogate (\ud800-\udfff), which a pair may make valid
SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


@dataclass
class LineLimits:
    """What one input line may hold."""

    max_line_bytes: int = MAX_LINE_BYTES
    max_text_chars: int = MAX_TEXT_CHARS


@dataclass(frozen=True)
class ShardPlan:
    """One shard of an input file: the lines that start in bytes (start,
    end] of `path` (from byte 0 for the first shard), or the whole of a
    gzipped file."""

    source: str  # the file's name under the input folder
    path: str  # the file's path on its store
    index: int
    start: int
    end: int
    compressed: bool

    @property
    def name(self) -> str:
        """The part's name, stable whatever other files the input folder holds."""
        return f"part-{hashlib.sha1(self.source.encode('utf8')).hexdigest()[:12]}-{self.index:06d}"

    @property
    def size(self) -> int:
        return self.end - self.start


@dataclass
class Line:
    """One input line: its number in its shard, and its bytes (None where
    it was too long to keep)."""

    number: int
    data: Optional[bytes]


@dataclass
class ShardScan:
    """What a scan found in a shard: its lines, the digest of their bytes
    (with "-incomplete" where reading stopped early) and the read error."""

    lines: int
    digest: str
    error: Optional[str] = None


def plan_shards(files: List[Dict[str, Any]], shard_bytes: int) -> List[ShardPlan]:
    """The shards of every input file, in order: byte ranges of
    `shard_bytes`, a gzipped file whole. `files`: list_files's entries."""
    plan = []
    for entry in files:
        size, compressed = entry["size"], entry["name"].endswith(".gz")
        if compressed:
            plan.append(ShardPlan(entry["name"], entry["path"], 0, 0, size, True))
            continue
        for index in range(-(-size // shard_bytes)):
            start = index * shard_bytes
            plan.append(ShardPlan(entry["name"], entry["path"], index, start, min(start + shard_bytes, size), False))
    return plan


def read_lines(stream: BinaryIO, max_line_bytes: int) -> Iterator[Tuple[Line, int]]:
    """The lines of a binary stream without their ends, each read with at
    most `max_line_bytes` + 1 bytes in memory, and the bytes each took
    (its end included)."""
    number = 0
    while True:
        piece = stream.readline(max_line_bytes + 1)
        if not piece:
            return
        number += 1
        length = len(piece)
        if length > max_line_bytes and not piece.endswith(b"\n"):
            while piece and not piece.endswith(b"\n"):  # skip the rest of the line, a piece at a time
                piece = stream.readline(max_line_bytes + 1)
                length += len(piece)
            yield Line(number, None), length
        else:
            yield Line(number, piece.rstrip(b"\r\n")), length


class _RawReader(io.RawIOBase):
    """An fsspec file as a raw stream, so that io.BufferedReader reads
    lines of bounded length from it (fsspec's own readline is unbounded)."""

    def __init__(self, file):
        self.file = file

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.file.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def shard_lines(fs, shard: ShardPlan, max_line_bytes: int, read_size: int = 1 << 20) -> Iterator[Line]:
    """The lines of a shard, in order, numbered from 1. A read error (the
    file gone or unreadable, a truncated or corrupt gzip) is raised after
    the lines read before it."""
    with fs.open(shard.path, "rb", block_size=read_size) as file:
        if shard.compressed:
            yield from (line for line, _ in read_lines(gzip.GzipFile(fileobj=file), max_line_bytes))
            return
        file.seek(shard.start)
        stream = io.BufferedReader(_RawReader(file), buffer_size=read_size)
        position = shard.start
        if shard.start > 0:  # the line under way at `start` is the shard before's
            for _, length in read_lines(stream, max_line_bytes):
                position += length
                break
        number = 0
        for line, length in read_lines(stream, max_line_bytes):
            if position > shard.end:
                return
            number += 1
            line.number = number
            yield line
            position += length


class ShardDigest:
    """The digest of a shard's line bytes, as the scan and the annotation compute it."""

    def __init__(self):
        self.hash = hashlib.blake2b(digest_size=16)

    def add(self, line: Line) -> None:
        self.hash.update(b"\x00" if line.data is None else line.data)
        self.hash.update(b"\n")

    def hexdigest(self, complete: bool = True) -> str:
        return self.hash.hexdigest() + ("" if complete else "-incomplete")


READ_ERRORS = (OSError, EOFError, zlib.error)


def read_error(shard: ShardPlan, lines_read: int, first_line: int, err: BaseException) -> Dict[str, Any]:
    """A read error as a bad-line record: at the line where reading
    stopped, or line 0 (the whole file) where the file's first shard
    could not be opened."""
    what = "truncated gzip" if isinstance(err, EOFError) else type(err).__name__
    span = "" if shard.compressed else f" (bytes {shard.start:,}-{shard.end:,})"
    if lines_read == 0 and shard.index == 0:
        return {"file": shard.source, "line": 0, "error": f"cannot be read{span}: {what}: {err}"}
    line = first_line + lines_read
    return {"file": shard.source, "line": line, "error": f"{what}{span}: {err}; the lines before it were read"}


def scan_shard(fs, shard: ShardPlan, max_line_bytes: int) -> ShardScan:
    """Count a shard's lines and digest their bytes."""
    digest, lines = ShardDigest(), 0
    try:
        for line in shard_lines(fs, shard, max_line_bytes):
            digest.add(line)
            lines += 1
    except READ_ERRORS as err:
        return ShardScan(lines, digest.hexdigest(complete=False), f"{type(err).__name__}: {err}")
    return ShardScan(lines, digest.hexdigest())


def has_lone_surrogate(value: Union[str, list, dict]) -> bool:
    """Whether a parsed JSON value holds a string that is not Unicode text
    (a surrogate without its pair), which no UTF-8 output can hold."""
    if isinstance(value, str):
        try:
            value.encode("utf8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, dict):
        return any(has_lone_surrogate(k) or has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(has_lone_surrogate(v) for v in value)
    return False


def parse_line(
    source: str, number: int, line: bytes, text_key: str, id_key: str, limits: LineLimits
) -> Tuple[Any, str]:
    """The (id, text) of one input line; ValueError says what is wrong. The
    id is the record's own, else None.
    source: the input file's name (its suffix tells JSONL from text); number: the
    line's number; line: its bytes; text_key, id_key: the record's keys of
    the text and the id; limits: the longest text."""
    try:
        decoded = line.decode("utf8")
    except UnicodeDecodeError as err:
        raise ValueError(f"invalid UTF-8 at byte {err.start}") from None
    if not str(source).endswith(JSON_SUFFIXES):
        record_id, text = None, decoded
    else:
        try:
            record = json.loads(decoded)
        except json.JSONDecodeError as err:
            raise ValueError(f"not JSON: {err.msg} at column {err.colno}") from None
        except RecursionError:
            raise ValueError("nested too deeply to read (over Python's recursion limit)") from None
        if not isinstance(record, dict):
            raise ValueError(f"expected a JSON object, got {type(record).__name__}")
        if SURROGATE_ESCAPE.search(line) and has_lone_surrogate(record):
            raise ValueError("holds a lone surrogate (\\ud800-\\udfff without its pair): not Unicode text")
        if text_key not in record:
            raise ValueError(f"no {text_key!r} key")
        text = record[text_key]
        if not isinstance(text, str):
            raise ValueError(f"{text_key!r} is {type(text).__name__}, not a string")
        record_id = record.get(id_key)
    if len(text) > limits.max_text_chars:
        raise ValueError(f"a text of {len(text):,} characters, over the limit of {limits.max_text_chars:,}")
    return record_id, text


class ShardRecords:
    """The good records of a shard, `(id, text, line)` in order, as its
    lines are read; each bad line, and the error that stops the reading,
    goes to `on_error` as `{"file", "line", "error"}`. Once read: its
    `lines` and `digest` (ShardDigest's, "-incomplete" where reading stopped)."""

    def __init__(self, fs, shard: ShardPlan, first_line: int, text_key: str, id_key: str, limits: LineLimits,
                 on_error: Callable[[Dict[str, Any]], None]):  # fmt: skip
        self.fs, self.shard, self.first_line = fs, shard, first_line
        self.keys, self.limits, self.on_error = (text_key, id_key), limits, on_error
        self.hash, self.lines, self.complete = ShardDigest(), 0, True

    @property
    def digest(self) -> str:
        return self.hash.hexdigest(self.complete)

    def __iter__(self) -> Iterator[Tuple[Any, str, int]]:
        source = self.shard.source
        try:
            for line in shard_lines(self.fs, self.shard, self.limits.max_line_bytes):
                self.hash.add(line)
                self.lines += 1
                number = self.first_line + line.number - 1
                if line.data is None:
                    error = f"a line longer than {self.limits.max_line_bytes:,} bytes"
                    self.on_error({"file": source, "line": number, "error": error})
                    continue
                try:
                    record_id, text = parse_line(source, number, line.data, *self.keys, self.limits)
                except ValueError as err:
                    self.on_error({"file": source, "line": number, "error": str(err)})
                    continue
                yield record_id, text, number
        except READ_ERRORS as err:
            self.complete = False
            self.on_error(read_error(self.shard, self.lines, self.first_line, err))
