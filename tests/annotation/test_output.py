"""nerkit/annotation/output.py: a part published whole after its bad lines
and its record, errors.jsonl merged in input order with the errors of shards
that could not be annotated, stale parts removed, a manifest a rerun must
match (saying what differs), an output folder apart from the input, and
--overwrite that removes only what a run writes; on a local disk and on S3."""

import json

import pytest

from nerkit.annotation.collection import ShardPlan
from nerkit.annotation.output import (
    MANIFEST,
    PartOutput,
    check_manifest,
    check_output_location,
    collect_errors,
    differences,
    remove_run_files,
    remove_stale,
    stored_shard,
)
from nerkit.annotation.storage import Location

ENT = {"start": 2, "end": 7, "label": "TERM", "text": "model"}


def shard(index=0, source="in.jsonl"):
    return ShardPlan(source, f"/in/{source}", index, 100 * index, 100 * index + 100, False)


def write_part(output, plan, digest="d1", bad_line=3):
    part = PartOutput(output, plan)
    part.add_records([{"id": "a", "source": plan.source, "line": 1, "ents": [ENT]}])
    if bad_line is not None:
        part.add_error({"file": plan.source, "line": bad_line, "error": "not JSON"})
    part.publish({"name": plan.name, "digest": digest, "first_line": 1})


def test_a_part_is_published_after_its_bad_lines_and_its_record(tmp_path):
    output = Location(str(tmp_path))
    assert stored_shard(output, shard().name) is None
    part = PartOutput(output, shard())
    part.add_records([{"id": "a", "source": "in.jsonl", "line": 1, "ents": [ENT]}])
    assert not list(tmp_path.glob("part-*.jsonl"))  # nothing is visible before publish
    part.add_error({"file": "in.jsonl", "line": 3, "error": "not JSON"})
    part.publish({"name": shard().name, "digest": "d1", "first_line": 1})
    assert stored_shard(output, shard().name) == {"name": shard().name, "digest": "d1", "first_line": 1}
    assert json.loads((tmp_path / f"{shard().name}.jsonl").read_text()) == {
        "id": "a", "source": "in.jsonl", "line": 1, "ents": [ENT]
    }  # fmt: skip
    (tmp_path / f"{shard().name}.jsonl").unlink()
    assert stored_shard(output, shard().name) is None  # a record without its part is not done
    abandoned = PartOutput(output, shard(1))
    abandoned.add_records([{"id": "b"}])
    abandoned.discard()  # the worker died: no part, no record, no temporary file left
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shards"]


def test_errors_are_merged_in_input_order_with_the_shards_that_failed(tmp_path):
    output = Location(str(tmp_path))
    plan = [shard(0), shard(1), shard(2), shard(0, "other.jsonl")]
    write_part(output, plan[0], bad_line=3)
    write_part(output, plan[2], bad_line=250)
    write_part(output, plan[3], bad_line=0)
    failed = {plan[1].name: [{"file": "in.jsonl", "line": 101, "error": "not annotated: PermissionError"}]}
    assert collect_errors(output, plan, failed) == 4
    errors = [json.loads(line) for line in (tmp_path / "errors.jsonl").read_text().splitlines()]
    assert [(e["file"], e["line"]) for e in errors] == [("in.jsonl", 3), ("in.jsonl", 101), ("in.jsonl", 250),
                                                        ("other.jsonl", 0)]  # fmt: skip
    write_part(output, plan[0], bad_line=None)  # made again without a bad line: its error file goes
    assert collect_errors(output, plan, {}) == 2


