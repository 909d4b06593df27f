"""nerkit/annotation/output.py: part files written whole with a record of
their input bytes, bad lines gathered in errors.jsonl, stale parts removed,
a manifest a rerun must match (saying what differs), an output folder apart
from the input, and --overwrite that removes only what a run writes."""

import json

import pytest

from nerkit.annotation.collection import Shard
from nerkit.annotation.output import (
    MANIFEST,
    PartWriter,
    check_manifest,
    check_output_location,
    differences,
    remove_run_files,
)

ENT = {"start": 2, "end": 7, "label": "TERM", "text": "model"}


def shard(name="part-0123456789ab-000000", digest="d1"):
    found = Shard(name, "in.jsonl", records=[("a", "a model", 1), (None, "none", 2)], lines=3, digest=digest)
    found.errors.append({"file": "in.jsonl", "line": 3, "error": "not JSON"})
    return found


def test_a_shard_becomes_its_part_with_source_and_line_and_its_bad_lines_go_to_errors(tmp_path):
    writer = PartWriter(tmp_path)
    assert not writer.is_done(shard().name, "d1")
    writer(shard(), [[ENT], []], words=3)
    assert writer.is_done(shard().name, "d1") and not writer.is_done(shard().name, "d2")
    assert (writer.records, writer.errors, writer.words) == (2, 1, 3)
    lines = (tmp_path / f"{shard().name}.jsonl").read_text().splitlines()
    assert [json.loads(line) for line in lines] == [
        {"id": "a", "source": "in.jsonl", "line": 1, "ents": [ENT]},
        {"id": "in.jsonl:2", "source": "in.jsonl", "line": 2, "ents": []},  # no id: file and line, unique
    ]
    assert writer.collect_errors(["in.jsonl"]) == 1
    assert json.loads((tmp_path / "errors.jsonl").read_text()) == {"file": "in.jsonl", "line": 3, "error": "not JSON"}


def test_parts_an_input_no_longer_makes_are_removed_and_nothing_else(tmp_path):
    first = PartWriter(tmp_path)
    for i in range(3):
        first(shard(f"part-0123456789ab-00000{i}"), [[ENT], []], 3)
    (tmp_path / "notes.jsonl").write_text("mine\n")
    rerun = PartWriter(tmp_path)
    assert rerun.is_done("part-0123456789ab-000000", "d1")  # the file now makes one shard
    assert rerun.remove_stale() == ["part-0123456789ab-000001.jsonl", "part-0123456789ab-000002.jsonl"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.jsonl", "part-0123456789ab-000000.jsonl", "shards"]


def manifest(digest="m1", size=100, **settings):
    return {
        "model": {"name": "en_x", "version": "1", "pipeline": ["ner"], "digest": digest},
        "spacy": "3.8.18",
        "inputs": [{"source": "in.jsonl", "size": size, "mtime_ns": size}],
        "settings": {"shard_size": 10, **settings},
        "run": {"workers": 0},
    }


def test_what_would_mix_two_runs_is_named():
    assert differences(manifest(), manifest()) == []
    assert differences(manifest(), {**manifest(), "run": {"workers": 2}}) == []  # how it runs may change
    assert differences(manifest(size=100), manifest(size=150)) == []  # appended to: its changed shards are redone
    (model,) = differences(manifest("m1"), manifest("m2"))
    assert model.startswith("the model en_x 1 (digest m2) is not the earlier run's en_x 1 (digest m1)")
    assert differences(manifest(), {**manifest(), "spacy": "3.9.0"}) == ["spaCy 3.9.0, not the earlier run's 3.8.18"]
    assert differences(manifest(), manifest(shard_size=20, text_key="body")) == ["other settings: shard_size, text_key"]
    assert "is shorter than in the earlier run (50 bytes, was 100)" in differences(manifest(), manifest(size=50))[0]
    gone = {**manifest(), "inputs": []}
    assert differences(manifest(), gone) == ["the input in.jsonl of the earlier run is gone"]
    # a manifest this version does not write (inputs as bare names) is a difference, not a crash
    assert differences({**manifest(), "inputs": ["in.jsonl"]}, manifest())[-1].endswith("this version does not write")


def test_a_rerun_that_would_mix_is_refused_unless_told_to_overwrite(tmp_path):
    assert check_manifest(tmp_path, manifest(), overwrite=False) == []
    assert json.loads((tmp_path / MANIFEST).read_text()) == manifest()
    PartWriter(tmp_path)(shard(), [[ENT], []], 3)
    assert check_manifest(tmp_path, manifest(size=150), overwrite=False) == ["in.jsonl"]  # it grew
    with pytest.raises(ValueError, match=r"would mix with: the model en_x 1 \(digest m2\)"):
        check_manifest(tmp_path, manifest("m2", size=150), overwrite=False)
    assert (tmp_path / f"{shard().name}.jsonl").exists()
    check_manifest(tmp_path, manifest("m2", size=150), overwrite=True)
    assert not (tmp_path / f"{shard().name}.jsonl").exists() and not (tmp_path / "shards").exists()
    assert json.loads((tmp_path / MANIFEST).read_text())["model"]["digest"] == "m2"


def test_overwrite_removes_only_the_files_a_run_writes(tmp_path):
    names = ["part-0123456789ab-000000.jsonl", "errors.jsonl", "manifest.json"]
    for name in [*names, "part-mine.jsonl", "part-00000-000001.jsonl", "notes.txt"]:
        (tmp_path / name).write_text("x\n")
    (tmp_path / "shards").mkdir()
    remove_run_files(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt", "part-00000-000001.jsonl", "part-mine.jsonl"]


@pytest.mark.parametrize("output", [".", "out", "sub/out"])
def test_an_output_folder_inside_or_equal_to_the_input_is_refused(tmp_path, output):
    (tmp_path / "in").mkdir()
    with pytest.raises(ValueError, match="choose a folder apart"):
        check_output_location(tmp_path / "in", tmp_path / "in" / output)


def test_an_output_folder_holding_the_input_is_refused_and_one_beside_it_is_fine(tmp_path):
    (tmp_path / "data" / "in").mkdir(parents=True)
    (tmp_path / "data" / "in" / "a.jsonl").write_text("{}\n")
    with pytest.raises(ValueError, match="holds the input"):
        check_output_location(tmp_path / "data" / "in" / "a.jsonl", tmp_path / "data")
    check_output_location(tmp_path / "data" / "in", tmp_path / "data" / "out")
    check_output_location(tmp_path / "data" / "in" / "a.jsonl", tmp_path / "data" / "out")
