"""nerkit/annotation/storage.py: locations on a local disk and on a real S3
API (moto's server on 127.0.0.1): files published whole or not at all,
inputs listed in a stable order with their sizes, an output apart from the
input, and a missing filesystem package named in the error."""

import importlib.util

import pytest

from nerkit.annotation.storage import Location, StagedFile, filesystem, list_files, same_place

SUFFIXES = (".jsonl", ".txt", ".jsonl.gz", ".txt.gz")


def test_a_staged_file_appears_whole_on_commit_and_an_abandoned_one_leaves_the_old_file(tmp_path):
    folder = Location(str(tmp_path / "out"))
    folder.write_text("part.jsonl", "old\n")
    staged = StagedFile(folder, "part.jsonl")
    staged.file.write(b"half of the new")
    staged.discard()  # the writer died before its commit
    assert folder.read_text("part.jsonl") == "old\n" and sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "part.jsonl"
    ]
    staged = StagedFile(folder, "sub/part.jsonl")
    staged.file.write(b"new\n")
    assert not folder.exists("sub/part.jsonl")
    staged.commit()
    staged.discard()
    assert folder.read_text("sub/part.jsonl") == "new\n" and folder.read_text("missing.json") is None
    folder.remove("sub/part.jsonl")
    folder.remove("sub/part.jsonl")  # already gone: nothing to do
    assert not folder.exists("sub/part.jsonl")


def test_a_folder_lists_its_supported_files_in_a_stable_order_with_their_sizes(tmp_path):
    (tmp_path / "sub").mkdir()
    for name in ("b.jsonl", "a.txt", "sub/c.txt.gz", "ignored.csv"):
        (tmp_path / name).write_text("x" * len(name) + "\n")
    files = list_files(Location(str(tmp_path)), SUFFIXES)
    assert [(f["name"], f["size"]) for f in files] == [("a.txt", 6), ("b.jsonl", 8), ("sub/c.txt.gz", 13)]
    assert files[0]["path"] == str(tmp_path / "a.txt") and files[0]["modified"] not in ("", "None")
    (single,) = list_files(Location(f"file://{tmp_path}/sub/c.txt.gz"), SUFFIXES)
    assert single["name"] == "c.txt.gz"
    with pytest.raises(ValueError, match="expected one of"):
        list_files(Location(str(tmp_path / "ignored.csv")), SUFFIXES)
    with pytest.raises(ValueError, match="no such file or folder"):
        list_files(Location(str(tmp_path / "missing.jsonl")), SUFFIXES)
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="no .jsonl, .txt, .jsonl.gz, .txt.gz files in this folder"):
        list_files(Location(str(tmp_path / "empty")), SUFFIXES)


@pytest.mark.parametrize(
    "output, where",
    [("in", "is"), ("in/out", "lies inside"), ("in/sub/out", "lies inside"), (".", "holds"), ("out", None)],
)
def test_an_output_inside_equal_to_or_holding_the_input_is_found(tmp_path, output, where):
    (tmp_path / "in").mkdir()
    assert same_place(Location(str(tmp_path / output)), Location(str(tmp_path / "in"))) == where
    assert same_place(Location(f"s3://bucket/{output}".replace("/.", "")), Location("s3://bucket/in")) == where


def test_a_url_whose_filesystem_package_is_missing_names_the_package():
    if importlib.util.find_spec("gcsfs") is not None:
        pytest.skip("gcsfs is installed here")
    with pytest.raises(ValueError, match=r"gs://bucket/crawl: reading gs:// needs gcsfs \(pip install -r requirements"):
        filesystem("gs://bucket/crawl", {})
    with pytest.raises(ValueError, match="nosuch://x"):
        filesystem("nosuch://x", {})


def test_on_s3_files_are_listed_published_whole_and_read_back(s3_server, s3_bucket):
    bucket, fs = s3_bucket
    fs.pipe({f"{bucket}/crawl/b.jsonl": b"{}\n", f"{bucket}/crawl/a/c.txt.gz": b"xx", f"{bucket}/crawl/x.csv": b""})
    crawl = Location(f"s3://{bucket}/crawl/", s3_server["options"])
    assert [(f["name"], f["path"], f["size"]) for f in list_files(crawl, SUFFIXES)] == [
        ("a/c.txt.gz", f"{bucket}/crawl/a/c.txt.gz", 2),
        ("b.jsonl", f"{bucket}/crawl/b.jsonl", 3),
    ]
    out = Location(f"s3://{bucket}/out", s3_server["options"])
    staged = StagedFile(out, "part.jsonl")
    staged.file.write(b"a line\n")
    assert not fs.exists(f"{bucket}/out/part.jsonl")  # nothing is uploaded before the commit
    staged.commit()
    staged.discard()
    assert fs.cat(f"{bucket}/out/part.jsonl") == b"a line\n" and out.read_text("part.jsonl") == "a line\n"
    abandoned = StagedFile(out, "other.jsonl")
    abandoned.file.write(b"half")
    abandoned.discard()
    assert not out.exists("other.jsonl") and out.read_text("other.jsonl") is None
    assert same_place(out, crawl) is None
    with pytest.raises(ValueError, match=f"s3://{bucket}/missing: no such file or folder"):
        list_files(Location(f"s3://{bucket}/missing", s3_server["options"]), SUFFIXES)
