"""Write a file so that it is either whole or not there: the data goes to a
temporary file beside it, which is then renamed into place. An interrupted
run never leaves a half-written file, nor replaces a good one. `durable`
also flushes the data to the disk before the rename, and the rename after
it, so that a power cut cannot leave the new name on an empty file."""

import json
import os
import tempfile
from pathlib import Path
from typing import Any, Dict, Iterable, Union

Data = Union[bytes, str]


def write_atomic(path: Path, data: Data, durable: bool = False) -> None:
    """Write `data` (text as UTF-8) to `path`, creating its folder."""
    replace_together({Path(path): data}, durable)


def write_json(path: Path, data: Any, durable: bool = False) -> None:
    """`data` as indented JSON (UTF-8 as it is, not escaped), ending in a newline."""
    write_atomic(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n", durable=durable)


def write_lines(path: Path, lines: Iterable[str], durable: bool = False) -> None:
    """Each line ended by a newline (JSONL, one record a line)."""
    write_atomic(path, "".join(line + "\n" for line in lines), durable=durable)


def replace_together(files: Dict[Path, Data], durable: bool = False) -> None:
    """Write every file to a temporary name first, then rename them into
    place one after the other: an error or a kill while writing leaves every
    old file as it was (the renames themselves take microseconds)."""
    written = {}
    try:
        for path, data in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            written[path] = tmp_name
            with os.fdopen(fd, "wb") as tmp_file:
                tmp_file.write(data.encode("utf8") if isinstance(data, str) else data)
                if durable:
                    tmp_file.flush()
                    os.fsync(tmp_file.fileno())
            # mkstemp makes the file private (0600); give it the usual mode
            os.chmod(tmp_name, 0o666 & ~current_umask())
        for path, tmp_name in written.items():
            os.replace(tmp_name, path)
        if durable:
            for folder in {path.parent for path in written}:
                fsync_folder(folder)
    except BaseException:
        for tmp_name in written.values():
            Path(tmp_name).unlink(missing_ok=True)
        raise


def fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
