"""nerkit/packaging/model_card.py: the corpus part of the card from a meta
that describes this corpus, a neutral card (corpus, labels, sizes) where the
meta describes another one or none is given, and the package meta with the
corpus's description and sources before the architecture's, and the
sources of the static vectors a training config reads."""

import json

import spacy
from spacy.tokens import Doc, Span
from weasel.util import get_checksum

from nerkit.packaging.model_card import corpus_meta, package_meta, vectors_sources

ARCHITECTURE = {
    "description": "CNN and transition-based NER.",
    "author": "dlbook-terms project",
    "sources": [{"name": "a backbone", "url": "", "license": "Apache-2.0", "author": ""}],
    "requirements": ["x>=1"],
}


def splits():
    nlp = spacy.blank("en")
    doc = Doc(nlp.vocab, words=["Alice", "lives", "in", "Paris", "."])
    doc.ents = [Span(doc, 0, 1, "PER"), Span(doc, 3, 4, "LOC")]
    return {"train": [doc, doc], "dev": [doc], "test": [doc]}


def write_meta(path, **fields):
    meta = {"description": "People and places in news.", "sources": [{"name": "News"}], "license": "CC BY 4.0"}
    path.write_text(json.dumps({**meta, **fields}), encoding="utf8")
    return path


def test_a_meta_about_this_corpus_is_the_corpus_part(tmp_path):
    corpus = tmp_path / "news.conll"
    corpus.write_text("Alice B-PER\n")
    meta_path = write_meta(tmp_path / "meta.json", describes={"corpus": "news.conll", "md5": get_checksum(corpus)})
    part, source = corpus_meta(meta_path, corpus, splits())
    assert source == str(meta_path) and part["license"] == "CC BY 4.0"
    # a meta that names no corpus is the user's word for the one given
    part, _ = corpus_meta(write_meta(tmp_path / "plain.json"), corpus, splits())
    assert part["description"] == "People and places in news."


def test_a_meta_about_another_corpus_gives_the_neutral_card(tmp_path, project_root):
    corpus = tmp_path / "news.conll"
    corpus.write_text("Alice B-PER\n")
    part, source = corpus_meta(project_root / "corpus" / "raw" / "dlbook_terms.meta.json", corpus, splits())
    assert source.startswith("neutral: ") and "describes corpus/raw/dlbook_terms.tsv, not" in source
    assert part["description"] == (
        "Finds entities labelled LOC, PER, trained on the corpus `news.conll` "
        "(train 10 tokens, 4 entities; dev 5 tokens, 2 entities; test 5 tokens, 2 entities)."
    )
    assert part["sources"][0]["name"] == "news.conll"
    card = json.dumps(package_meta(ARCHITECTURE, part, corpus))
    assert "Deep Learning" not in card and "TERM" not in card and "term" not in card.lower().split()


def test_the_book_meta_describes_the_book(project_root):
    book = project_root / "corpus" / "raw" / "dlbook_terms.tsv"
    part, source = corpus_meta(project_root / "corpus" / "raw" / "dlbook_terms.meta.json", book, splits())
    assert source.endswith("dlbook_terms.meta.json") and "Deep Learning textbook" in part["description"]


def test_the_package_meta_puts_the_corpus_before_the_architecture(tmp_path):
    part = {"description": "People.", "sources": [{"name": "News"}], "license": "CC BY 4.0", "notes": "Cased."}
    meta = package_meta(ARCHITECTURE, part, tmp_path / "news")
    assert meta["description"] == "People. CNN and transition-based NER."
    assert [s["name"] for s in meta["sources"]] == ["News", "a backbone"]
    assert (meta["license"], meta["notes"], meta["training_corpus"]) == ("CC BY 4.0", "Cased.", "news")
    assert meta["requirements"] == ["x>=1"] and meta["author"] == "dlbook-terms project"


def test_the_vectors_a_config_reads_are_a_source(tmp_path):
    def config_with(vectors):
        path = tmp_path / "plan.cfg"
        path.write_text(f"[paths]\nvectors = {vectors}\n", encoding="utf8")
        return path

    assert vectors_sources(config_with("null")) == []
    named, unnamed = tmp_path / "glove", tmp_path / "my_vectors"
    source = {"name": "GloVe 6B 50d", "url": "", "license": "PDDL 1.0", "author": ""}
    for folder, meta in ((named, {"sources": [source]}), (unnamed, {"lang": "en"})):
        folder.mkdir()
        (folder / "meta.json").write_text(json.dumps(meta), encoding="utf8")
    assert vectors_sources(config_with(f'"{named}"')) == [source]
    assert [s["name"] for s in vectors_sources(config_with(f'"{unnamed}"'))] == ["my_vectors"]
    meta = package_meta(ARCHITECTURE, {"description": "People.", "sources": [{"name": "News"}]}, tmp_path, [source])
    assert [s["name"] for s in meta["sources"]] == ["News", "GloVe 6B 50d", "a backbone"]
