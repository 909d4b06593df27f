"""End to end on annotations as tools export them: `spacy project run all`
on a corpus that comes split into three JSONL files with character spans
(Prodigy `spans` with rejected records, doccano `label`, `entities`
objects) and two labels, then the built wheel installed into a fresh
virtual environment and loaded from there."""

import json
import sys
import venv

import pytest
import spacy
from spacy.tokens import DocBin

from dlbook.pipeline_functions import normalize_text

pytestmark = pytest.mark.slow

CORPUS = "corpus/raw/split"
WHEEL = "packages/en_dlbook_terms_sm-0.1.0/dist/en_dlbook_terms_sm-0.1.0-py3-none-any.whl"
LABELS = ["METHOD", "TERM"]


def sentence_records(rows):
    """The book's rows as one record a sentence: the text with single spaces
    and its entities as character spans, `model` TERM and the others METHOD."""
    records, words, spans, start = [], [], [], None
    for token, label in [*rows, (".", "O")]:
        if label != "I" and start is not None:
            spans.append((start, len(" ".join(words)), "TERM" if " ".join(words)[start:] == "model" else "METHOD"))
            start = None
        if label == "B":
            start = len(" ".join(words)) + (1 if words else 0)
        words.append(token)
        if token in (".", "?", "!") and start is None:
            records.append({"text": " ".join(words), "spans": spans})
            words, spans = [], []
    return records


def split_records(records):
    return (
        [r for i, r in enumerate(records) if i % 10 < 8],
        [r for i, r in enumerate(records) if i % 10 == 8],
        [r for i, r in enumerate(records) if i % 10 == 9],
    )


def write_split_folder(folder, records):
    """train.jsonl (Prodigy, with rejected records), dev.jsonl (doccano
    `label`), test.jsonl (`entities` objects): of every ten records, eight
    train, one dev, one test (both labels in each split)."""
    folder.mkdir(parents=True)
    train, dev, test = split_records(records)
    lines = []
    for i, record in enumerate(train):
        spans = [{"start": s, "end": e, "label": label} for s, e, label in record["spans"]]
        lines.append({"text": record["text"], "spans": spans, "answer": "accept"})
        if i % 50 == 0:
            lines.append({"text": record["text"] + " rejected", "spans": [], "answer": "reject"})
    (folder / "train.jsonl").write_text("".join(json.dumps(r) + "\n" for r in lines), encoding="utf8")
    dev_lines = [{"text": r["text"], "label": [list(span) for span in r["spans"]]} for r in dev]
    (folder / "dev.jsonl").write_text("".join(json.dumps(r) + "\n" for r in dev_lines), encoding="utf8")
    test_lines = [
        {
            "text": r["text"],
            "entities": [{"start_offset": s, "end_offset": e, "label": label} for s, e, label in r["spans"]],
        }
        for r in test
    ]
    (folder / "test.jsonl").write_text("".join(json.dumps(r) + "\n" for r in test_lines), encoding="utf8")
    return len(train), len(dev), len(test), len(train) // 50 + 1


@pytest.fixture(scope="module")
def project(tmp_path_factory, corpus_slice, run, short_project_copy):
    """A copy of the project with the JSONL split corpus and 400 training
    steps (--vars.max_steps), after `all`."""
    path = short_project_copy(tmp_path_factory.mktemp("project_jsonl"))
    records = sentence_records(corpus_slice(40_000))
    sizes = write_split_folder(path / CORPUS, records)
    args = [sys.executable, "-m", "spacy", "project", "run", "all", ".", "--vars.corpus", CORPUS]
    result = run([*args, "--vars.speed_batches", "2", "--vars.max_steps", "400"], cwd=path)
    return path, result.stdout, records, sizes


def test_each_split_is_kept_as_given_and_rejected_records_are_skipped(project):
    path, stdout, records, (n_train, n_dev, n_test, n_rejected) = project
    docs = {
        split: list(DocBin().from_disk(path / "corpus" / f"{split}.spacy").get_docs(spacy.blank("en").vocab))
        for split in ("train", "dev", "test")
    }
    assert [len(docs[s]) for s in ("train", "dev", "test")] == [n_train, n_dev, n_test]
    # as converted: each token's plain form (ligatures, PDF glyphs)
    test_records = split_records(records)[2]
    assert [doc.text for doc in docs["test"]] == [normalize_text(r["text"]) for r in test_records]
    expected = [[(normalize_text(r["text"][s:e]), label) for s, e, label in r["spans"]] for r in test_records]
    assert [[(e.text, e.label_) for e in doc.ents] for doc in docs["test"]] == expected
    assert f"Skipped {n_rejected} records by their answer: reject ({n_rejected})" in " ".join(stdout.split())


def test_scores_are_per_label_and_data_quality_reads_the_documents(project):
    path = project[0]
    gold = json.loads((path / "metrics" / "sm" / "test_gold_tokens.json").read_text())
    assert sorted(gold["ents_per_type"]) == LABELS
    raw = json.loads((path / "metrics" / "sm" / "test_raw_text.json").read_text())["scores"]["as_converted"]
    assert sorted(raw["per_label"]) == LABELS
    report = json.loads((path / "metrics" / "sm" / "report.json").read_text())
    assert report["labels"] == LABELS
    quality = json.loads((path / "metrics" / "data_quality.json").read_text())
    assert quality["entities"] == sum(len(r["spans"]) for r in project[2])
    assert "texts_in_several_splits" in quality["leaks"]


def test_the_wheel_installs_and_finds_both_labels_in_a_fresh_venv(
    project, tmp_path_factory, probe_installed_pipeline, run
):
    path = project[0]
    venv_path = tmp_path_factory.mktemp("jsonl_venv")
    venv.EnvBuilder(with_pip=True).create(venv_path)
    python = venv_path / "bin" / "python"
    # spaCy from this environment (a .pth line), the pipeline from its wheel
    # alone (tests/test_workflow.py installs a wheel with all it requires)
    (site_packages,) = (venv_path / "lib").glob("python3*/site-packages")
    (site_packages / "test_environment.pth").write_text("\n".join(p for p in sys.path if p.endswith("site-packages")))
    run([python, "-m", "pip", "install", "-q", "--no-deps", path / WHEEL])
    meta = json.loads((path / "training" / "sm" / "model-best" / "meta.json").read_text())
    assert sorted(meta["labels"]["ner"]) == LABELS
    out = probe_installed_pipeline(python, "en_dlbook_terms_sm", "We train the model with k-means.", venv_path)
    assert ("model", "TERM") in zip(out["ents"], out["labels"], strict=True), out
