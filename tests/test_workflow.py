"""End to end: `spacy project run all` on a two-label corpus in CoNLL
format (a slice of the book, every term but `model` relabelled METHOD) with a short
training, then a second run that skips every step, then the built wheel
installed into a fresh virtual environment and loaded from there."""

import json
import shutil
import sys
import venv
import zipfile

import pytest
from spacy.tokens import DocBin

pytestmark = pytest.mark.slow

STEPS = ["convert", "data-quality", "plan", "train", "evaluate", "evaluate-raw", "benchmark-speed", "report"]
STEPS += ["model-card", "package"]
WHEEL = "packages/en_dlbook_terms_sm-0.1.0/dist/en_dlbook_terms_sm-0.1.0-py3-none-any.whl"
CORPUS = "corpus/raw/sample.conll"
RUN_ALL = [sys.executable, "-m", "spacy", "project", "run", "all", ".", "--vars.corpus", CORPUS]
# the plan trains a corpus unlike the book to convergence, evaluating every
# 200 steps: capped here at 400 steps
RUN_ALL += ["--vars.speed_batches", "2", "--vars.max_steps", "400"]
LABELS = ["METHOD", "TERM"]


def write_conll(path, rows, sentences_per_doc=5):
    """The book's untyped rows as CoNLL-style columns (token, a placeholder
    tag, typed IOB2 label: `model` TERM, the others METHOD), a blank line
    after each sentence and a -DOCSTART- line every `sentences_per_doc`
    sentences."""
    lines, sentences = ["-DOCSTART- -X- O", ""], 0
    for i, (token, label) in enumerate(rows):
        if label != "O":
            start = i if label == "B" else next(j for j in range(i, -1, -1) if rows[j][1] == "B")
            label = f"{label}-{'TERM' if rows[start][0] == 'model' else 'METHOD'}"
        lines.append(f"{token} _ {label}")
        if token in (".", "?", "!") and (i + 1 == len(rows) or rows[i + 1][1] != "I"):
            sentences += 1
            lines.append("")
            if sentences % sentences_per_doc == 0:
                lines += ["-DOCSTART- -X- O", ""]
    path.write_text("\n".join(lines) + "\n", encoding="utf8")


@pytest.fixture(scope="module")
def project(tmp_path_factory, corpus_slice, run, short_project_copy):
    """A copy of the project with the two-label corpus and 400 training
    steps (--vars.max_steps), after `all`."""
    path = short_project_copy(tmp_path_factory.mktemp("project"))
    (path / "corpus" / "raw").mkdir(parents=True, exist_ok=True)
    write_conll(path / CORPUS, corpus_slice(40_000))
    first_run = run(RUN_ALL, cwd=path)
    return path, first_run.stdout


def test_all_runs_every_step_and_leaves_its_outputs(project):
    path, stdout = project
    for step in STEPS:
        assert f"Skipping '{step}'" not in stdout
    for split in ("train", "dev", "test"):
        assert len(DocBin().from_disk(path / "corpus" / f"{split}.spacy")) > 0
    assert (path / "training" / "sm" / "model-best" / "meta.json").exists()
    gold = json.loads((path / "metrics" / "sm" / "test_gold_tokens.json").read_text())
    assert sorted(gold["ents_per_type"]) == LABELS
    raw = json.loads((path / "metrics" / "sm" / "test_raw_text.json").read_text())["scores"]
    sentence_sets = {"user_sentences", "pdf_web_sentences"}
    assert all(sorted(scores["per_label"]) == LABELS for name, scores in raw.items() if name not in sentence_sets)
    variants = {"as_converted", "sentence_case", "title_case", "upper_case", "nfkc", "pdf_ligatures", "pdf_web"}
    assert set(raw) == variants | sentence_sets
    assert raw["user_sentences"]["tp"] + raw["user_sentences"]["fn"] == 47  # corpus/eval/user_sentences.jsonl
    assert len(raw["pdf_web_sentences"]["per_class"]) == 12  # corpus/eval/pdf_web_sentences.jsonl
    assert (path / WHEEL).exists()
    assert (path / WHEEL.replace("-py3-none-any.whl", ".tar.gz")).exists()


