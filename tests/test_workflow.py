"""End to end on a public corpus as a user brings it: `spacy project run
all` with `--vars.corpus` on SEC filings (committed in corpus/public: CoNLL
columns, four labels, train and test files only) and a short training. The
plan reads the corpus and says why, dev is carved from train, every step
leaves its outputs, a second run skips every step, the package's card is
the corpus's own (never the book's), its wheel installs and gives what
model-best gives, and `clean` removes what the workflow made.
(tests/test_workflow_jsonl.py runs `all` on a JSONL corpus and installs its
wheel into a fresh virtual environment with all it requires.)"""

import json
import shutil
import sys
import venv
import zipfile
from pathlib import Path

import pytest
import spacy
from spacy.tokens import DocBin

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
STEPS = ["convert", "data-quality", "plan", "train", "evaluate", "evaluate-raw", "benchmark-speed", "report"]
STEPS += ["model-card", "package"]
WHEEL = "packages/en_dlbook_terms_sm-0.1.0/dist/en_dlbook_terms_sm-0.1.0-py3-none-any.whl"
CORPUS = "corpus/public/sec_filings"
RUN_ALL = [sys.executable, "-m", "spacy", "project", "run", "all", ".", "--vars.corpus", CORPUS]
# the plan trains a corpus unlike the book to convergence, evaluating every
# 200 steps: capped here at 200 steps
RUN_ALL += ["--vars.speed_batches", "2", "--vars.max_steps", "200"]
LABELS = ["LOC", "MISC", "ORG", "PER"]
TEXT = "This LOAN AGREEMENT is made between SILICON VALLEY BANK, a California bank, and the Borrower."


@pytest.fixture(scope="module")
def project(tmp_path_factory, run, short_project_copy):
    """A copy of the project with SEC filings and 200 training steps
    (--vars.max_steps), after `all`."""
    path = short_project_copy(tmp_path_factory.mktemp("project"))
    shutil.copytree(ROOT / CORPUS, path / CORPUS)
    first_run = run(RUN_ALL, cwd=path)
    return path, first_run.stdout


def test_all_runs_every_step_and_leaves_its_outputs(project):
    path, stdout = project
    for step in STEPS:
        assert f"Skipping '{step}'" not in stdout
    for split in ("train", "dev", "test"):
        assert len(DocBin().from_disk(path / "corpus" / f"{split}.spacy")) > 0
    assert "the dev split was carved from train.conll" in " ".join(stdout.split())
    assert (path / "training" / "sm" / "model-best" / "meta.json").exists()
    gold = json.loads((path / "metrics" / "sm" / "test_gold_tokens.json").read_text())
    assert sorted(gold["ents_per_type"]) == LABELS
    raw = json.loads((path / "metrics" / "sm" / "test_raw_text.json").read_text())
    variants = {"as_converted", "sentence_case", "title_case", "upper_case", "nfkc", "pdf_ligatures", "pdf_web"}
    assert set(raw["scores"]) == variants
    assert all(set(scores["per_label"]) <= set(LABELS) for scores in raw["scores"].values())
    assert {"PER", "ORG", "LOC"} <= set(raw["scores"]["as_converted"]["per_label"])
    # the book's sentence sets hold none of this model's labels
    assert set(raw["sentence_sets_not_scored"]) == {"user_sentences", "pdf_web_sentences"}
    assert (path / WHEEL).exists()
    assert (path / WHEEL.replace("-py3-none-any.whl", ".tar.gz")).exists()


def test_the_plan_reads_the_corpus_and_says_why(project):
    path, stdout = project
    plan = json.loads((path / "training" / "plan" / "sm.json").read_text())
    assert plan["profile"]["lowercase_share"] < 0.98
    assert plan["profile"]["labels"] == LABELS
    chosen = {choice["setting"] for choice in plan["choices"] if choice["applied"]}
    assert {"general_network", "converge", "no_case_augmentation", "no_pdf_web"} <= chosen
    for choice in plan["choices"]:
        assert choice["reason"] and choice["setting"] in stdout


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
    assert [r["step"] for r in log] == [0, 200]
    assert report["training"]["steps"] == 200 and report["training"]["words"] == log[-1]["words"]
    quality = json.loads((path / "metrics" / "data_quality.json").read_text())
    tokens = sum(len(doc) for s in ("train", "dev", "test") for doc in _docs(path / "corpus" / f"{s}.spacy"))
    assert quality["tokens"] == tokens


def test_second_run_skips_every_step(project, run):
    path, _ = project
    second = run(RUN_ALL, cwd=path).stdout
    for step in STEPS:
        assert f"Skipping '{step}': nothing changed" in second


def test_the_package_card_names_the_corpus_and_its_labels_never_the_book(project):
    path, _ = project
    performance = json.loads((path / "training" / "sm" / "model-best" / "meta.json").read_text())["performance"]
    with zipfile.ZipFile(path / WHEEL) as wheel:
        meta = json.loads(wheel.read("en_dlbook_terms_sm/en_dlbook_terms_sm-0.1.0/meta.json"))
        card = wheel.read("en_dlbook_terms_sm/en_dlbook_terms_sm-0.1.0/README.md").decode()
    assert f"| `ENTS_F` | {performance['ents_f'] * 100:.2f} |" in card
    assert sorted(meta["labels"]["ner"]) == LABELS
    # no meta file given for this corpus: the neutral card
    assert "sec_filings" in meta["description"] and "LOC, MISC, ORG, PER" in meta["description"]
    assert [source["name"] for source in meta["sources"]] == ["sec_filings"]
    assert "| **Sources** | sec_filings |" in card and "`LOC`, `MISC`, `ORG`, `PER`" in card
    for text in (json.dumps(meta), card):
        assert "Deep Learning" not in text and "technical terms" not in text and "TERM" not in text


def test_the_wheel_installs_and_gives_what_model_best_gives(project, tmp_path_factory, probe_installed_pipeline, run):
    path = project[0]
    venv_path = tmp_path_factory.mktemp("public_venv")
    venv.EnvBuilder(with_pip=True).create(venv_path)
    python = venv_path / "bin" / "python"
    # spaCy from this environment (a .pth line), the pipeline from its wheel
    # alone (tests/test_workflow_jsonl.py installs a wheel with all it requires)
    (site_packages,) = (venv_path / "lib").glob("python3*/site-packages")
    (site_packages / "test_environment.pth").write_text("\n".join(p for p in sys.path if p.endswith("site-packages")))
    run([python, "-m", "pip", "install", "-q", "--no-deps", path / WHEEL])
    out = probe_installed_pipeline(python, "en_dlbook_terms_sm", TEXT, venv_path)
    import nerkit.pipeline_functions  # noqa: F401 (model-best's tokenizer, as --code gives it)

    doc = spacy.load(path / "training" / "sm" / "model-best")(TEXT)
    assert out["ents"] == [e.text for e in doc.ents] and out["labels"] == [e.label_ for e in doc.ents]
    assert set(out["labels"]) <= set(LABELS)


def test_clean_removes_what_the_workflow_generated(project, tmp_path, run):
    # on a copy, so that no other test depends on running before this one
    path = shutil.copytree(project[0], tmp_path / "project")
    run([sys.executable, "-m", "spacy", "project", "run", "clean", "."], cwd=path)
    assert not (path / "training").exists() and not (path / "metrics").exists()
    assert not list((path / "corpus").glob("*.spacy")) and not (path / WHEEL).exists()
    assert (path / CORPUS).exists() and (path / "configs" / "sm.cfg").exists()


def _docs(path):
    return DocBin().from_disk(path).get_docs(spacy.blank("en").vocab)
