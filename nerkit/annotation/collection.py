"""Read a text collection (a .jsonl or .txt file, gzipped or not, or a folder
of them) as a stream of shards: each shard's good records, its bad lines and
bad files, each with its file and line, and a digest of the shard's input
bytes (a rerun redoes a shard whose bytes changed, as when a file grew).

Nothing here loads a whole file or a whole line: a line longer than
`max_line_bytes` is skipped in pieces and reported; a truncated or corrupt
gzip, or a file that cannot be read, is reported at the line where reading
stopped, and the next file is read."""

import gzip
import hashlib
import json
import re
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Callable, Dict, Iterator, List, Optional, Tuple, Union

from nerkit.errors import NerkitError

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


@dataclass
class Shard:
    """One shard of an input file: its good records (id, text, line), its
    bad lines and files, and the digest of its input bytes."""

    name: str
    source: str
    records: List[Tuple[Any, str, int]] = field(default_factory=list)
    errors: List[Dict[str, Any]] = field(default_factory=list)
    first_line: int = 1
    lines: int = 0
    end_byte: int = 0
    digest: str = ""
    done: bool = False  # its part file exists for these very bytes: nothing to parse or annotate


@dataclass
class Line:
    """One input line: its number, its bytes (None where it was too long to
    keep) and the bytes of the file read so far."""

    number: int
    data: Optional[bytes]
    end_byte: int


def list_inputs(input_path: Path) -> List[Path]:
    """The input files, in a stable order: the file itself, or every
    supported file under a folder."""
    if input_path.is_dir():
        files = sorted(p for p in input_path.rglob("*") if p.is_file() and p.name.endswith(INPUT_SUFFIXES))
        if not files:
            raise NerkitError(f"{input_path}: no {', '.join(INPUT_SUFFIXES)} files in this folder")
        return files
    if not input_path.is_file():
        raise NerkitError(f"{input_path}: no such file or folder")
    if not input_path.name.endswith(INPUT_SUFFIXES):
        raise NerkitError(f"{input_path}: expected one of {', '.join(INPUT_SUFFIXES)}")
    return [input_path]


def source_name(path: Path, input_path: Path) -> str:
    """How records and errors name their file: its path under the input
    folder (the file's own name for a single file)."""
    return path.name if path == input_path else path.relative_to(input_path).as_posix()


def read_lines(stream: BinaryIO, max_line_bytes: int, raw: Optional[BinaryIO] = None) -> Iterator[Line]:
    """The lines of a binary stream without their ends, each read with at
    most `max_line_bytes` + 1 bytes in memory; `raw` is the file under a
    decompressing stream (its position is the bytes read so far)."""
    position = raw or stream
    number = 0
    while True:
        piece = stream.readline(max_line_bytes + 1)
        if not piece:
            return
        number += 1
        if len(piece) > max_line_bytes and not piece.endswith(b"\n"):
            while piece and not piece.endswith(b"\n"):  # skip the rest of the line, a piece at a time
                piece = stream.readline(max_line_bytes + 1)
            yield Line(number, None, position.tell())
        else:
            yield Line(number, piece.rstrip(b"\r\n"), position.tell())


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


def parse_line(path: Path, number: int, line: bytes, text_key: str, id_key: str, limits: LineLimits) -> Tuple[Any, str]:
    """The (id, text) of one input line; ValueError says what is wrong. The
    id is the record's own, else None.
    path: the input file (its suffix tells JSONL from text); number: the
    line's number; line: its bytes; text_key, id_key: the record's keys of
    the text and the id; limits: the longest text."""
    try:
        decoded = line.decode("utf8")
    except UnicodeDecodeError as err:
        raise ValueError(f"invalid UTF-8 at byte {err.start}") from None
    if not path.name.endswith(JSON_SUFFIXES):
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


