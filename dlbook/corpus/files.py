"""Reading corpus files: their text lines, and the error that names the file
and line of bad input."""

from pathlib import Path
from typing import List


class CorpusError(ValueError):
    """Bad input, with the file and line it was found at (0: the whole file)."""

    def __init__(self, path: Path, line: int, problem: str):
        super().__init__(f"{path}:{line}: {problem}")


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
