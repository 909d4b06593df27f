"""dlbook/annotation/output.py: part files written whole, bad lines
gathered in errors.jsonl, and a manifest a rerun must match."""

import json

import pytest

from dlbook.annotation.collection import Shard
from dlbook.annotation.output import MANIFEST, PartWriter, check_manifest


def test_a_shard_becomes_its_part_file_and_its_bad_lines_go_to_errors(tmp_path):
    writer = PartWriter(tmp_path)
    shard = Shard("part-00000-000000", "in.jsonl", records=[("a", "a model"), (2, "none")])
    shard.errors.append({"file": "in.jsonl", "line": 3, "error": "not JSON"})
    assert not writer.is_done(shard.name)
    writer(shard, [[{"start": 2, "end": 7, "label": "TERM", "text": "model"}], []], words=3)
    assert writer.is_done(shard.name) and (writer.records, writer.errors, writer.words) == (2, 1, 3)
    lines = (tmp_path / "part-00000-000000.jsonl").read_text().splitlines()
    assert [json.loads(line) for line in lines] == [
        {"id": "a", "ents": [{"start": 2, "end": 7, "label": "TERM", "text": "model"}]},
        {"id": 2, "ents": []},
    ]
    assert writer.collect_errors() == 1
    assert json.loads((tmp_path / "errors.jsonl").read_text()) == {"file": "in.jsonl", "line": 3, "error": "not JSON"}


def test_a_rerun_with_other_settings_is_refused_unless_told_to_overwrite(tmp_path):
    manifest = {"model": {"name": "en_x", "version": "1"}, "inputs": ["in.jsonl"], "settings": {"shard_size": 10}}
    check_manifest(tmp_path, manifest, overwrite=False)
    assert json.loads((tmp_path / MANIFEST).read_text()) == manifest
    (tmp_path / "part-00000-000000.jsonl").write_text("{}\n")
    check_manifest(tmp_path, {**manifest, "run": {"workers": 2}}, overwrite=False)  # how it runs may change
    other = {**manifest, "settings": {"shard_size": 20}}
    with pytest.raises(ValueError, match="holds a run with another settings"):
        check_manifest(tmp_path, other, overwrite=False)
    assert (tmp_path / "part-00000-000000.jsonl").exists()
    check_manifest(tmp_path, other, overwrite=True)
    assert not (tmp_path / "part-00000-000000.jsonl").exists()
    assert json.loads((tmp_path / MANIFEST).read_text()) == other