def test_parts_the_plan_no_longer_makes_are_removed_and_nothing_else(tmp_path):
    output = Location(str(tmp_path))
    for i in range(3):
        write_part(output, shard(i))
    (tmp_path / "notes.jsonl").write_text("mine\n")
    assert remove_stale(output, [shard(0).name]) == [f"{shard(1).name}.jsonl", f"{shard(2).name}.jsonl"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.jsonl", f"{shard(0).name}.jsonl", "shards"]
    assert sorted(p.name for p in (tmp_path / "shards").iterdir()) == [
        f"{shard(0).name}.errors.jsonl",
        f"{shard(0).name}.json",
    ]


def manifest(digest="m1", size=100, **settings):
    return {
        "model": {"name": "en_x", "version": "1", "pipeline": ["ner"], "digest": digest},
        "spacy": "3.8.18",
        "inputs": [{"source": "in.jsonl", "size": size, "modified": str(size)}],
        "settings": {"shard_bytes": 10, **settings},
        "run": {"workers": 0},
    }


def test_what_would_mix_two_runs_is_named():
    assert differences(manifest(), manifest()) == []
    assert differences(manifest(), {**manifest(), "run": {"workers": 2}}) == []  # how it runs may change
    assert differences(manifest(size=100), manifest(size=150)) == []  # appended to: its changed shards are redone
    (model,) = differences(manifest("m1"), manifest("m2"))
    assert model.startswith("the model en_x 1 (digest m2) is not the earlier run's en_x 1 (digest m1)")
    assert differences(manifest(), {**manifest(), "spacy": "3.9.0"}) == ["spaCy 3.9.0, not the earlier run's 3.8.18"]
    assert differences(manifest(), manifest(shard_bytes=20, text_key="body")) == [
        "other settings: shard_bytes, text_key"
    ]
    assert "is shorter than in the earlier run (50 bytes, was 100)" in differences(manifest(), manifest(size=50))[0]
    gone = {**manifest(), "inputs": []}
    assert differences(manifest(), gone) == ["the input in.jsonl of the earlier run is gone"]
    # a manifest this version does not write (inputs as bare names) is a difference, not a crash
    assert differences({**manifest(), "inputs": ["in.jsonl"]}, manifest())[-1].endswith("this version does not write")


@pytest.fixture(params=["local", "s3"])
def output(request, tmp_path):
    if request.param == "local":
        return Location(str(tmp_path / "out"))
    server, (bucket, _) = request.getfixturevalue("s3_server"), request.getfixturevalue("s3_bucket")
    return Location(f"s3://{bucket}/out", server["options"])


def test_a_rerun_that_would_mix_is_refused_unless_told_to_overwrite(output):
    assert check_manifest(output, manifest(), overwrite=False) == []
    assert json.loads(output.read_text(MANIFEST)) == manifest()
    write_part(output, shard())
    assert check_manifest(output, manifest(size=150), overwrite=False) == ["in.jsonl"]  # it grew
    with pytest.raises(ValueError, match=r"would mix with: the model en_x 1 \(digest m2\)"):
        check_manifest(output, manifest("m2", size=150), overwrite=False)
    assert output.exists(f"{shard().name}.jsonl")
    check_manifest(output, manifest("m2", size=150), overwrite=True)
    assert not output.exists(f"{shard().name}.jsonl") and not output.exists("shards")
    assert json.loads(output.read_text(MANIFEST))["model"]["digest"] == "m2"


def test_overwrite_removes_only_the_files_a_run_writes(output):
    names = ["part-0123456789ab-000000.jsonl", "errors.jsonl", "manifest.json", "shards/x.json"]
    for name in [*names, "part-mine.jsonl", "part-00000-000001.jsonl", "notes.txt"]:
        output.write_text(name, "x\n")
    remove_run_files(output)
    left = sorted(path.rsplit("/", 1)[-1] for path in output.fs.find(output.path))
    assert left == ["notes.txt", "part-00000-000001.jsonl", "part-mine.jsonl"]


@pytest.mark.parametrize("output_name", [".", "out", "sub/out"])
def test_an_output_folder_inside_or_equal_to_the_input_is_refused(tmp_path, output_name):
    (tmp_path / "in").mkdir()
    with pytest.raises(ValueError, match="choose a folder apart"):
        check_output_location(Location(str(tmp_path / "in")), Location(str(tmp_path / "in" / output_name)))


def test_an_output_folder_holding_the_input_is_refused_and_one_beside_it_is_fine(tmp_path):
    (tmp_path / "data" / "in").mkdir(parents=True)
    (tmp_path / "data" / "in" / "a.jsonl").write_text("{}\n")
    source, data = Location(str(tmp_path / "data" / "in")), Location(str(tmp_path / "data"))
    with pytest.raises(ValueError, match="holds the input"):
        check_output_location(Location(str(tmp_path / "data" / "in" / "a.jsonl")), data)
    check_output_location(source, Location(str(tmp_path / "data" / "out")))
    check_output_location(Location(str(tmp_path / "data" / "in" / "a.jsonl")), Location(str(tmp_path / "data" / "out")))
    with pytest.raises(ValueError, match="s3://b/crawl/out: the output folder lies inside the input s3://b/crawl"):
        check_output_location(Location("s3://b/crawl"), Location("s3://b/crawl/out"))


def test_an_output_bucket_that_does_not_exist_is_refused_with_its_url(s3_server):
    output = Location("s3://no-such-bucket-here/out", s3_server["options"])
    with pytest.raises(ValueError, match="s3://no-such-bucket-here/out: the output cannot be written"):
        check_manifest(output, manifest(), overwrite=False)
