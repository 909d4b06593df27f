"""Read a text collection (a .jsonl or .txt file, gzipped or not, or a folder
of them) as a stream of shards: each shard's good records and bad lines, with
the file and line number of each bad line."""

import gzip
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Tuple

INPUT_SUFFIXES = (".jsonl", ".txt", ".jsonl.gz", ".txt.gz")


@dataclass
class Shard:
    """One shard of an input file: its good records and its bad lines."""

    name: str
    source: str
    records: List[Tuple[Any, str]] = field(default_factory=list)
    errors: List[Dict[str, Any]] = field(default_factory=list)
    end_byte: int = 0
    done: bool = False  # its part file exists: nothing to parse or annotate


def list_inputs(input_path: Path) -> List[Path]:
    """The input files, in a stable order: the file itself, or every
    supported file under a folder."""
    if input_path.is_dir():
        files = sorted(p for p in input_path.rglob("*") if p.is_file() and p.name.endswith(INPUT_SUFFIXES))
        if not files:
            raise ValueError(f"{input_path}: no {', '.join(INPUT_SUFFIXES)} files in this folder")
        return files
    if not input_path.is_file():
        raise ValueError(f"{input_path}: no such file or folder")
    if not input_path.name.endswith(INPUT_SUFFIXES):
        raise ValueError(f"{input_path}: expected one of {', '.join(INPUT_SUFFIXES)}")
    return [input_path]


def read_lines(path: Path) -> Iterator[Tuple[int, bytes, int]]:
    """(line number from 1, line without its end, bytes of the file read so
    far), streaming; gzip files are decompressed on the fly."""
    with open(path, "rb") as raw:
        stream = gzip.GzipFile(fileobj=raw) if path.name.endswith(".gz") else raw
        for number, line in enumerate(stream, start=1):
            yield number, line.rstrip(b"\r\n"), raw.tell()


def parse_line(path: Path, number: int, line: bytes, text_key: str, id_key: str) -> Tuple[Any, str]:
    """The (id, text) of one input line; ValueError says what is wrong."""
    try:
        decoded = line.decode("utf8")
    except UnicodeDecodeError as err:
        raise ValueError(f"invalid UTF-8 at byte {err.start}") from None
    if ".txt" in path.name:
        return number, decoded
    try:
        record = json.loads(decoded)
    except json.JSONDecodeError as err:
        raise ValueError(f"not JSON: {err.msg} at column {err.colno}") from None
    if not isinstance(record, dict):
        raise ValueError(f"expected a JSON object, got {type(record).__name__}")
    if text_key not in record:
        raise ValueError(f"no {text_key!r} key")
    if not isinstance(record[text_key], str):
        raise ValueError(f"{text_key!r} is {type(record[text_key]).__name__}, not a string")
    return record.get(id_key, number), record[text_key]


def read_shards(
    inputs: List[Path], shard_size: int, text_key: str, id_key: str, is_done: Callable[[str], bool]
) -> Iterator[Shard]:
    """Shards of every input, in order; a finished shard (by `is_done`) is
    yielded without records or errors, and its lines are not parsed."""
    for file_index, path in enumerate(inputs):
        lines: List[Tuple[int, bytes]] = []
        shard_index = 0
        end_byte = 0
        for number, line, end_byte in read_lines(path):
            lines.append((number, line))
            if len(lines) == shard_size:
                yield _make_shard(path, file_index, shard_index, lines, end_byte, text_key, id_key, is_done)
                lines, shard_index = [], shard_index + 1
        if lines:
            yield _make_shard(path, file_index, shard_index, lines, end_byte, text_key, id_key, is_done)


def _make_shard(path, file_index, shard_index, lines, end_byte, text_key, id_key, is_done) -> Shard:
    shard = Shard(name=f"part-{file_index:05d}-{shard_index:06d}", source=str(path), end_byte=end_byte)
    shard.done = is_done(shard.name)
    if shard.done:
        return shard
    for number, line in lines:
        try:
            shard.records.append(parse_line(path, number, line, text_key, id_key))
        except ValueError as err:
            shard.errors.append({"file": str(path), "line": number, "error": str(err)})
    return shard
