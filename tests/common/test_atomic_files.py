"""nerkit/common/atomic_files.py: a file, or a set of files, is written whole
or not at all; durably where asked."""

import pytest

import nerkit.common.atomic_files as atomic_files
from nerkit.common.atomic_files import replace_together, write_atomic


def test_write_creates_the_folder_and_gives_the_usual_mode(tmp_path):
    path = tmp_path / "new" / "out.json"
    write_atomic(path, "{}\n")
    assert path.read_text() == "{}\n" and [p.name for p in path.parent.iterdir()] == ["out.json"]
    assert path.stat().st_mode & 0o777 == 0o666 & ~atomic_files.current_umask()


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


def test_files_replaced_together_keep_every_old_file_when_one_fails_to_write(tmp_path, monkeypatch):
    old = {tmp_path / name: f"old {name}".encode() for name in ("train.spacy", "dev.spacy", "test.spacy")}
    for path, data in old.items():
        path.write_bytes(data)
    real_fdopen = atomic_files.os.fdopen
    opened = []

    def fail_on_the_third(fd, mode):
        opened.append(fd)
        if len(opened) == 3:
            raise OSError("disk full")
        return real_fdopen(fd, mode)

    monkeypatch.setattr(atomic_files.os, "fdopen", fail_on_the_third)
    with pytest.raises(OSError, match="disk full"):
        replace_together({path: b"new" for path in old})
    # no file was replaced before all three were written, and no temporary is left
    assert {path: path.read_bytes() for path in old} == old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dev.spacy", "test.spacy", "train.spacy"]


def test_a_durable_write_flushes_the_file_before_the_rename_and_the_folder_after(tmp_path, monkeypatch):
    calls = []
    real_fsync, real_replace = atomic_files.os.fsync, atomic_files.os.replace
    monkeypatch.setattr(atomic_files.os, "fsync", lambda fd: calls.append("fsync") or real_fsync(fd))
    monkeypatch.setattr(atomic_files.os, "replace", lambda a, b: calls.append("replace") or real_replace(a, b))
    write_atomic(tmp_path / "part.jsonl", "{}\n", durable=True)
    assert calls == ["fsync", "replace", "fsync"]
    calls.clear()
    write_atomic(tmp_path / "part.jsonl", "{}\n")
    assert calls == ["replace"]
