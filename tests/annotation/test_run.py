"""nerkit/annotation/run.py: against a real trained pipeline, in process and on a
real Dask LocalCluster of 2 worker processes on 127.0.0.1, with input and
output on a local disk and on a real S3 API (moto's server on 127.0.0.1):
bad lines and bad files among good ones, resume, a file that grew, a worker
killed mid-run, a shard that storage refuses, and reruns with another model,
a model trained again in place or other settings refused."""

import gzip
import json
import os
import shutil
import signal
import threading
import time

import fsspec
import pytest
import spacy
from spacy.training import Example

from nerkit.annotation.collection import ShardPlan
from nerkit.annotation.run import AnnotateOptions, annotate
from nerkit.annotation.workers import RunWatch
from nerkit.common.loading import load_pipeline

slow = pytest.mark.slow
# about a tenth of the collection's bytes
SHARD_BYTES = 16_000


def shard_name(source, index):
    return ShardPlan(source, "", index, 0, 0, False).name


def shards_of(path, shard_bytes=SHARD_BYTES):
    return -(-path.stat().st_size // shard_bytes)


N_GOOD = 1000
BAD_LINES = [
    b"this is not json",
    b'{"id": "no-text", "body": "model"}',
    b'{"id": "number", "text": 42}',
    b'["a", "list"]',
    b'{"id": "latin1", "text": "caf\xe9 model"}',
]


def corpus_texts(corpus_slice, n: int, words_per_text: int = 20):
    """n texts of the real corpus, in order."""
    words = [token for token, _ in corpus_slice(n * words_per_text)]
    return [" ".join(words[i : i + words_per_text]) for i in range(0, len(words), words_per_text)]


@pytest.fixture(scope="module")
def collection(tmp_path_factory, corpus_slice):
    """A JSONL file of 1,000 good lines with 5 bad ones among them, and the
    line numbers of the bad ones."""
    path = tmp_path_factory.mktemp("input") / "docs.jsonl"
    lines, bad_numbers = [], []
    for i, text in enumerate(corpus_texts(corpus_slice, N_GOOD)):
        lines.append(json.dumps({"id": f"doc-{i}", "text": text}).encode())
        if i % 200 == 100:
            lines.append(BAD_LINES[len(bad_numbers)])
            bad_numbers.append(len(lines))
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path, bad_numbers


@pytest.fixture(scope="module")
def expected(sm_model, collection):
    """The records of in-process nlp.pipe, by id."""
    path, _ = collection
    nlp = load_pipeline(sm_model)
    records = [json.loads(line) for line in path.read_bytes().splitlines() if line.startswith(b'{"id": "doc-')]
    docs = nlp.pipe(r["text"] for r in records)
    return {
        r["id"]: [{"start": e.start_char, "end": e.end_char, "label": e.label_, "text": e.text} for e in doc.ents]
        for r, doc in zip(records, docs, strict=True)
    }


def strings_of(nlp):
    """A RunWatch probe: the strings of the pipeline's vocabulary."""
    return {"strings": len(nlp.vocab.strings)}


def read_parts(output_dir):
    records = []
    for part in sorted(output_dir.glob("part-*.jsonl")):
        records.extend(json.loads(line) for line in part.read_text().splitlines())
    return records


def assert_complete(output_dir, expected, collection):
    path, bad_numbers = collection
    records = read_parts(output_dir)
    assert len(records) == N_GOOD  # every good line exactly once
    assert {r["id"]: r["ents"] for r in records} == expected
    assert sum(len(r["ents"]) for r in records) >= 40  # of the 52 terms in these 20,000 corpus tokens
    assert all(r["source"] == path.name and isinstance(r["line"], int) for r in records)
    errors = [json.loads(line) for line in (output_dir / "errors.jsonl").read_text().splitlines()]
    assert [(e["file"], e["line"]) for e in errors] == [(path.name, n) for n in bad_numbers]


@slow
def test_in_process_matches_nlp_pipe_and_reports_bad_lines(sm_model, collection, expected, tmp_path):
    summary = annotate(str(sm_model), collection[0], tmp_path / "out", AnnotateOptions(shard_bytes=SHARD_BYTES))
    assert (summary["records"], summary["errors"]) == (N_GOOD, len(BAD_LINES))
    assert_complete(tmp_path / "out", expected, collection)
    errors = [json.loads(line)["error"] for line in (tmp_path / "out" / "errors.jsonl").read_text().splitlines()]
    assert errors[0].startswith("not JSON") and errors[1] == "no 'text' key" and "int, not a string" in errors[2]
    assert "JSON object" in errors[3] and errors[4].startswith("invalid UTF-8")
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["model"]["name"] == "en_pipeline" and len(manifest["model"]["digest"]) == 32
    assert manifest["spacy"] == spacy.__version__ and manifest["inputs"][0]["source"] == "docs.jsonl"


@pytest.fixture(scope="module")
def cluster():
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as local:
        yield local


@slow
def test_dask_cluster_gives_the_records_of_nlp_pipe(sm_model, collection, expected, cluster, tmp_path):
    seen = []
    watch = RunWatch(probe=strings_of, collect=lambda worker, words, found: seen.append((worker, words, found)))
    options = AnnotateOptions(scheduler=cluster.scheduler_address, shard_bytes=SHARD_BYTES)
    summary = annotate(str(sm_model), collection[0], tmp_path / "out", options, watch)
    shards = shards_of(collection[0])
    assert summary["parts_written"] == shards >= 8 and summary["records"] == N_GOOD
    # the probe ran on the workers, once a shard, and its findings came back with the words
    assert {worker for worker, _, _ in seen} <= set(cluster.scheduler_info["workers"]) and len(seen) == shards
    assert sum(words for _, words, _ in seen) == summary["words"] and all(f["strings"] > 0 for _, _, f in seen)
    assert_complete(tmp_path / "out", expected, collection)


@slow
def test_resume_recomputes_only_the_missing_part(sm_model, collection, expected, cluster, tmp_path):
    output_dir = tmp_path / "out"
    options = AnnotateOptions(scheduler=cluster.scheduler_address, shard_bytes=SHARD_BYTES)
    annotate(str(sm_model), collection[0], output_dir, options)
    kept = output_dir / f"{shard_name('docs.jsonl', 7)}.jsonl"
    kept_mtime = kept.stat().st_mtime_ns
    removed = output_dir / f"{shard_name('docs.jsonl', 3)}.jsonl"
    records = len(removed.read_text().splitlines())
    removed.unlink()
    summary = annotate(str(sm_model), collection[0], output_dir, options)
    assert (summary["parts_written"], summary["parts_skipped"]) == (1, shards_of(collection[0]) - 1)
    assert summary["records"] == records
    assert kept.stat().st_mtime_ns == kept_mtime
    assert_complete(output_dir, expected, collection)


@slow
@pytest.mark.parametrize("store", ["local", "s3"])
def test_killed_worker_loses_and_duplicates_nothing(sm_model, collection, expected, tmp_path, request, store):
    from distributed import Client, LocalCluster

    if store == "s3":
        server, (bucket, fs) = request.getfixturevalue("s3_server"), request.getfixturevalue("s3_bucket")
        fs.put(str(collection[0]), f"{bucket}/crawl/docs.jsonl")
        source, output, storage = f"s3://{bucket}/crawl", f"{bucket}/out", server["options"]
    else:
        fs, source, output, storage = fsspec.filesystem("file"), str(collection[0]), str(tmp_path / "out"), {}
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as local:
        with Client(local) as client:
            victim = next(iter(client.run(os.getpid).values()))
        killed = threading.Event()

        def kill_when_parts_appear():
            deadline = time.time() + 120
            while time.time() < deadline and not fs.glob(f"{output}/part-*.jsonl"):
                time.sleep(0.01)
            os.kill(victim, signal.SIGKILL)
            killed.set()

        threading.Thread(target=kill_when_parts_appear, daemon=True).start()
        options = AnnotateOptions(scheduler=local.scheduler_address, shard_bytes=3000, storage_options=storage)
        summary = annotate(str(sm_model), source, f"s3://{output}" if store == "s3" else output, options)
    assert killed.is_set() and summary["parts_skipped"] == 0
    assert summary["parts_written"] == shards_of(collection[0], 3000) >= 40
    if store == "s3":
        fs.get(f"{output}/", str(tmp_path / "out"), recursive=True)
    assert_complete(tmp_path / "out", expected, collection)


@slow
def test_rerun_with_another_model_is_refused(sm_model, other_model, collection, tmp_path):
    output_dir = tmp_path / "out"
    annotate(str(sm_model), collection[0], output_dir, AnnotateOptions(shard_bytes=80_000))
    before = sorted(p.name for p in output_dir.iterdir())
    with pytest.raises(ValueError, match="would mix with: the model en_other_pipeline 0.0.0"):
        annotate(str(other_model), collection[0], output_dir, AnnotateOptions(shard_bytes=80_000))
    with pytest.raises(ValueError, match="other settings: shard_bytes"):
        annotate(str(sm_model), collection[0], output_dir, AnnotateOptions(shard_bytes=SHARD_BYTES))
    assert sorted(p.name for p in output_dir.iterdir()) == before
    summary = annotate(str(other_model), collection[0], output_dir, AnnotateOptions(shard_bytes=80_000, overwrite=True))
    assert summary["parts_written"] == shards_of(collection[0], 80_000) and summary["parts_skipped"] == 0


@slow
def test_a_model_trained_again_in_place_is_refused_whatever_its_name_and_version(sm_model, collection, tmp_path):
    model = shutil.copytree(sm_model, tmp_path / "model")
    annotate(str(model), collection[0], tmp_path / "out", AnnotateOptions(shard_bytes=80_000))
    nlp = spacy.load(model)
    example = Example.from_dict(nlp.make_doc("a model here"), {"entities": [(2, 7, "TERM")]})
    nlp.update([example], sgd=nlp.resume_training())  # one more training step, saved over the folder
    nlp.to_disk(model)
    assert spacy.load(model).meta["name"] == nlp.meta["name"] and nlp.meta["version"] == "0.0.0"
    with pytest.raises(ValueError, match=r"would mix with: the model en_pipeline 0\.0\.0 \(digest"):
        annotate(str(model), collection[0], tmp_path / "out", AnnotateOptions(shard_bytes=80_000))


@slow
def test_a_file_that_grew_is_read_again_from_its_last_complete_shard(sm_model, corpus_slice, tmp_path):
    texts = corpus_texts(corpus_slice, 350)
    path = tmp_path / "in" / "grows.jsonl"
    path.parent.mkdir()
    path.write_text("".join(json.dumps({"text": t}) + "\n" for t in texts[:250]))
    options = AnnotateOptions(shard_bytes=10_000)
    first = annotate(str(sm_model), path, tmp_path / "out", options)
    before = shards_of(path, 10_000)
    assert (first["parts_written"], first["records"]) == (before, 250) and before >= 3
    with path.open("a") as grows:
        grows.write("".join(json.dumps({"text": t}) + "\n" for t in texts[250:]))
    after = shards_of(path, 10_000)
    parts = [tmp_path / "out" / f"{shard_name('grows.jsonl', i)}.jsonl" for i in range(after)]
    times = [part.stat().st_mtime_ns for part in parts[: before - 1]]
    redone = sum(len(part.read_text().splitlines()) for part in parts[before - 1 : before])
    again = annotate(str(sm_model), path, tmp_path / "out", options)
    # the shards before the last are the same bytes; the last one now reaches further
    assert (again["parts_skipped"], again["parts_written"], again["records"]) == (
        before - 1,
        after - before + 1,
        redone + 100,
    )
    assert again["inputs_changed_since_last_run"] == ["grows.jsonl"]
    assert [part.stat().st_mtime_ns for part in parts[: before - 1]] == times
    lines = [json.loads(line)["line"] for part in parts for line in part.read_text().splitlines()]
    assert lines == list(range(1, 351))  # every line exactly once


def good_records(corpus_slice, name, n):
    return [{"id": f"{name}-{i}", "text": text} for i, text in enumerate(corpus_texts(corpus_slice, n))]


@slow
def test_a_crawl_folder_with_bad_files_and_lines_writes_every_good_record_once_on_dask(
    sm_model, corpus_slice, cluster, tmp_path
):
    folder = tmp_path / "crawl"
    folder.mkdir()
    first, last = good_records(corpus_slice, "a", 300), good_records(corpus_slice, "d", 300)
    (folder / "a.jsonl").write_text("".join(json.dumps(r) + "\n" for r in first))
    truncated = gzip.compress("".join(json.dumps(r) + "\n" for r in good_records(corpus_slice, "b", 200)).encode())
    (folder / "b.jsonl.gz").write_bytes(truncated[: len(truncated) // 2])
    (folder / "c.jsonl").write_bytes(
        b'{"id": "c-0", "text": "a model"}\n{"id": "\\ud800", "text": "a model"}\n'
        + b'{"id": "c-2", "x": '
        + b"[" * 100_000
        + b"]" * 100_000
        + b', "text": "a model"}\n'
        + b'{"id": "c-3", "text": "caf\xe9 model"}\n{"id": "c-4", "text": "the model"}\n'
    )
    (folder / "d.jsonl").write_text("".join(json.dumps(r) + "\n" for r in last))
    summary = annotate(
        str(sm_model), folder, tmp_path / "out", AnnotateOptions(scheduler=cluster.scheduler_address, shard_bytes=8000)
    )
    records = read_parts(tmp_path / "out")
    ids = [r["id"] for r in records]
    from_b = [i for i in ids if i.startswith("b-")]
    assert len(ids) == len(set(ids)) == 600 + 2 + len(from_b) and 0 < len(from_b) < 200
    assert {i for i in ids if not i.startswith("b-")} == {r["id"] for r in first + last} | {"c-0", "c-4"}
    errors = [json.loads(line) for line in (tmp_path / "out" / "errors.jsonl").read_text().splitlines()]
    assert [(e["file"], e["line"]) for e in errors] == [
        ("b.jsonl.gz", len(from_b) + 1),
        ("c.jsonl", 2),
        ("c.jsonl", 3),
        ("c.jsonl", 4),
    ]
    assert "truncated gzip" in errors[0]["error"] and "lone surrogate" in errors[1]["error"]
    assert "nested too deeply" in errors[2]["error"] and "invalid UTF-8" in errors[3]["error"]
    assert (summary["errors_in_all"], summary["records"]) == (4, len(ids))


def sorted_records(fs, folder):
    """Every record line of the parts in a folder, sorted (bytes)."""
    return sorted(line for path in fs.glob(f"{folder}/part-*.jsonl") for line in fs.cat(path).splitlines())


@slow
def test_s3_input_and_output_on_two_workers_give_the_records_of_a_local_run_and_resume(
    sm_model, collection, cluster, s3_server, s3_bucket, tmp_path
):
    bucket, fs = s3_bucket
    fs.put(str(collection[0]), f"{bucket}/crawl/docs.jsonl")
    local = annotate(str(sm_model), collection[0], tmp_path / "local", AnnotateOptions(shard_bytes=SHARD_BYTES))
    options = AnnotateOptions(
        scheduler=cluster.scheduler_address, shard_bytes=SHARD_BYTES, storage_options=s3_server["options"]
    )
    on_s3 = annotate(str(sm_model), f"s3://{bucket}/crawl/", f"s3://{bucket}/out", options)
    assert (on_s3["records"], on_s3["errors_in_all"], on_s3["parts_written"]) == (
        local["records"], local["errors_in_all"], local["parts_written"])  # fmt: skip
    local_fs = fsspec.filesystem("file")
    assert sorted_records(fs, f"{bucket}/out") == sorted_records(local_fs, str(tmp_path / "local"))
    assert fs.cat(f"{bucket}/out/errors.jsonl") == (tmp_path / "local" / "errors.jsonl").read_bytes()
    fs.rm(f"{bucket}/out/{shard_name('docs.jsonl', 2)}.jsonl")
    again = annotate(str(sm_model), f"s3://{bucket}/crawl/", f"s3://{bucket}/out", options)
    assert (again["parts_written"], again["parts_skipped"]) == (1, local["parts_written"] - 1)
    assert sorted_records(fs, f"{bucket}/out") == sorted_records(local_fs, str(tmp_path / "local"))


@slow
def test_an_object_that_vanishes_mid_run_is_an_error_of_its_shards_and_the_run_goes_on(
    sm_model, corpus_slice, s3_server, s3_bucket
):
    bucket, fs = s3_bucket
    for name in ("a", "b", "c"):
        fs.pipe(
            f"{bucket}/crawl/{name}.jsonl",
            "".join(json.dumps(r) + "\n" for r in good_records(corpus_slice, name, 60)).encode(),
        )
    shards_of_b = -(-fs.size(f"{bucket}/crawl/b.jsonl") // 4000)

    def delete_b(worker, words, found):
        fs.rm(f"{bucket}/crawl/b.jsonl") if fs.exists(f"{bucket}/crawl/b.jsonl") else None

    options = AnnotateOptions(shard_bytes=4000, storage_options=s3_server["options"])
    summary = annotate(
        str(sm_model), f"s3://{bucket}/crawl", f"s3://{bucket}/out", options, RunWatch(strings_of, delete_b)
    )
    ids = [json.loads(line)["id"] for line in sorted_records(fs, f"{bucket}/out")]
    assert sorted(ids) == sorted(r["id"] for name in ("a", "c") for r in good_records(corpus_slice, name, 60))
    errors = [json.loads(line) for line in fs.cat(f"{bucket}/out/errors.jsonl").splitlines()]
    assert [(e["file"], e["line"]) for e in errors] == [("b.jsonl", 0)] + [("b.jsonl", 1)] * (shards_of_b - 1)
    assert "cannot be read" in errors[0]["error"] and "FileNotFoundError" in errors[0]["error"]
    assert summary["errors_in_all"] == shards_of_b and summary["shards_failed"] == shards_of_b - 1


@slow
def test_a_shard_the_output_store_refuses_is_an_error_and_the_others_are_written(sm_model, collection, tmp_path):
    output_dir = tmp_path / "out"
    blocked = shard_name("docs.jsonl", 1)
    (output_dir / "shards" / f"{blocked}.json").mkdir(parents=True)  # a folder where its record goes
    summary = annotate(str(sm_model), collection[0], output_dir, AnnotateOptions(shard_bytes=SHARD_BYTES))
    assert summary["shards_failed"] == 1 and summary["parts_written"] == shards_of(collection[0]) - 1
    errors = [json.loads(line) for line in (output_dir / "errors.jsonl").read_text().splitlines()]
    (failed,) = [e for e in errors if e["error"].startswith("not annotated")]
    assert "IsADirectoryError" in failed["error"] and not (output_dir / f"{blocked}.jsonl").exists()
    assert len(read_parts(output_dir)) < N_GOOD and summary["errors_in_all"] == len(errors)
