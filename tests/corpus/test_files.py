"""nerkit/corpus/files.py: the lines of a corpus file, and errors that name
the file and line."""

import pytest

from nerkit.corpus.files import read_lines
from nerkit.errors import CorpusError


def test_lines_are_utf8_without_byte_order_mark_or_carriage_returns(tmp_path):
    path = tmp_path / "c.tsv"
    path.write_bytes("\ufeffmodel\tB\r\nworks\tO\r\n\r\nlast".encode("utf8"))
    assert read_lines(path) == ["model\tB", "works\tO", "", "last"]


def test_invalid_utf8_and_a_missing_file_name_file_and_line(tmp_path):
    path = tmp_path / "c.tsv"
    path.write_bytes(b"model\tB\nlo\xffss\tO\n")
    with pytest.raises(CorpusError, match=r"c\.tsv:2: invalid UTF-8 at byte 2 of the line"):
        read_lines(path)
    with pytest.raises(CorpusError, match=r"nope\.tsv:0: file not found"):
        read_lines(tmp_path / "nope.tsv")
    assert isinstance(CorpusError(path, 3, "bad"), ValueError) and str(CorpusError(path, 3, "bad")) == f"{path}:3: bad"
