"""End to end on annotations as tools export them: `spacy project run all`
on a corpus that comes split into three JSONL files with character spans
(Prodigy `spans` with rejected records, doccano `label`, `entities`
objects) and two labels, the book's sentence sets scored, then the built
wheel installed with all it requires into a fresh virtual environment and
loaded from there, outside the project, on plain and PDF/web text."""

import json
import sys
import venv

import pytest
import spacy
from spacy.tokens import DocBin

from nerkit.pipeline_functions import normalize_text

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


def test_the_book_sentence_sets_are_scored_for_a_model_with_their_label(project):
    raw = json.loads((project[0] / "metrics" / "sm" / "test_raw_text.json").read_text())
    assert not raw["sentence_sets_not_scored"]
    assert raw["scores"]["user_sentences"]["tp"] + raw["scores"]["user_sentences"]["fn"] == 47
    assert len(raw["scores"]["pdf_web_sentences"]["per_class"]) == 12  # corpus/eval/pdf_web_sentences.jsonl


@pytest.fixture(scope="module")
def sm_venv(project, tmp_path_factory, run):
    """A fresh virtual environment with the built wheel and all it requires
    installed, as a user installs it; its python."""
    venv_path = tmp_path_factory.mktemp("sm_venv")
    venv.EnvBuilder(with_pip=True, clear=True).create(venv_path)
    run([venv_path / "bin" / "python", "-m", "pip", "install", "-q", project[0] / WHEEL])
    return venv_path / "bin" / "python"


def test_the_wheel_installs_and_finds_both_labels_in_a_fresh_venv(project, sm_venv, tmp_path, probe_installed_pipeline):
    meta = json.loads((project[0] / "training" / "sm" / "model-best" / "meta.json").read_text())
    assert sorted(meta["labels"]["ner"]) == LABELS
    out = probe_installed_pipeline(sm_venv, "en_dlbook_terms_sm", "We train the model with k-means.", tmp_path)
    assert (out["name"], out["version"]) == ("dlbook_terms_sm", "0.1.0")
    assert out["nerkit_installed"] is False  # the package's own module is all it needs
    assert "k-means" in out["tokens"]  # the hyphen-keeping tokenizer travels with the package
    assert ("model", "TERM") in zip(out["ents"], out["labels"], strict=True), out


# "model" written as text from PDFs and web pages: soft hyphen inside, a
# zero-width space glued on, fullwidth letters, a line-break hyphenation
PDF_WEB_MODEL = ["mo\u00addel", "model\u200b", "\uff4d\uff4f\uff44\uff45\uff4c", "mo-\ndel", "\u200dmodel\x00"]


@pytest.mark.parametrize("written", PDF_WEB_MODEL)
def test_installed_package_finds_terms_in_pdf_and_web_text(sm_venv, written, tmp_path, probe_installed_pipeline):
    text = f"We train the {written} with gradient descent."
    out = probe_installed_pipeline(sm_venv, "en_dlbook_terms_sm", text, tmp_path)
    assert out["text"] == text
    found = [text[start:end] for start, end in out["ent_offsets"]]
    term = written.strip("\u200b\u200d\x00")
    assert term in found and "model" in out["norms"], out
