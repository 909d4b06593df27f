"""dlbook/common/atomic_files.py: a file is written whole or not at all."""

import pytest

import dlbook.common.atomic_files as atomic_files
from dlbook.common.atomic_files import write_atomic


def test_write_creates_the_folder_and_gives_the_usual_mode(tmp_path):
    path = tmp_path / "new" / "out.json"
    write_atomic(path, "{}\n")
    assert path.read_text() == "{}\n" and [p.name for p in path.parent.iterdir()] == ["out.json"]
    assert path.stat().st_mode & 0o777 == 0o666 & ~atomic_files._umask()


def test_interrupted_write_leaves_no_partial_file(tmp_path, monkeypatch):
    target = tmp_path / "train.spacy"
    target.write_bytes(b"previous good file")

    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(atomic_files.os, "replace", fail)
    with pytest.raises(OSError):
        write_atomic(target, b"new")
    assert target.read_bytes() == b"previous good file"
    assert [p.name for p in tmp_path.iterdir()] == ["train.spacy"]
