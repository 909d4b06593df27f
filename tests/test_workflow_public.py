"""End to end on a public corpus (SEC filings, committed in corpus/public,
train and test files only): `spacy project run all` with `--vars.corpus`
plans the training for it, carves dev from train and packages a model whose
card is the corpus's own, never the book's."""

import json
import shutil
import sys
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
CORPUS = "corpus/public/sec_filings"
WHEEL = "packages/en_dlbook_terms_sm-0.1.0/dist/en_dlbook_terms_sm-0.1.0-py3-none-any.whl"
LABELS = ["LOC", "MISC", "ORG", "PER"]


@pytest.fixture(scope="module")
def project(tmp_path_factory, run, short_project_copy):
    path = short_project_copy(tmp_path_factory.mktemp("project_public"))
    shutil.copytree(ROOT / CORPUS, path / CORPUS)
    args = [sys.executable, "-m", "spacy", "project", "run", "all", ".", "--vars.corpus", CORPUS]
    result = run([*args, "--vars.speed_batches", "2", "--vars.max_steps", "200"], cwd=path)
    return path, result.stdout


def test_the_plan_reads_the_corpus_and_says_why(project):
    path, stdout = project
    plan = json.loads((path / "training" / "plan" / "sm.json").read_text())
    assert plan["profile"]["lowercase_share"] < 0.98
    chosen = {choice["setting"] for choice in plan["choices"] if choice["applied"]}
    assert {"general_network", "converge", "no_case_augmentation", "no_pdf_web"} <= chosen
    assert "the dev split was carved from train.conll" in " ".join(stdout.split())


def test_the_package_card_names_the_corpus_and_its_labels_never_the_book(project):
    path, _ = project
    with zipfile.ZipFile(path / WHEEL) as wheel:
        meta = json.loads(wheel.read("en_dlbook_terms_sm/en_dlbook_terms_sm-0.1.0/meta.json"))
        card = wheel.read("en_dlbook_terms_sm/en_dlbook_terms_sm-0.1.0/README.md").decode()
    assert sorted(meta["labels"]["ner"]) == LABELS
    assert "sec_filings" in meta["description"] and "LOC, MISC, ORG, PER" in meta["description"]
    assert [source["name"] for source in meta["sources"]] == ["sec_filings"]
    for text in (json.dumps(meta), card):
        assert "Deep Learning" not in text and "technical terms" not in text and "TERM" not in text


def test_sentence_sets_without_the_models_labels_are_not_scored(project):
    path, _ = project
    raw = json.loads((path / "metrics" / "sm" / "test_raw_text.json").read_text())
    assert set(raw["sentence_sets_not_scored"]) == {"user_sentences", "pdf_web_sentences"}
    assert {"PER", "ORG", "LOC"} <= set(raw["scores"]["as_converted"]["per_label"]) <= set(LABELS)