def test_report_outputs_agree_with_the_evaluation_files(project):
    path, _ = project
    metrics = path / "metrics" / "sm"
    report = json.loads((metrics / "report.json").read_text())
    raw = json.loads((metrics / "test_raw_text.json").read_text())["scores"]["as_converted"]
    gold = json.loads((metrics / "test_gold_tokens.json").read_text())
    assert report["scores"]["model"]["raw_text"] == raw
    assert report["scores"]["model"]["gold_tokens"]["f"] == gold["ents_f"]
    assert report["labels"] == LABELS
    assert all(
        sorted(report["scores"]["baseline"][text]["per_label"]) == LABELS for text in ("gold_tokens", "raw_text")
    )
    errors = report["errors"]
    assert len(errors) == raw["fp"] + raw["fn"]
    html = (metrics / "errors.html").read_text()
    assert html.lstrip().startswith("<!DOCTYPE html>")
    for error in errors:
        assert f"Document {error['doc']}: gold" in html and f"Document {error['doc']}: predicted" in html
    if not errors:
        assert "No errors on the test split." in html
    assert (metrics / "training.png").read_bytes().startswith(b"\x89PNG")
    speed = json.loads((metrics / "speed.json").read_text())
    assert report["speed"] == speed and speed["results"][0]["batches"] == 2
    log = [json.loads(line) for line in (path / "training" / "sm" / "log.jsonl").read_text().splitlines()]
    assert [r["step"] for r in log] == [0, 200, 400]
    assert report["training"]["steps"] == 400 and report["training"]["words"] == log[-1]["words"]
    quality = json.loads((path / "metrics" / "data_quality.json").read_text())
    assert quality["tokens"] == 40_000


def test_second_run_skips_every_step(project, run):
    path, _ = project
    second = run(RUN_ALL, cwd=path).stdout
    for step in STEPS:
        assert f"Skipping '{step}': nothing changed" in second


def test_model_card_shows_the_packaged_model(project):
    path, _ = project
    performance = json.loads((path / "training" / "sm" / "model-best" / "meta.json").read_text())["performance"]
    with zipfile.ZipFile(path / WHEEL) as wheel:
        card = wheel.read("en_dlbook_terms_sm/en_dlbook_terms_sm-0.1.0/README.md").decode()
    assert f"| `ENTS_F` | {performance['ents_f'] * 100:.2f} |" in card
    # no meta file given for this corpus: the neutral card, never the book's
    assert "Finds entities labelled METHOD, TERM, trained on the corpus `sample.conll`" in card
    assert "| **Sources** | sample.conll |" in card and "Deep Learning" not in card and "MIT" not in card
    assert "`METHOD`, `TERM`" in card  # the label scheme of the model card
    with zipfile.ZipFile(path / WHEEL) as wheel:
        meta = json.loads(wheel.read("en_dlbook_terms_sm/en_dlbook_terms_sm-0.1.0/meta.json"))
    assert sorted(meta["labels"]["ner"]) == LABELS


@pytest.fixture(scope="module")
def sm_venv(project, tmp_path_factory, run):
    """A fresh virtual environment with the built wheel installed; its python."""
    path, _ = project
    venv_path = tmp_path_factory.mktemp("sm_venv")
    venv.EnvBuilder(with_pip=True, clear=True).create(venv_path)
    run([venv_path / "bin" / "python", "-m", "pip", "install", "-q", path / WHEEL])
    return venv_path / "bin" / "python"


def test_wheel_installs_and_loads_in_a_fresh_venv(sm_venv, tmp_path, probe_installed_pipeline):
    out = probe_installed_pipeline(
        sm_venv, "en_dlbook_terms_sm", "We train the model with k-means and gradient descent.", tmp_path
    )
    assert (out["name"], out["version"]) == ("dlbook_terms_sm", "0.1.0")
    assert out["dlbook_installed"] is False  # the package's own module is all it needs
    assert "k-means" in out["tokens"]  # the hyphen-keeping tokenizer travels with the package
    assert ("model", "TERM") in zip(out["ents"], out["labels"], strict=True)


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


def test_clean_removes_what_the_workflow_generated(project, tmp_path, run):
    # on a copy, so that no other test depends on running before this one
    path = shutil.copytree(project[0], tmp_path / "project")
    run([sys.executable, "-m", "spacy", "project", "run", "clean", "."], cwd=path)
    assert not (path / "training").exists() and not (path / "metrics").exists()
    assert not list((path / "corpus").glob("*.spacy")) and not (path / WHEEL).exists()
    assert (path / CORPUS).exists() and (path / "configs" / "sm.cfg").exists()