def shard_name(source: str, shard_index: int) -> str:
    """A part's name, stable whatever other files the input folder holds."""
    return f"part-{hashlib.sha1(source.encode('utf8')).hexdigest()[:12]}-{shard_index:06d}"


class ShardBuilder:
    """Collects the lines of one shard and makes it."""

    def __init__(self, path: Path, source: str, index: int, first_line: int):
        self.path, self.source, self.index, self.first_line = path, source, index, first_line
        self.lines: List[Line] = []
        self.hash = hashlib.blake2b(digest_size=16)
        self.file_errors: List[Dict[str, Any]] = []

    def add(self, line: Line) -> None:
        self.lines.append(line)
        self.hash.update(b"\x00" if line.data is None else line.data)
        self.hash.update(b"\n")

    def build(
        self, end_byte: int, text_key: str, id_key: str, limits: LineLimits, is_done: Callable[[str, str], bool]
    ) -> Shard:
        shard = Shard(
            name=shard_name(self.source, self.index),
            source=self.source,
            first_line=self.first_line,
            lines=len(self.lines),
            end_byte=end_byte,
            digest=self.hash.hexdigest() + ("-incomplete" if self.file_errors else ""),
        )
        shard.done = is_done(shard.name, shard.digest)
        if shard.done:
            return shard
        for line in self.lines:
            if line.data is None:
                error = f"a line longer than {limits.max_line_bytes:,} bytes"
                shard.errors.append({"file": self.source, "line": line.number, "error": error})
                continue
            try:
                record_id, text = parse_line(self.path, line.number, line.data, text_key, id_key, limits)
            except ValueError as err:
                shard.errors.append({"file": self.source, "line": line.number, "error": str(err)})
                continue
            shard.records.append((record_id, text, line.number))
        shard.errors.extend(self.file_errors)
        return shard


def read_shards(
    inputs: List[Path],
    input_path: Path,
    shard_size: int,
    text_key: str,
    id_key: str,
    is_done: Callable[[str, str], bool],
    limits: LineLimits = LineLimits(),
) -> Iterator[Shard]:
    """Shards of every input, in order. A finished shard (`is_done(name,
    digest)`) is yielded without records or errors, and its lines are not
    parsed. A file that cannot be read to its end ends with a shard that
    holds its lines so far and the error, and the next file is read.
    inputs: the files, in order; input_path: the file or folder given (files
    are named relative to it); shard_size: lines a shard; text_key, id_key:
    the records' keys; is_done: whether a shard's part exists for its bytes;
    limits: the longest line and text."""
    for path in inputs:
        source = source_name(path, input_path)
        builder = ShardBuilder(path, source, 0, 1)
        end_byte = 0
        try:
            raw = open(path, "rb")
        except OSError as err:  # gone, or not readable: the whole file (line 0)
            builder.file_errors.append({"file": source, "line": 0, "error": f"cannot be read: {err}"})
            yield builder.build(0, text_key, id_key, limits, is_done)
            continue
        try:
            stream = gzip.GzipFile(fileobj=raw) if path.name.endswith(".gz") else raw
            for line in read_lines(stream, limits.max_line_bytes, raw):
                builder.add(line)
                end_byte = line.end_byte
                if len(builder.lines) == shard_size:
                    yield builder.build(end_byte, text_key, id_key, limits, is_done)
                    builder = ShardBuilder(path, source, builder.index + 1, line.number + 1)
        except (OSError, EOFError, zlib.error) as err:
            # a truncated gzip (EOFError), a corrupt one (BadGzipFile, zlib.error), a read that failed
            failed_at = builder.first_line + len(builder.lines)
            what = "truncated gzip" if isinstance(err, EOFError) else type(err).__name__
            error = f"{what}: {err}; the lines before it were read"
            builder.file_errors.append({"file": source, "line": failed_at, "error": error})
        finally:
            raw.close()
        if builder.lines or builder.file_errors:
            yield builder.build(end_byte, text_key, id_key, limits, is_done)
