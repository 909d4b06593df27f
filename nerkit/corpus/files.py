"""Reading corpus files as text lines; bad bytes are a CorpusError that
names the file and line."""

from pathlib import Path
from typing import List

from nerkit.errors import CorpusError


def read_lines(path: Path) -> List[str]:
    """The file's lines as text: UTF-8, a byte-order mark stripped, CRLF
    accepted."""
    if not path.is_file():
        raise CorpusError(path, 0, "file not found")
    lines = path.read_bytes().split(b"\n")
    if lines[-1] == b"":
        lines.pop()
    texts = []
    for number, line_bytes in enumerate(lines, start=1):
        try:
            line = line_bytes.decode("utf8")
        except UnicodeDecodeError as err:
            raise CorpusError(path, number, f"invalid UTF-8 at byte {err.start} of the line") from None
        if number == 1:
            line = line.removeprefix("\ufeff")
        texts.append(line.removesuffix("\r"))
    return texts
