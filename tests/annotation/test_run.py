"""dlbook/annotation/run.py against a real trained pipeline: in-process and on a
real Dask LocalCluster of 2 worker processes on 127.0.0.1, bad lines, resume,
a worker killed mid-run, and a rerun with another model refused."""

import json
import os
import signal
import threading
import time

import pytest
import spacy

from dlbook.annotation.run import annotate, load_for_annotation, local_cluster
from dlbook.common.loading import load_pipeline

pytestmark = pytest.mark.slow

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
    errors = [json.loads(line) for line in (output_dir / "errors.jsonl").read_text().splitlines()]
    assert [(e["file"], e["line"]) for e in errors] == [(str(path), n) for n in bad_numbers]


def test_in_process_matches_nlp_pipe_and_reports_bad_lines(sm_model, collection, expected, tmp_path):
    summary = annotate(str(sm_model), collection[0], tmp_path / "out", shard_size=100)
    assert (summary["records"], summary["errors"]) == (N_GOOD, len(BAD_LINES))
    assert_complete(tmp_path / "out", expected, collection)
    errors = [json.loads(line)["error"] for line in (tmp_path / "out" / "errors.jsonl").read_text().splitlines()]
    assert errors[0].startswith("not JSON") and errors[1] == "no 'text' key" and "int, not a string" in errors[2]
    assert "JSON object" in errors[3] and errors[4].startswith("invalid UTF-8")
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["model"]["name"] == "en_pipeline" and manifest["spacy"] == spacy.__version__


def test_n_process_2_gives_the_records_of_nlp_pipe(sm_model, collection, expected, tmp_path):
    summary = annotate(str(sm_model), collection[0], tmp_path / "out", shard_size=100, n_process=2)
    assert (summary["records"], summary["errors"]) == (N_GOOD, len(BAD_LINES))
    assert_complete(tmp_path / "out", expected, collection)


def test_annotation_pipeline_drops_the_tensors_and_keeps_the_entities(sm_model, corpus_slice):
    texts = corpus_texts(corpus_slice, 300)
    plain = load_pipeline(sm_model)
    cleaned = load_for_annotation(str(sm_model), -1)
    assert cleaned.pipe_names == [*plain.pipe_names, "doc_cleaner"]
    plain_docs, cleaned_docs = list(plain.pipe(texts)), list(cleaned.pipe(texts))
    assert all(doc.tensor.shape == (len(doc), 64) for doc in plain_docs)
    assert all(doc.tensor is None for doc in cleaned_docs)
    assert sum(len(doc.ents) for doc in plain_docs) >= 10
    assert [[(e.start_char, e.end_char) for e in doc.ents] for doc in cleaned_docs] == [
        [(e.start_char, e.end_char) for e in doc.ents] for doc in plain_docs
    ]


def test_local_cluster_workers_keep_glibcs_malloc_defaults_one_blas_thread_and_no_profiler():
    import dask
    from distributed import Client

    def settings():
        found = {name: os.environ.get(name) for name in ("MALLOC_TRIM_THRESHOLD_", "OPENBLAS_NUM_THREADS")}
        return {**found, "profile": dask.config.get("distributed.worker.profile.enabled")}

    with local_cluster(2) as local, Client(local) as client:
        workers = client.run(settings)
    assert len(workers) == 2
    expected = {"MALLOC_TRIM_THRESHOLD_": None, "OPENBLAS_NUM_THREADS": "1", "profile": False}
    assert all(worker == expected for worker in workers.values())


@pytest.fixture(scope="module")
def cluster():
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as local:
        yield local


def test_dask_cluster_gives_the_records_of_nlp_pipe(sm_model, collection, expected, cluster, tmp_path):
    summary = annotate(
        str(sm_model), collection[0], tmp_path / "out", scheduler=cluster.scheduler_address, shard_size=100
    )
    assert summary["parts_written"] == 11 and summary["records"] == N_GOOD
    assert_complete(tmp_path / "out", expected, collection)


def test_resume_recomputes_only_the_missing_part(sm_model, collection, expected, cluster, tmp_path):
    output_dir = tmp_path / "out"
    annotate(str(sm_model), collection[0], output_dir, scheduler=cluster.scheduler_address, shard_size=100)
    kept = output_dir / "part-00000-000007.jsonl"
    kept_mtime = kept.stat().st_mtime_ns
    (output_dir / "part-00000-000003.jsonl").unlink()
    summary = annotate(str(sm_model), collection[0], output_dir, scheduler=cluster.scheduler_address, shard_size=100)
    assert (summary["parts_written"], summary["parts_skipped"]) == (1, 10)
    assert (summary["records"], summary["errors"]) == (99, 1)  # lines 301-400 hold one bad line, 303
    assert kept.stat().st_mtime_ns == kept_mtime
    assert_complete(output_dir, expected, collection)


def test_killed_worker_loses_and_duplicates_nothing(sm_model, collection, expected, tmp_path):
    from distributed import Client, LocalCluster

    output_dir = tmp_path / "out"
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as local:
        with Client(local) as client:
            victim = next(iter(client.run(os.getpid).values()))
        killed = threading.Event()

        def kill_when_parts_appear():
            deadline = time.time() + 120
            while time.time() < deadline and not list(output_dir.glob("part-*.jsonl")):
                time.sleep(0.01)
            os.kill(victim, signal.SIGKILL)
            killed.set()

        threading.Thread(target=kill_when_parts_appear, daemon=True).start()
        summary = annotate(str(sm_model), collection[0], output_dir, scheduler=local.scheduler_address, shard_size=20)
    assert killed.is_set() and summary["parts_skipped"] == 0
    assert summary["parts_written"] == 51
    assert_complete(output_dir, expected, collection)


def test_rerun_with_another_model_is_refused(sm_model, other_model, collection, tmp_path):
    output_dir = tmp_path / "out"
    annotate(str(sm_model), collection[0], output_dir, shard_size=500)
    before = sorted(p.name for p in output_dir.iterdir())
    with pytest.raises(ValueError, match="another model"):
        annotate(str(other_model), collection[0], output_dir, shard_size=500)
    with pytest.raises(ValueError, match="another settings"):
        annotate(str(sm_model), collection[0], output_dir, shard_size=100)
    assert sorted(p.name for p in output_dir.iterdir()) == before
    summary = annotate(str(other_model), collection[0], output_dir, shard_size=500, overwrite=True)
    assert summary["parts_written"] == 3 and summary["parts_skipped"] == 0
